/**
 * One beacon node as a source over a command's rounds: its head epoch, finality, the identity's
 * validators (slashed or not), the attester and proposer slashings in its pools, the slashings
 * included in each block since it was last read, and liveness for each epoch from where it was
 * last read to the current one (the current one is read again next round: its attestations are
 * still coming in). Pure: the answers come in, the source's view changes.
 */
import {
  equivocationsOf,
  parseAttesterSlashings,
  parseBlockSlashings,
  parseProposerSlashings,
  parseFinalizedEpoch,
  parseLiveness,
  parseSpec,
  parseSyncing,
  parseValidatorStates,
  type BeaconPreset,
  type IndexBook,
} from './beacon.js';
import { jsonOf, type ApiAnswer } from './http-on-host.js';
import type { HeightRecord } from './model.js';
import type { SourceState } from './cometbft-source.js';

export interface BeaconSourceState extends SourceState {
  preset?: BeaconPreset;
  /** The next slot whose block to read; set by the first round, from its head. */
  nextSlot?: number;
}

/** How many slots back from the head the first round reads blocks: a slashing included lately. */
export const BLOCK_LOOKBACK_SLOTS = 8;

export interface BeaconReading {
  book: IndexBook;
  /** How many epochs back the first round reads. */
  window: number;
}

const parsed = <T>(answer: ApiAnswer | undefined, parse: (v: unknown) => T | { error: string }) => {
  const json = jsonOf(answer);
  return 'error' in json ? json : parse(json.value);
};
const failed = <T>(v: T | { error: string }): v is { error: string } =>
  typeof v === 'object' && v !== null && 'error' in v && Object.keys(v).length === 1;

export function absorbBeacon(s: BeaconSourceState, answers: ReadonlyMap<string, ApiAnswer>, how: BeaconReading): void {
  const sync = parsed(answers.get('syncing'), parseSyncing);
  if (failed(sync)) {
    s.view.error = `its Beacon API: ${sync.error}`;
    return;
  }
  if (answers.has('spec')) {
    const preset = parsed(answers.get('spec'), parseSpec);
    if (!failed(preset)) s.preset = preset;
  }
  if (!s.preset) {
    s.view.error = 'its Beacon API: no preset (/eth/v1/config/spec) yet';
    return;
  }
  delete s.view.error;
  const { slotsPerEpoch, slotMs } = s.preset;
  const epoch = Math.floor(sync.headSlot / slotsPerEpoch);
  s.view.head = epoch;
  s.view.syncing = sync.syncing;
  if (slotMs) s.view.paceMs = slotMs * slotsPerEpoch;
  const finalized = parsed(answers.get('finality'), parseFinalizedEpoch);
  if (!failed(finalized)) s.view.finalized = finalized;
  if (answers.has('validators')) {
    const states = parsed(answers.get('validators'), parseValidatorStates);
    if (failed(states)) s.view.notes.push(states.error);
    else {
      const flags = new Map<string, string>();
      for (const v of states) {
        const identity = how.book.get(v.index);
        if (identity && v.slashed) flags.set(identity, `slashed (validator ${v.index}: ${v.status})`);
      }
      s.view.flags = flags;
    }
  }
  const seen = (attester: Parameters<typeof equivocationsOf>[0], place: Parameters<typeof equivocationsOf>[1]) => {
    for (const e of equivocationsOf(attester, place, how.book, s.view.source, slotsPerEpoch))
      if (!s.view.equivocations.some((x) => x.identity === e.identity && x.height === e.height))
        s.view.equivocations.push(e);
  };
  const pool = parsed(answers.get('slashings'), parseAttesterSlashings);
  if (failed(pool)) s.view.notes.push(pool.error);
  else seen({ attester: pool }, { pool: true });
  if (answers.has('proposer-slashings')) {
    const proposers = parsed(answers.get('proposer-slashings'), parseProposerSlashings);
    if (failed(proposers)) s.view.notes.push(proposers.error);
    else seen({ proposer: proposers }, { pool: true });
  }
  absorbBlocks(s, answers, sync.headSlot, seen);
  // from epoch 1: the genesis epoch has no attestations to be live by
  s.next ??= Math.max(1, epoch - how.window + 1);
  let read = s.next - 1;
  for (let e = s.next; answers.has(`liveness/${e}`); e++) {
    const live = parsed(answers.get(`liveness/${e}`), parseLiveness);
    if (failed(live)) {
      if (e <= epoch) s.view.notes.push(`liveness of epoch ${e}: ${live.error}`);
      break;
    }
    // the API gives no time: a signature's time is when this source first showed it live
    const before = s.view.heights.get(e);
    const record: HeightRecord = { signed: new Set(), at: new Map() };
    for (const [index, isLive] of live) {
      const identity = how.book.get(index);
      if (!identity || !isLive) continue;
      record.signed.add(identity);
      record.at.set(identity, before?.at.get(identity) ?? new Date().toISOString());
    }
    s.view.heights.set(e, record);
    read = e;
  }
  // the current epoch again next round: liveness there is still being seen
  s.next = Math.max(s.next, Math.min(read + 1, epoch));
  if (s.next < epoch - how.window) s.next = epoch - how.window + 1;
}

/**
 * The blocks asked this round, from the source's next slot on: each one's slashings. A slot at
 * or below the head without a block (404) was missed by its proposer and is passed; one above the
 * head is asked again next round; any other error stops the reading there, noted.
 */
function absorbBlocks(
  s: BeaconSourceState,
  answers: ReadonlyMap<string, ApiAnswer>,
  headSlot: number,
  seen: (found: Parameters<typeof equivocationsOf>[0], place: Parameters<typeof equivocationsOf>[1]) => void,
): void {
  s.nextSlot ??= Math.max(1, headSlot - BLOCK_LOOKBACK_SLOTS + 1);
  for (let slot = s.nextSlot; answers.has(`block/${slot}`); slot++) {
    const answer = answers.get(`block/${slot}`)!;
    if ('status' in answer && answer.status === 404) {
      if (slot > headSlot) break;
      s.nextSlot = slot + 1;
      continue;
    }
    const block = parsed(answer, parseBlockSlashings);
    if (failed(block)) {
      s.view.notes.push(`the block at slot ${slot}: ${block.error}`);
      break;
    }
    if (block.slot !== slot) {
      s.view.notes.push(`the block asked for slot ${slot} says slot ${block.slot}`);
      break;
    }
    seen(block, { block: slot });
    s.nextSlot = slot + 1;
  }
}
