/**
 * A horcrux identity's keys as horcrux writes them (cosigner_<i>/{chain-id}_shard.json and
 * ecies_keys.json): each cosigner host gets its own two files, checked before anything is pushed,
 * and the errors name files and ids, never their contents.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { horcruxMaterial } from '../../src/keys/horcrux-material.js';
import { projectPath } from '../../src/paths.js';
import { runStake } from '../support/helpers.js';
import { scratchDir } from '../support/scratch.js';

const HOSTS = ['signer-fra', 'signer-waw', 'signer-ams'];
const b64 = (n: number) => randomBytes(n).toString('base64');

/** A group's folder as `horcrux create-ed25519-shards --shards 3` and `create-ecies-shards --shards 3` leave it. */
function group(edit: (i: number, shard: Record<string, unknown>, ecies: Record<string, unknown>) => void = () => {}) {
  const dir = scratchDir('stake-horcrux-');
  const pubKey = b64(34);
  const pubs = HOSTS.map(() => b64(65));
  HOSTS.forEach((_, i) => {
    const shard: Record<string, unknown> = { pubKey, privateShard: b64(32), id: i + 1 };
    const ecies: Record<string, unknown> = { eciesKey: b64(32), eciesPubs: pubs, id: i + 1 };
    edit(i + 1, shard, ecies);
    mkdirSync(join(dir, `cosigner_${i + 1}`));
    writeFileSync(join(dir, `cosigner_${i + 1}`, 'cosmoshub-4_shard.json'), JSON.stringify(shard));
    writeFileSync(join(dir, `cosigner_${i + 1}`, 'ecies_keys.json'), JSON.stringify(ecies));
  });
  return { dir, secret: pubKey };
}

describe('horcrux keys for stake keys push', () => {
  test("cosigner i is the i-th signer host and gets its own shard and ECIES key, where horcrux's keyDir is", () => {
    const { dir } = group();
    const m = horcruxMaterial(dir, 'cosmoshub-4', HOSTS);
    assert.deepEqual([...m.keys()], HOSTS);
    for (const [i, host] of HOSTS.entries()) {
      const files = m.get(host)!;
      assert.deepEqual(
        files.map((f) => [f.path, f.mode]),
        [
          ['/var/lib/horcrux/keys/cosmoshub-4_shard.json', '0600'],
          ['/var/lib/horcrux/keys/ecies_keys.json', '0600'],
        ],
      );
      assert.equal(JSON.parse(Buffer.from(files[0]!.content).toString()).id, i + 1);
    }
  });

  test('refused before any push: folders out of order, a shard of another key, ECIES keys of another group size, a missing file', () => {
    const swapped = group((i, shard) => {
      if (i === 2) shard.id = 3;
    });
    assert.throws(
      () => horcruxMaterial(swapped.dir, 'cosmoshub-4', HOSTS),
      /cosigner_2\/cosmoshub-4_shard\.json: its id is 3, but signer-waw is cosigner 2/,
    );
    const mixed = group((i, shard) => {
      if (i === 3) shard.pubKey = b64(34);
    });
    assert.throws(() => horcruxMaterial(mixed.dir, 'cosmoshub-4', HOSTS), /a shard of another key than cosigner 1's/);
    const small = group((_, __, ecies) => {
      ecies.eciesPubs = (ecies.eciesPubs as string[]).slice(0, 2);
    });
    assert.throws(() => horcruxMaterial(small.dir, 'cosmoshub-4', HOSTS), /2 ECIES public keys for 3 cosigners/);
    const { dir, secret } = group();
    assert.throws(
      () => horcruxMaterial(dir, 'osmosis-1', HOSTS),
      (err: Error) =>
        /cosigner_1\/osmosis-1_shard\.json: no such file/.test(err.message) && !err.message.includes(secret),
    );
  });
});

test('through bin/stake: a horcrux identity takes --dir only, and a wrong folder is refused (exit 2) before any host is reached', () => {
  const inventory = projectPath('inventories', 'cosmos-horcrux.yaml');
  const files = runStake([
    'keys',
    'push',
    'cosmoshub',
    '-i',
    inventory,
    '--file',
    '/nonexistent/priv_validator_key.json',
  ]);
  assert.equal(files.code, 2, files.stderr);
  assert.match(files.stderr, /cosmoshub signs through horcrux: its keys are one folder per cosigner/);
  const empty = scratchDir('stake-horcrux-empty-');
  const dir = runStake(['keys', 'push', 'cosmoshub', '-i', inventory, '--dir', empty]);
  assert.equal(dir.code, 2, dir.stderr);
  assert.match(
    dir.stderr,
    /cosigner_1\/cosmoshub-4_shard\.json: no such file \(the Ed25519 shard of cosigner 1, signer-fra\)/,
  );
});
