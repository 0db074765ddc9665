/**
 * The simulated cardano relay's Ogmios (v6.13, the release for cardano-node 10.1.x): the answers
 * stake's observer reads, built from the blocks the node holds in the shapes of Ogmios's own JSON
 * schemas (the tests validate every answer against them, test/fixtures/reference/ogmios/). The
 * lab's slot is its block: one block a slot, issued by the pool whose identity signed it. Pure: the
 * node's view goes in, a body comes out. Not wired into the sim's relays yet (see docs/lab.md).
 */
import { blake2b } from '@noble/hashes/blake2b';
import { poolIdOf } from '../../observe/ogmios.js';
import type { ChainView } from './chain-view.js';

export interface OgmiosPool {
  /** The lab identity whose blocks this pool issues. */
  identity: string;
  /** Its cold verification key, 64 hex digits. */
  verificationKey: string;
  opcertCount: number;
  kesPeriod: number;
}

export interface OgmiosNode {
  view: ChainView;
  pools: OgmiosPool[];
}

const digest = (text: string, bytes: number) =>
  Buffer.from(blake2b(Buffer.from(text), { dkLen: bytes })).toString('hex');
/** A lab block's header hash: stable for a height, so every relay names a block alike. */
export const labBlockId = (height: number) => digest(`stake lab block ${height}`, 32);

const reply = (method: string, id: unknown, result: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', method, result, ...(id !== undefined ? { id } : {}) });
const rpcError = (code: number, message: string, id?: unknown) => ({
  status: 400,
  body: JSON.stringify({ jsonrpc: '2.0', error: { code, message }, ...(id !== undefined ? { id } : {}) }),
});
const ok = (body: string) => ({ status: 200, body });

function tip(node: OgmiosNode) {
  const height = node.view.head;
  return height > 0 ? { slot: height, id: labBlockId(height), height } : 'origin';
}

/** A block the node holds as chain-sync's `nextBlock` rolls it forward, or undefined. */
export function blockAt(node: OgmiosNode, height: number) {
  const block = node.view.get(height);
  if (!block) return undefined;
  const pool = node.pools.find((p) => block.signed.some((s) => s.identity === p.identity));
  const key = pool?.verificationKey ?? digest(`stake lab other pool ${height % 3}`, 32);
  return {
    type: 'praos',
    era: 'conway',
    id: labBlockId(height),
    ancestor: height > 1 ? labBlockId(height - 1) : 'genesis',
    height,
    size: { bytes: 4 },
    slot: height,
    protocol: { version: { major: 10, minor: 0 } },
    issuer: {
      verificationKey: key,
      vrfVerificationKey: digest(`vrf ${key}`, 32),
      operationalCertificate: {
        count: pool?.opcertCount ?? 0,
        kes: { period: pool?.kesPeriod ?? 0, verificationKey: digest(`kes ${key}`, 32) },
      },
      leaderValue: { output: digest(`leader ${height}`, 64) },
    },
  };
}

/** The `nextBlock` answer that rolls forward to `height`. */
export function nextBlockAnswer(node: OgmiosNode, height: number, id?: unknown): string | undefined {
  const block = blockAt(node, height);
  return block ? reply('nextBlock', id, { direction: 'forward', tip: tip(node), block }) : undefined;
}

/**
 * An HTTP POST's JSON-RPC body answered: the stateless queries the observer asks. Ogmios answers a
 * POST through a WebSocket to itself, 200 with a result, 400 with an error (Http.hs postRootR).
 */
export function ogmiosHttpAnswer(node: OgmiosNode, body: string): { status: number; body: string } {
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch {
    return rpcError(-32700, 'Invalid JSON.');
  }
  if (typeof request !== 'object' || request === null || (request as { jsonrpc?: unknown }).jsonrpc !== '2.0')
    return rpcError(-32600, 'Invalid request: not a JSON-RPC 2.0 request.');
  const { method, id } = request as { method?: unknown; id?: unknown };
  const height = node.view.head;
  if (method === 'queryNetwork/tip') {
    const t = tip(node);
    return ok(reply(method, id, t === 'origin' ? t : { slot: t.slot, id: t.id }));
  }
  if (method === 'queryNetwork/blockHeight') return ok(reply(method, id, height > 0 ? height : 'origin'));
  if (method === 'queryLedgerState/operationalCertificates')
    return ok(
      reply(method, id, Object.fromEntries(node.pools.map((p) => [poolIdOf(p.verificationKey), p.opcertCount]))),
    );
  return rpcError(-32601, 'Invalid request: unknown method.', id);
}
