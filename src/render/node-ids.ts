/**
 * CometBFT node ids. A node's id is the first 20 bytes of the SHA-256 of its ed25519 public
 * key, in hex; `node_key.json` holds the private key, whose last 32 bytes are that public key.
 * Ids come from the inventory's `node_id`, else from the cache that gathering from hosts fills
 * (`.stake/node-ids.json` next to the inventory).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ResolvedInventory } from '../inventory/resolve.js';

/** The node id of a `node_key.json` document ({"priv_key":{"type":"tendermint/PrivKeyEd25519","value":base64}}). */
export function nodeIdFromNodeKey(json: string): string {
  const doc = JSON.parse(json) as { priv_key?: { type?: string; value?: string } };
  if (doc.priv_key?.type !== 'tendermint/PrivKeyEd25519' || !doc.priv_key.value)
    throw new Error('not an ed25519 node_key.json');
  const key = Buffer.from(doc.priv_key.value, 'base64');
  if (key.length !== 64) throw new Error(`node key is ${key.length} bytes, expected 64`);
  return createHash('sha256').update(key.subarray(32)).digest('hex').slice(0, 40);
}

/**
 * What a config shows where a node id is not known yet: a fresh host's node key is made by its
 * first `stake deploy` (../apply/secrets.ts). Never a valid id (not hex), so no such config can
 * pass for a real one; only render and plan, which change nothing, show it.
 */
export const pendingNodeId = (host: string) => `NODE-ID-OF-${host}`;

/** The ids with a pending one for every cometbft host that has none yet, and those hosts' names. */
export function withPendingNodeIds(
  inv: Pick<ResolvedInventory, 'hosts'>,
  ids: Readonly<Record<string, string>>,
): { ids: Record<string, string>; pending: string[] } {
  const pending = inv.hosts.filter((h) => h.client === 'cometbft' && !h.nodeId && !ids[h.name]).map((h) => h.name);
  return { ids: { ...ids, ...Object.fromEntries(pending.map((h) => [h, pendingNodeId(h)])) }, pending };
}

/** For people: which configs show a pending id, and what makes it real. */
export const pendingNodeIdsNote = (hosts: readonly string[]) =>
  `node ids not known yet: ${hosts.join(', ')}; the configs that name them show ${pendingNodeId('<host>')}. The first \`stake deploy\` makes each node key on its host and learns the id before it renders.`;

export const nodeIdCachePath = (inventory: string) => join(dirname(inventory), '.stake', 'node-ids.json');

/** The cached ids, or none. The cache is a plain { host: id } map. */
export function readNodeIdCache(inventory: string): Record<string, string> {
  const path = nodeIdCachePath(inventory);
  if (!existsSync(path)) return {};
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(doc).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[0-9a-f]{40}$/.test(e[1])),
    );
  } catch {
    return {};
  }
}
