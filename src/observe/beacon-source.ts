/**
 * One beacon node as a source over a command's rounds: its head epoch, finality, the identity's
 * validators (slashed or not), the attester slashings in its pool, and liveness for each epoch
 * from where it was last read to the current one (the current one is read again next round: its
 * attestations are still coming in). Pure: the answers come in, the source's view changes.
 */
import {
  equivocationsOf,
  parseAttesterSlashings,
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
}

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
  const pool = parsed(answers.get('slashings'), parseAttesterSlashings);
  if (failed(pool)) s.view.notes.push(pool.error);
  else
    for (const e of equivocationsOf(pool, how.book, s.view.source))
      if (!s.view.equivocations.some((x) => x.identity === e.identity && x.height === e.height))
        s.view.equivocations.push(e);
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
