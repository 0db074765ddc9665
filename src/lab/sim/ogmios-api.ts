/**
 * The simulated cardano relay's Ogmios (v6.13, the release for cardano-node 10.1.x): the answers
 * stake's observer reads, built from the blocks the node holds in the shapes of Ogmios's own JSON
 * schemas (the tests validate every answer against them, test/fixtures/reference/ogmios/). The
 * lab's slot is its block: one block a slot, issued by the pool whose identity signed it. Pure: the
 * node's view goes in, a body comes out; ./ogmios-node.ts serves them on a relay.
 */
import { blake2b } from '@noble/hashes/blake2b';
import { poolIdOf } from '../../observe/ogmios.js';
import type { ChainView } from './chain-view.js';

export interface OgmiosPool {
  /** The lab identity whose blocks this pool issues. */
  identity: string;
  /** Its cold verification key, 64 hex digits. */
  verificationKey: string;
  /** The counter before any block of the pool is held (a certificate counts from 0). */
  opcertCount: number;
  kesPeriod: number;
}

export interface OgmiosNode {
  view: ChainView;
  pools: OgmiosPool[];
  /** The network's system start (the lab chain's slot 0, ISO) and its slot length. */
  systemStart?: string;
  slotMs?: number;
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

/** The header hash of the block a second producer made for `height`: the fork the network did not adopt. */
export const labForkBlockId = (height: number) => digest(`stake lab fork block ${height}`, 32);

/**
 * A block the node holds as chain-sync's `nextBlock` rolls it forward, or undefined; with `fork`,
 * the other block of its slot a second producer with the pool's keys made (ChainBlock.also).
 */
export function blockAt(node: OgmiosNode, height: number, fork = false) {
  const block = node.view.get(height);
  if (!block) return undefined;
  const pool = node.pools.find((p) => block.signed.some((s) => s.identity === p.identity));
  const forged = fork
    ? block.also?.find((s) => node.pools.some((p) => p.identity === s.identity))
    : block.signed.find((s) => s.identity === pool?.identity);
  if (fork && !forged) return undefined;
  const forkPool = fork ? node.pools.find((p) => p.identity === forged!.identity) : undefined;
  const issuer = forkPool ?? pool;
  const key = issuer?.verificationKey ?? digest(`stake lab other pool ${height % 3}`, 32);
  return {
    type: 'praos',
    era: 'conway',
    id: fork ? labForkBlockId(height) : labBlockId(height),
    ancestor: height > 1 ? labBlockId(height - 1) : 'genesis',
    height,
    size: { bytes: 4 },
    slot: height,
    protocol: { version: { major: 10, minor: 0 } },
    issuer: {
      verificationKey: key,
      vrfVerificationKey: digest(`vrf ${key}`, 32),
      operationalCertificate: {
        count: forged?.counter ?? issuer?.opcertCount ?? 0,
        kes: { period: issuer?.kesPeriod ?? 0, verificationKey: digest(`kes ${key}`, 32) },
      },
      leaderValue: { output: digest(`leader ${height}${fork ? ' fork' : ''}`, 64) },
    },
  };
}

/** A pool's latest counter in the ledger the node holds: the highest its blocks were forged under. */
function latestCounter(node: OgmiosNode, pool: OgmiosPool): number {
  let latest = pool.opcertCount;
  for (let h = node.view.base; h > 0 && h <= node.view.head; h++)
    for (const s of node.view.get(h)?.signed ?? [])
      if (s.identity === pool.identity && s.counter !== undefined) latest = Math.max(latest, s.counter);
  return latest;
}

/** The `nextBlock` answer that rolls forward to `height` (with `fork`, to its slot's other block). */
export function nextBlockAnswer(node: OgmiosNode, height: number, id?: unknown, fork = false): string | undefined {
  const block = blockAt(node, height, fork);
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
  if (method === 'queryNetwork/startTime' && node.systemStart)
    return ok(reply(method, id, node.systemStart.replace(/\.000Z$/, 'Z')));
  if (method === 'queryLedgerState/eraSummaries' && node.slotMs)
    return ok(reply(method, id, eraSummaries(node.slotMs)));
  if (method === 'queryLedgerState/operationalCertificates')
    return ok(
      reply(
        method,
        id,
        Object.fromEntries(node.pools.map((p) => [poolIdOf(p.verificationKey), latestCounter(node, p)])),
      ),
    );
  return rpcError(-32601, 'Invalid request: unknown method.', id);
}

/**
 * The lab network's eras: one, from slot 0, a slot every `slotMs`, mainnet's epoch and safe zone
 * (3k/f). It has no end bound: Conway is the last era cardano-node 10.1 knows, and Ogmios gives
 * the last era of the hard-fork combinator unbounded.
 */
function eraSummaries(slotMs: number) {
  return [
    {
      start: { time: { seconds: 0 }, slot: 0, epoch: 0 },
      parameters: { epochLength: EPOCH_SLOTS, slotLength: { milliseconds: slotMs }, safeZone: SAFE_ZONE_SLOTS },
    },
  ];
}

/** What the lab's Ogmios knows beside its node's blocks, for `GET /health`. */
export interface OgmiosHealthState {
  connected: boolean;
  startTime: string;
  /** When the node's tip last moved (ISO), null before the first. */
  lastTipUpdate: string | null;
  /** Milliseconds since the tip's block was made (its slot's time), for networkSynchronization. */
  tipAgeMs: number | undefined;
  slotMs: number;
  network: string | null;
  totalConnections: number;
}

/** Ogmios's version string (Ogmios.Version: "v" <> version <> " (" <> the commit's first 8 digits <> ")"). */
export const OGMIOS_VERSION = 'v6.13.0 (1603f7e8)';
/** Mainnet's epoch in slots, by which Ogmios counts currentEpoch and slotInEpoch. */
const EPOCH_SLOTS = 432_000;
/** Mainnet's safe zone: 3k/f slots, k = 2160, f = 0.05. */
const SAFE_ZONE_SLOTS = 129_600;

/**
 * `networkSynchronization`: Ogmios's is (tip's slot time - system start) / (now - system start),
 * written with 5 decimals (Data/Health.hs), so on mainnet, years from its start, a tip up to about
 * twenty minutes old reads 1.00000. A lab chain is minutes old, where one slot late would already
 * read 0.99; it stands in for that rounding with three slots: a tip younger than that reads 1.
 */
export function networkSynchronization(tipAgeMs: number, height: number, slotMs: number): number {
  if (tipAgeMs <= 3 * slotMs) return 1;
  const made = height * slotMs;
  return Math.floor((made / (made + tipAgeMs)) * 1e5) / 1e5;
}

/**
 * `GET /health` (Http.hs getHealthR): 500 when disconnected from the node, 200 when connected and
 * synchronised (exactly 1), 202 when connected and behind; the body is Health as Ogmios writes it
 * (Data/Health.hs, every field, nulls before the first tip), networkSynchronization with its five
 * decimals.
 */
export function healthAnswer(node: OgmiosNode, state: OgmiosHealthState): { status: number; body: string } {
  const height = node.view.head;
  const known = state.connected || height > 0;
  const sync =
    known && state.tipAgeMs !== undefined && height > 0
      ? networkSynchronization(state.tipAgeMs, height, state.slotMs)
      : null;
  const health = {
    startTime: state.startTime,
    lastKnownTip: tip(node),
    lastTipUpdate: state.lastTipUpdate,
    networkSynchronization: sync === null ? null : '@SYNC@',
    currentEra: height > 0 ? 'conway' : null,
    metrics: {
      runtimeStats: { maxHeapSize: 0, currentHeapSize: 0, cpuTime: 0, gcCpuTime: 0 },
      activeConnections: 0,
      totalConnections: state.totalConnections,
      sessionDurations: { mean: 0, min: 0, max: 0 },
      totalMessages: 0,
      totalUnrouted: 0,
    },
    connectionStatus: state.connected ? 'connected' : 'disconnected',
    currentEpoch: height > 0 ? Math.floor(height / EPOCH_SLOTS) : null,
    slotInEpoch: height > 0 ? height % EPOCH_SLOTS : null,
    version: OGMIOS_VERSION,
    network: state.network,
  };
  const status = !state.connected ? 500 : sync === 1 ? 200 : 202;
  const body = JSON.stringify(health).replace('"@SYNC@"', sync === null ? 'null' : sync.toFixed(5));
  return { status, body };
}

/**
 * One WebSocket's chain-sync cursor (Ogmios's local-chain-sync: each connection has its own). It
 * starts at origin; a found intersection moves it there; the first `nextBlock` after either is
 * always a roll backward to it (docs/content/mini-protocols/local-chain-sync.md), then each rolls
 * forward one block.
 */
export interface ChainSyncCursor {
  /** The height the cursor is at (0: origin). */
  at: number;
  /** The point the next `nextBlock` rolls back to, when it must. */
  rollBackTo?: number;
  /** The slots whose losing fork block this cursor has been given already. */
  forksServed?: Set<number>;
}

export const newCursor = (): ChainSyncCursor => ({ at: 0, rollBackTo: 0 });

const pointAt = (height: number) => (height > 0 ? { slot: height, id: labBlockId(height) } : 'origin');

/**
 * A chain-sync message answered, or `wait` when `nextBlock` is at the node's tip (the real one
 * answers when the next block comes). Other methods go to the stateless answers.
 */
export function chainSyncAnswer(node: OgmiosNode, cursor: ChainSyncCursor, text: string): string | 'wait' {
  let request: { method?: unknown; params?: { points?: unknown }; id?: unknown };
  try {
    request = JSON.parse(text) as typeof request;
  } catch {
    return ogmiosHttpAnswer(node, text).body;
  }
  const { method, id } = request ?? {};
  if (method === 'findIntersection') {
    const points = Array.isArray(request.params?.points) ? request.params.points : [];
    for (const p of points) {
      const height =
        p === 'origin'
          ? 0
          : typeof p === 'object' && p !== null && node.view.get((p as { slot: number }).slot)
            ? (p as { slot: number }).slot
            : undefined;
      if (height === undefined || (height > 0 && (p as { id?: unknown }).id !== labBlockId(height))) continue;
      cursor.at = height;
      cursor.rollBackTo = height;
      return reply(method, id, { intersection: pointAt(height), tip: tip(node) });
    }
    return JSON.stringify({
      jsonrpc: '2.0',
      method,
      error: { code: 1000, message: 'No intersection found.', data: { tip: tip(node) } },
      ...(id !== undefined ? { id } : {}),
    });
  }
  if (method === 'nextBlock') {
    if (cursor.rollBackTo !== undefined) {
      const point = pointAt(cursor.rollBackTo);
      cursor.rollBackTo = undefined;
      return reply(method, id, { direction: 'backward', point, tip: tip(node) });
    }
    // A slot two producers of one pool forged: the relay heard the losing block first, rolled
    // forward to it, then switched to the adopted one (a roll back, then forward), as a node in
    // a slot battle does. Only a cursor that passed through the slot sees both.
    const slot = cursor.at + 1;
    const served = (cursor.forksServed ??= new Set());
    if (!served.has(slot)) {
      const fork = nextBlockAnswer(node, slot, id, true);
      if (fork) {
        served.add(slot);
        cursor.rollBackTo = cursor.at;
        return fork;
      }
    }
    const next = nextBlockAnswer(node, slot, id);
    if (!next) return 'wait';
    cursor.at++;
    return next;
  }
  return ogmiosHttpAnswer(node, text).body;
}
