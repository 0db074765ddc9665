/**
 * A horcrux identity's key material as `horcrux create-ed25519-shards` and `create-ecies-shards`
 * write it (docs/reference/horcrux.md §3): one folder per cosigner, `cosigner_<i>/`, holding
 * `<chain-id>_shard.json` and `ecies_keys.json`, both with `"id": i`. Cosigner i is the i-th host
 * of the signer group (the shard id stake renders, render/clients/cosmos-signer.ts), and gets its
 * own two files only. Checked before anything is pushed, by their shape and never their secrets:
 * ids that match, one public key across the shards, an ECIES public key per cosigner. Pure but
 * for reading the folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { HORCRUX_ECIES_KEY, horcruxShardPath } from '../render/clients/cosmos-signer.js';
import type { KeyPlacement } from './push-script.js';

const isBase64 = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(v);

function readJson(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file (${what})`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // never the file's text: it is a secret
    throw new UsageError(`${path}: not JSON (${what})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new UsageError(`${path}: not a JSON object (${what})`);
  return doc as Record<string, unknown>;
}

/** Each signer host's two files, in the group's order (shard id = place + 1). */
export function horcruxMaterial(dir: string, chainId: string, hosts: readonly string[]): Map<string, KeyPlacement[]> {
  const out = new Map<string, KeyPlacement[]>();
  let groupKey: string | undefined;
  hosts.forEach((host, i) => {
    const id = i + 1;
    const folder = join(dir, `cosigner_${id}`);
    const shardFile = join(folder, `${chainId}_shard.json`);
    const eciesFile = join(folder, 'ecies_keys.json');
    const shard = readJson(shardFile, `the Ed25519 shard of cosigner ${id}, ${host}`);
    const ecies = readJson(eciesFile, `the ECIES key of cosigner ${id}, ${host}`);
    if (!isBase64(shard.pubKey) || !isBase64(shard.privateShard) || !Number.isInteger(shard.id))
      throw new UsageError(`${shardFile}: not a horcrux shard (pubKey, privateShard, id)`);
    if (!isBase64(ecies.eciesKey) || !Array.isArray(ecies.eciesPubs) || !Number.isInteger(ecies.id))
      throw new UsageError(`${eciesFile}: not a horcrux ECIES key (eciesKey, eciesPubs, id)`);
    // horcrux refuses a shard of another cosigner: "key shard ID (%d) in (%s) does not match cosigner ID (%d)"
    for (const [file, doc] of [
      [shardFile, shard],
      [eciesFile, ecies],
    ] as const)
      if (doc.id !== id)
        throw new UsageError(
          `${file}: its id is ${String(doc.id)}, but ${host} is cosigner ${id} (its place in signer.hosts)`,
          'give the folders in the order of validators.<identity>.signer.hosts, as horcrux create-ed25519-shards numbers them',
        );
    if (ecies.eciesPubs.length !== hosts.length || !ecies.eciesPubs.every(isBase64))
      throw new UsageError(
        `${eciesFile}: ${ecies.eciesPubs.length} ECIES public keys for ${hosts.length} cosigners`,
        `make the ECIES keys for this group: horcrux create-ecies-shards --shards ${hosts.length}`,
      );
    if (groupKey !== undefined && shard.pubKey !== groupKey)
      throw new UsageError(
        `${shardFile}: a shard of another key than cosigner 1's`,
        'every shard must come from one horcrux create-ed25519-shards run',
      );
    groupKey = shard.pubKey;
    out.set(host, [
      {
        name: `${chainId}_shard.json`,
        path: horcruxShardPath(chainId),
        content: readFileSync(shardFile),
        mode: '0600',
      },
      { name: 'ecies_keys.json', path: HORCRUX_ECIES_KEY, content: readFileSync(eciesFile), mode: '0600' },
    ]);
  });
  return out;
}
