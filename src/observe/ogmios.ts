/**
 * Ogmios v6.13 (the release for cardano-node 10.1.x) as the chain observer reads it: JSON-RPC 2.0,
 * described by Ogmios's own JSON schemas (test/fixtures/reference/ogmios/, README §7).
 *
 * Two ways in. Ledger and network queries are stateless, so Ogmios answers them as an HTTP POST of
 * the same JSON-RPC body: `queryNetwork/tip`, `queryNetwork/blockHeight` and
 * `queryLedgerState/operationalCertificates` (each pool's latest operational-certificate counter).
 * Blocks, with their issuer, only come through chain-sync (`findIntersection`, then `nextBlock`),
 * which is a WebSocket conversation; this module parses its answers, the transport is elsewhere.
 *
 * What a Cardano chain can show is weaker than CometBFT's or the beacon chain's: there is no
 * slashing and no evidence kept on chain. Two blocks of one pool at one slot (two producers with
 * the same keys) reach a node as a fork: one block is adopted, the other rolled back, and only a
 * node that saw both can tell (`equivocationsIn` over the blocks one source followed). An
 * operational-certificate counter on chain above the one the operator issued means someone else
 * holds the cold key. Every field is checked before use; another shape is an error of the source. Pure.
 */
import { blake2b } from '@noble/hashes/blake2b';
import { bech32 } from '@scure/base';
import { POOL_ID_PATTERN } from '../inventory/schema.js';
import type { ApiRequest } from './http-on-host.js';
import { isObject, type Parsed } from './json-fields.js';

/** Ogmios's default port (`--port`, 1337). */
export const OGMIOS_PORT = 1337;

export interface ChainPoint {
  slot: number;
  /** The block header hash, lowercase hex. */
  id: string;
}

export interface BlockIssuer {
  /** bech32 `pool1…`: blake2b-224 of the cold verification key. */
  poolId: string;
  verificationKey: string;
  /** The operational certificate's counter: a new certificate must raise it. */
  opcertCount: number;
  kesPeriod: number;
}

export interface OgmiosBlock extends ChainPoint {
  height: number;
  ancestor: string;
  era: string;
  /** Praos blocks only (Shelley onwards); Byron blocks have none of a pool. */
  issuer?: BlockIssuer;
}

export type ChainSyncStep =
  | { direction: 'forward'; tip: ChainPoint & { height: number }; block: OgmiosBlock }
  | { direction: 'backward'; tip: (ChainPoint & { height: number }) | 'origin'; point: ChainPoint | 'origin' };

const uint = (v: unknown): number | undefined =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined;
const hex = (v: unknown, length?: number): string | undefined =>
  typeof v === 'string' &&
  /^[0-9a-fA-F]*$/.test(v) &&
  v.length % 2 === 0 &&
  (length === undefined || v.length === length)
    ? v.toLowerCase()
    : undefined;
const POOL_ID = new RegExp(POOL_ID_PATTERN);

/** A pool's id from its cold verification key (32 bytes, hex): bech32 `pool` of its blake2b-224. */
export function poolIdOf(verificationKey: string): string {
  const key = hex(verificationKey, 64);
  if (!key) throw new Error('poolIdOf: a verification key is 64 hex digits');
  const hash = blake2b(Buffer.from(key, 'hex'), { dkLen: 28 });
  return bech32.encode('pool', bech32.toWords(hash));
}

/** The POST that asks one stateless query; `tag` names its answer. */
export function ogmiosQuery(tag: string, method: string, port = OGMIOS_PORT): ApiRequest {
  return { tag, port, method: 'POST', path: '/', body: JSON.stringify({ jsonrpc: '2.0', method, id: tag }) };
}

/** The `result` of an answer to `method`, or the error's words (RpcError, era mismatch, …). */
function resultOf(answer: unknown, method: string): { result: unknown } | { error: string } {
  if (!isObject(answer) || answer.jsonrpc !== '2.0') return { error: `${method}: not a JSON-RPC 2.0 answer` };
  if (answer.error !== undefined) {
    const e = answer.error;
    const message = isObject(e) && typeof e.message === 'string' ? e.message : 'an error';
    return { error: `${method}: ${message.slice(0, 200)}` };
  }
  if (answer.method !== undefined && answer.method !== method)
    return { error: `${method}: the answer is to another method` };
  if (!('result' in answer)) return { error: `${method}: no result` };
  return { result: answer.result };
}

function pointOf(v: unknown): ChainPoint | 'origin' | undefined {
  if (v === 'origin') return 'origin';
  if (!isObject(v)) return undefined;
  const slot = uint(v.slot);
  const id = hex(v.id, 64);
  return slot !== undefined && id ? { slot, id } : undefined;
}

function tipOf(v: unknown): (ChainPoint & { height: number }) | 'origin' | undefined {
  if (v === 'origin') return 'origin';
  const point = pointOf(v);
  const height = isObject(v) ? uint(v.height) : undefined;
  return point && point !== 'origin' && height !== undefined ? { ...point, height } : undefined;
}

/** What `GET /health` says (Ogmios's Health, server/src/Ogmios/Data/Health.hs; Http.hs getHealthR). */
export interface OgmiosHealth {
  /** Ogmios has its node: the HTTP status is 200 or 202 (500 when not). */
  connected: boolean;
  /** How far the node is from the network's tip by the slot clock, 0..1 (1: synced); null before the first tip. */
  synchronization: number | null;
  /** The node's tip as Ogmios last heard it. */
  tip: (ChainPoint & { height: number }) | 'origin';
  /** When that tip came (ISO), null before the first. */
  lastTipUpdate: string | null;
}

export const ogmiosHealthRequest = (tag: string, port = OGMIOS_PORT): ApiRequest => ({
  tag,
  port,
  method: 'GET',
  path: '/health',
});

/**
 * `GET /health`: 200 connected and synced, 202 connected and behind, 500 disconnected, each with
 * the Health JSON. The status and the body must agree: a 200 that says disconnected is refused.
 */
export function parseHealth(status: number, body: unknown): Parsed<OgmiosHealth> {
  if (![200, 202, 500].includes(status)) return { error: `/health answered HTTP ${status}` };
  if (!isObject(body)) return { error: '/health: not a JSON object' };
  const connection = body.connectionStatus;
  if (connection !== 'connected' && connection !== 'disconnected')
    return { error: '/health: connectionStatus is neither connected nor disconnected' };
  if ((connection === 'connected') !== (status !== 500))
    return { error: `/health: HTTP ${status} with connectionStatus ${connection}` };
  const sync = body.networkSynchronization;
  if (sync !== null && !(typeof sync === 'number' && sync >= 0 && sync <= 1))
    return { error: '/health: networkSynchronization is not a fraction' };
  if (status !== 500 && (sync === 1) !== (status === 200))
    return { error: `/health: HTTP ${status} with networkSynchronization ${String(sync)}` };
  const tip = tipOf(body.lastKnownTip);
  if (!tip) return { error: '/health: lastKnownTip is not a tip' };
  const updated = body.lastTipUpdate;
  if (updated !== null && !(typeof updated === 'string' && !Number.isNaN(Date.parse(updated))))
    return { error: '/health: lastTipUpdate is not a time' };
  return { connected: connection === 'connected', synchronization: sync, tip, lastTipUpdate: updated };
}

/**
 * A chain-sync conversation: find the intersection at the newest of `points` the node holds, then
 * `count` nextBlocks (the first rolls back to the intersection, the rest forward, one block each).
 */
export function chainSyncMessages(points: readonly (ChainPoint | 'origin')[], count: number): string[] {
  return [
    JSON.stringify({ jsonrpc: '2.0', method: 'findIntersection', params: { points }, id: 'intersection' }),
    ...Array.from({ length: count }, (_, i) =>
      JSON.stringify({ jsonrpc: '2.0', method: 'nextBlock', id: `next-${i}` }),
    ),
  ];
}

/** `findIntersection`: the point found and the tip, or none found (with the tip). */
export function parseIntersection(
  answer: unknown,
): Parsed<{ intersection: ChainPoint | 'origin' | undefined; tip: (ChainPoint & { height: number }) | 'origin' }> {
  if (isObject(answer) && answer.jsonrpc === '2.0' && isObject(answer.error) && answer.error.code === 1000) {
    const data = answer.error.data;
    const t = isObject(data) ? tipOf(data.tip) : undefined;
    return t ? { intersection: undefined, tip: t } : { error: 'findIntersection: no intersection, and no tip' };
  }
  const rpc = resultOf(answer, 'findIntersection');
  if ('error' in rpc) return rpc;
  if (!isObject(rpc.result)) return { error: 'findIntersection: the result is not an object' };
  const intersection = pointOf(rpc.result.intersection);
  const t = tipOf(rpc.result.tip);
  if (!intersection || !t) return { error: 'findIntersection: no intersection point and tip' };
  return { intersection, tip: t };
}

/** `queryNetwork/tip`: the node's tip as a point. */
export function parseTip(answer: unknown): Parsed<ChainPoint | 'origin'> {
  const rpc = resultOf(answer, 'queryNetwork/tip');
  if ('error' in rpc) return rpc;
  return pointOf(rpc.result) ?? { error: 'queryNetwork/tip: not a point' };
}

/** `queryNetwork/blockHeight`: the tip's block number (0 at origin). */
export function parseBlockHeight(answer: unknown): Parsed<number> {
  const rpc = resultOf(answer, 'queryNetwork/blockHeight');
  if ('error' in rpc) return rpc;
  if (rpc.result === 'origin') return 0;
  return uint(rpc.result) ?? { error: 'queryNetwork/blockHeight: not a block height' };
}

/** `queryLedgerState/operationalCertificates`: each pool's latest counter, by pool id. */
export function parseOperationalCertificates(answer: unknown): Parsed<Map<string, number>> {
  const rpc = resultOf(answer, 'queryLedgerState/operationalCertificates');
  if ('error' in rpc) return rpc;
  if (!isObject(rpc.result)) return { error: 'queryLedgerState/operationalCertificates: not an object' };
  const counters = new Map<string, number>();
  for (const [pool, count] of Object.entries(rpc.result)) {
    const n = uint(count);
    if (!POOL_ID.test(pool) || n === undefined)
      return {
        error: `queryLedgerState/operationalCertificates: ${JSON.stringify(pool.slice(0, 64))} is not a pool's counter`,
      };
    counters.set(pool, n);
  }
  return counters;
}

function issuerOf(v: unknown): Parsed<BlockIssuer> {
  if (!isObject(v)) return { error: 'no issuer' };
  const verificationKey = hex(v.verificationKey, 64);
  const cert = v.operationalCertificate;
  const kes = isObject(cert) ? cert.kes : undefined;
  const opcertCount = isObject(cert) ? uint(cert.count) : undefined;
  const kesPeriod = isObject(kes) ? uint(kes.period) : undefined;
  if (!verificationKey || opcertCount === undefined || kesPeriod === undefined)
    return { error: 'an issuer without its key and operational certificate' };
  return { poolId: poolIdOf(verificationKey), verificationKey, opcertCount, kesPeriod };
}

function blockOf(v: unknown): Parsed<OgmiosBlock> {
  if (!isObject(v)) return { error: 'no block' };
  const point = pointOf(v);
  const height = uint(v.height);
  const ancestor = v.ancestor === 'genesis' ? 'genesis' : hex(v.ancestor, 64);
  if (!point || point === 'origin' || height === undefined || !ancestor || typeof v.era !== 'string')
    return { error: 'a block without its id, slot, height and ancestor' };
  const block: OgmiosBlock = { ...point, height, ancestor, era: v.era.slice(0, 16) };
  if (v.type === 'praos') {
    const issuer = issuerOf(v.issuer);
    if ('error' in issuer) return issuer;
    block.issuer = issuer;
  } else if (v.type !== 'bft' && v.type !== 'ebb') return { error: 'a block of an unknown type' };
  return block;
}

/** One `nextBlock` answer: a block rolled forward, or a roll back to a point. */
export function parseNextBlock(answer: unknown): Parsed<ChainSyncStep> {
  const rpc = resultOf(answer, 'nextBlock');
  if ('error' in rpc) return rpc;
  const r = rpc.result;
  if (!isObject(r)) return { error: 'nextBlock: no result' };
  const tip = tipOf(r.tip);
  if (!tip) return { error: 'nextBlock: no tip' };
  if (r.direction === 'forward') {
    const block = blockOf(r.block);
    if ('error' in block) return { error: `nextBlock: ${block.error}` };
    if (tip === 'origin') return { error: 'nextBlock: a block forward of an origin tip' };
    return { direction: 'forward', tip, block };
  }
  if (r.direction === 'backward') {
    const point = pointOf(r.point);
    if (!point) return { error: 'nextBlock: a roll back to no point' };
    return { direction: 'backward', tip, point };
  }
  return { error: 'nextBlock: neither forward nor backward' };
}

/** Two different blocks one pool issued for one slot, among the blocks a source followed (forks included). */
export function equivocationsIn(
  blocks: readonly OgmiosBlock[],
): { poolId: string; slot: number; height: number; ids: [string, string] }[] {
  const first = new Map<string, OgmiosBlock>();
  const found: { poolId: string; slot: number; height: number; ids: [string, string] }[] = [];
  const reported = new Set<string>();
  for (const b of blocks) {
    if (!b.issuer) continue;
    const key = `${b.issuer.poolId}@${b.slot}`;
    const seen = first.get(key);
    if (!seen) first.set(key, b);
    else if (seen.id !== b.id && !reported.has(key)) {
      reported.add(key);
      found.push({ poolId: b.issuer.poolId, slot: b.slot, height: b.height, ids: [seen.id, b.id] });
    }
  }
  return found;
}

/** One era's slotting (cardano.json EraSummary): from its start bound, a slot every slotMs. */
export interface EraSlotting {
  /** The era's first slot, and its start relative to the network's system start. */
  startSlot: number;
  startSeconds: number;
  /** The slot the era ends at (the first of the next), unknown while it is unbounded. */
  endSlot?: number;
  slotMs: number;
}

/** When each slot begins: the network's system start and its eras (queryNetwork/startTime, queryLedgerState/eraSummaries). */
export interface SlotClock {
  startMs: number;
  eras: EraSlotting[];
}

/** `queryNetwork/startTime`: the network's system start (UtcTime), in ms since the epoch. */
export function parseStartTime(answer: unknown): Parsed<number> {
  const rpc = resultOf(answer, 'queryNetwork/startTime');
  if ('error' in rpc) return rpc;
  const at = typeof rpc.result === 'string' ? Date.parse(rpc.result) : Number.NaN;
  return Number.isFinite(at) ? at : { error: 'queryNetwork/startTime: not a time' };
}

/** `queryLedgerState/eraSummaries`: each known era's bounds and slot length, oldest first. */
export function parseEraSummaries(answer: unknown): Parsed<EraSlotting[]> {
  const rpc = resultOf(answer, 'queryLedgerState/eraSummaries');
  if ('error' in rpc) return rpc;
  if (!Array.isArray(rpc.result) || rpc.result.length === 0 || rpc.result.length > 32)
    return { error: 'queryLedgerState/eraSummaries: not a list of eras' };
  const eras: EraSlotting[] = [];
  for (const e of rpc.result as unknown[]) {
    const start = isObject(e) && isObject(e.start) ? e.start : undefined;
    const end = isObject(e) && isObject(e.end) ? e.end : undefined;
    const parameters = isObject(e) && isObject(e.parameters) ? e.parameters : undefined;
    const startSlot = uint(start?.slot);
    const startSeconds = isObject(start?.time) ? uint(start.time.seconds) : undefined;
    const endSlot = end ? uint(end.slot) : undefined;
    const slotMs = isObject(parameters?.slotLength) ? uint(parameters.slotLength.milliseconds) : undefined;
    if (startSlot === undefined || startSeconds === undefined || !slotMs || (end && endSlot === undefined))
      return { error: 'queryLedgerState/eraSummaries: an era without its start, slot length or end' };
    const before = eras.at(-1);
    if (before && (before.endSlot === undefined || before.endSlot !== startSlot))
      return { error: 'queryLedgerState/eraSummaries: eras that do not follow one another' };
    eras.push({ startSlot, startSeconds, ...(endSlot !== undefined ? { endSlot } : {}), slotMs });
  }
  return eras;
}

/** When `slot` begins (ms since the epoch), or undefined beyond the eras known. */
export function slotStartMs(clock: SlotClock, slot: number): number | undefined {
  const era = clock.eras.find((e) => slot >= e.startSlot && (e.endSlot === undefined || slot < e.endSlot));
  return era ? clock.startMs + era.startSeconds * 1000 + (slot - era.startSlot) * era.slotMs : undefined;
}
