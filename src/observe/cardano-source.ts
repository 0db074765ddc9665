/**
 * One Ogmios source (a cardano relay) over a command's rounds: its node's tip from `GET /health`,
 * then the blocks since the last one it followed, by chain-sync (`findIntersection` at the points
 * it followed, newest first, then one `nextBlock` per new block and one for the roll back to the
 * intersection). Heights here are slots: a block is signed by the pool that issued it, and a slot
 * without a block is no height at all. Ogmios has no block by number, so a source follows from
 * the tip it first saw: the window starts when the command starts reading. Two blocks of one pool
 * at one slot among everything it followed, rolled back or not, are a double sign. A block carries
 * no time: when its slot began comes from the network's system start and its eras' slot lengths
 * (`queryNetwork/startTime`, `queryLedgerState/eraSummaries`), read once and again when a block
 * falls beyond the eras known. Pure: the answers come in, the source's view changes.
 */
import type { ApiAnswer, ApiRequest } from './http-on-host.js';
import type { SourceView } from './model.js';
import {
  chainSyncMessages,
  equivocationsIn,
  parseHealth,
  ogmiosQuery,
  parseEraSummaries,
  parseIntersection,
  parseNextBlock,
  parseStartTime,
  slotStartMs,
  type ChainPoint,
  type OgmiosBlock,
  type SlotClock,
} from './ogmios.js';

/** At most this many blocks a round: a source further behind catches up over rounds. */
export const BLOCKS_PER_ROUND = 50;
/** Points offered to find the intersection, newest first: a fork deeper than this starts again at the tip. */
const TRAIL = 12;
/** Blocks kept for the double-sign check, rolled back ones among them. */
const BLOCKS_KEPT = 2000;

export interface CardanoSourceState {
  view: SourceView;
  /** The node's tip, as /health last said it. */
  tip?: ChainPoint & { height: number };
  /** The newest block followed, and the ones before it, newest first. */
  trail: (ChainPoint & { height: number })[];
  /** Every block followed, rolled back ones too. */
  blocks: OgmiosBlock[];
  /** When each slot begins; undefined until read, and again when a block fell beyond its eras. */
  clock?: SlotClock;
}

/** pool id -> identity */
export type PoolBook = ReadonlyMap<string, string>;

export const freshCardanoState = (view: SourceView): CardanoSourceState => ({ view, trail: [], blocks: [] });

/** `GET /health` read into the source: its tip, or why it cannot be used. */
export function absorbHealth(s: CardanoSourceState, answer: ApiAnswer | undefined): void {
  if (!answer) {
    s.view.error = 'Ogmios did not answer';
    return;
  }
  if ('error' in answer) {
    s.view.error = `Ogmios: ${answer.error}`;
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    s.view.error = 'Ogmios: /health is not JSON';
    return;
  }
  const health = parseHealth(answer.status, body);
  if ('error' in health) {
    s.view.error = `Ogmios: ${health.error}`;
    return;
  }
  if (!health.connected) {
    s.view.error = 'Ogmios has no connection to its node';
    return;
  }
  if (health.tip === 'origin') {
    s.view.error = 'its node holds no block yet';
    return;
  }
  delete s.view.error;
  s.tip = health.tip;
  // the tip's slot is the source's head; a followed block above it (the tip moved on since) counts
  s.view.head = Math.max(health.tip.slot, s.trail[0]?.slot ?? 0);
  s.view.syncing = health.synchronization !== 1;
  if (health.lastTipUpdate) s.view.headTime = health.lastTipUpdate;
}

/** The stateless queries the slot clock needs, asked beside `GET /health` until it is known. */
export function clockRequests(s: CardanoSourceState, port?: number): ApiRequest[] {
  if (s.clock) return [];
  return [
    ogmiosQuery('startTime', 'queryNetwork/startTime', port),
    ogmiosQuery('eras', 'queryLedgerState/eraSummaries', port),
  ];
}

/** The answers to clockRequests read into the source; a source without them has blocks without times. */
export function absorbClock(s: CardanoSourceState, start: ApiAnswer | undefined, eras: ApiAnswer | undefined): void {
  const body = (a: ApiAnswer | undefined, what: string): unknown => {
    if (!a || 'error' in a) return { error: `${what}: ${a ? a.error : 'no answer'}` };
    try {
      return JSON.parse(a.body);
    } catch {
      return { error: `${what}: not JSON` };
    }
  };
  const startMs = parseStartTime(body(start, 'queryNetwork/startTime'));
  const summaries = parseEraSummaries(body(eras, 'queryLedgerState/eraSummaries'));
  const problem = typeof startMs !== 'number' ? startMs.error : 'error' in summaries ? summaries.error : undefined;
  if (problem || typeof startMs !== 'number' || 'error' in summaries) {
    const note = `no slot times: ${problem}`;
    if (!s.view.notes.includes(note)) s.view.notes.push(note);
    return;
  }
  s.clock = { startMs, eras: summaries };
}

/** The chain-sync conversation this round needs, or none when nothing is new. */
export function syncMessages(s: CardanoSourceState): string[] | undefined {
  if (!s.tip) return undefined;
  const last = s.trail[0];
  if (!last) return chainSyncMessages([{ slot: s.tip.slot, id: s.tip.id }], 1);
  if (s.tip.height <= last.height) return undefined;
  const points = s.trail.map(({ slot, id }) => ({ slot, id }));
  return chainSyncMessages(points, Math.min(BLOCKS_PER_ROUND, s.tip.height - last.height) + 1);
}

/** The conversation's answers read into the source: the blocks followed, a roll back undone. */
export function absorbSync(s: CardanoSourceState, answers: readonly string[], book: PoolBook): void {
  const json = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const [first, ...steps] = answers;
  const found = parseIntersection(json(first ?? ''));
  if ('error' in found) {
    s.view.notes.push(found.error);
    return;
  }
  if (!found.intersection || found.intersection === 'origin') {
    // none of the points is on its chain any more: follow again from its tip
    s.view.notes.push('no intersection with the blocks followed: following again from the tip');
    s.trail = [];
    return;
  }
  for (const text of steps) {
    const step = parseNextBlock(json(text));
    if ('error' in step) {
      s.view.notes.push(step.error);
      return;
    }
    if (step.direction === 'backward') {
      if (step.point === 'origin') {
        s.trail = [];
        return;
      }
      rollBackTo(s, step.point);
      continue;
    }
    const block = step.block;
    const identity = block.issuer ? book.get(block.issuer.poolId) : undefined;
    const began = s.clock ? slotStartMs(s.clock, block.slot) : undefined;
    if (s.clock && began === undefined) delete s.clock; // a slot beyond the eras known: read them again
    s.view.heights.set(block.slot, {
      signed: new Set(identity ? [identity] : []),
      // a block is signed when its slot begins: that is the time its issuer's key was used
      at: new Map(identity && began !== undefined ? [[identity, new Date(began).toISOString()]] : []),
      hash: block.id,
    });
    if (identity && block.issuer) {
      s.view.counters ??= new Map();
      s.view.counters.set(identity, Math.max(s.view.counters.get(identity) ?? 0, block.issuer.opcertCount));
    }
    s.blocks.push(block);
    if (s.blocks.length > BLOCKS_KEPT) s.blocks.splice(0, s.blocks.length - BLOCKS_KEPT);
    s.trail = [{ slot: block.slot, id: block.id, height: block.height }, ...s.trail].slice(0, TRAIL);
    s.view.head = Math.max(s.view.head ?? 0, block.slot);
  }
  for (const e of equivocationsIn(s.blocks)) {
    const identity = book.get(e.poolId);
    if (!identity || s.view.equivocations.some((x) => x.identity === identity && x.height === e.slot)) continue;
    s.view.equivocations.push({
      identity,
      height: e.slot,
      what: `two blocks of its pool at slot ${e.slot} (${e.ids[0].slice(0, 12)}…, ${e.ids[1].slice(0, 12)}…)`,
      sources: [s.view.source],
    });
  }
}

/**
 * A roll back to `point`: the slots above it are no longer on the source's chain, and the source
 * goes on from there. The point is one it followed (the intersection it offered, or an ancestor
 * within its trail), or the tip it started from; any other is a fork deeper than it can tell, and
 * it starts again from the tip.
 */
function rollBackTo(s: CardanoSourceState, point: ChainPoint): void {
  for (const slot of [...s.view.heights.keys()]) if (slot > point.slot) s.view.heights.delete(slot);
  const same = (p: ChainPoint) => p.slot === point.slot && p.id === point.id;
  const at = s.trail.findIndex(same);
  if (at >= 0) s.trail = s.trail.slice(at);
  else if (s.tip && same(s.tip)) s.trail = [s.tip];
  else s.trail = [];
}
