/**
 * The Beacon API as the chain observer reads it (ethereum/beacon-APIs v2.5.0; the shapes in
 * test/fixtures/reference/beacon-apis/): the node's head slot and sync state, the preset (slots per
 * epoch, the slot's length), finality, the identity's validators (status, `slashed`), the attester
 * slashings in the pool, liveness per epoch (`POST /eth/v1/validator/liveness/{epoch}`) and the
 * proposer duties. Every field is checked before it is used; an answer of another shape is an
 * error of that source. Heights here are epochs: liveness is known per epoch. Pure.
 */
import type { ApiRequest } from './http-on-host.js';
import type { Equivocation } from './model.js';
import { isObject, type Parsed } from './json-fields.js';

/** A Uint64 as the Beacon API writes it: a decimal string (stake reads up to 2^53). */
function uint(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}
const dataOf = (v: unknown): unknown => (isObject(v) ? v.data : undefined);

export interface BeaconSync {
  headSlot: number;
  syncing: boolean;
}

export function parseSyncing(answer: unknown): Parsed<BeaconSync> {
  const d = dataOf(answer);
  if (!isObject(d)) return { error: '/eth/v1/node/syncing: no data' };
  const headSlot = uint(d.head_slot);
  if (headSlot === undefined || typeof d.is_syncing !== 'boolean')
    return { error: '/eth/v1/node/syncing: head_slot or is_syncing of another shape' };
  return { headSlot, syncing: d.is_syncing };
}

export interface BeaconPreset {
  slotsPerEpoch: number;
  /** The slot's length, when the node says it (SLOT_DURATION_MS, else SECONDS_PER_SLOT). */
  slotMs?: number;
}

export function parseSpec(answer: unknown): Parsed<BeaconPreset> {
  const d = dataOf(answer);
  if (!isObject(d)) return { error: '/eth/v1/config/spec: no data' };
  const slotsPerEpoch = uint(d.SLOTS_PER_EPOCH);
  if (!slotsPerEpoch) return { error: '/eth/v1/config/spec: no SLOTS_PER_EPOCH' };
  const ms = uint(d.SLOT_DURATION_MS);
  const seconds = uint(d.SECONDS_PER_SLOT);
  const slotMs = ms ?? (seconds !== undefined ? seconds * 1000 : undefined);
  return { slotsPerEpoch, ...(slotMs ? { slotMs } : {}) };
}

export function parseFinalizedEpoch(answer: unknown): Parsed<number> {
  const d = dataOf(answer);
  const epoch = isObject(d) && isObject(d.finalized) ? uint(d.finalized.epoch) : undefined;
  return epoch === undefined ? { error: '/finality_checkpoints: no finalized epoch' } : epoch;
}

export interface BeaconValidatorState {
  index: number;
  status: string;
  slashed: boolean;
}

const STATUSES = [
  'pending_initialized',
  'pending_queued',
  'active_ongoing',
  'active_exiting',
  'active_slashed',
  'exited_unslashed',
  'exited_slashed',
  'withdrawal_possible',
  'withdrawal_done',
];

export function parseValidatorStates(answer: unknown): Parsed<BeaconValidatorState[]> {
  const d = dataOf(answer);
  if (!Array.isArray(d) || d.length > 10_000) return { error: '/states/head/validators: no data list' };
  const out: BeaconValidatorState[] = [];
  for (const v of d) {
    const index = isObject(v) ? uint(v.index) : undefined;
    const validator = isObject(v) && isObject(v.validator) ? v.validator : undefined;
    if (
      index === undefined ||
      !validator ||
      typeof validator.slashed !== 'boolean' ||
      !STATUSES.includes(String(v.status))
    )
      return { error: '/states/head/validators: a validator of another shape' };
    out.push({ index, status: String(v.status), slashed: validator.slashed });
  }
  return out;
}

export function parseLiveness(answer: unknown): Parsed<Map<number, boolean>> {
  const d = dataOf(answer);
  if (!Array.isArray(d) || d.length > 10_000) return { error: '/validator/liveness: no data list' };
  const out = new Map<number, boolean>();
  for (const x of d) {
    const index = isObject(x) ? uint(x.index) : undefined;
    if (index === undefined || typeof x.is_live !== 'boolean')
      return { error: '/validator/liveness: an entry of another shape' };
    out.set(index, x.is_live);
  }
  return out;
}

/** The validators two attestations of a slashing share, and the epoch they were made for. */
export function parseAttesterSlashings(answer: unknown): Parsed<{ indices: number[]; epoch: number }[]> {
  const d = dataOf(answer);
  if (!Array.isArray(d) || d.length > 10_000) return { error: '/pool/attester_slashings: no data list' };
  const out: { indices: number[]; epoch: number }[] = [];
  const indicesOf = (a: unknown): number[] | undefined => {
    if (!isObject(a) || !Array.isArray(a.attesting_indices) || a.attesting_indices.length > 4096) return undefined;
    const xs = a.attesting_indices.map(uint);
    return xs.every((x) => x !== undefined) ? (xs as number[]) : undefined;
  };
  for (const s of d) {
    const one = isObject(s) ? indicesOf(s.attestation_1) : undefined;
    const two = isObject(s) ? indicesOf(s.attestation_2) : undefined;
    const data =
      isObject(s) && isObject(s.attestation_1) && isObject(s.attestation_1.data) ? s.attestation_1.data : undefined;
    const epoch = data && isObject(data.target) ? uint(data.target.epoch) : undefined;
    if (!one || !two || epoch === undefined) return { error: '/pool/attester_slashings: a slashing of another shape' };
    const both = one.filter((i) => two.includes(i));
    out.push({ indices: both, epoch });
  }
  return out;
}

export function parseProposerDuties(answer: unknown): Parsed<{ index: number; slot: number }[]> {
  const d = dataOf(answer);
  if (!Array.isArray(d) || d.length > 10_000) return { error: '/duties/proposer: no data list' };
  const out: { index: number; slot: number }[] = [];
  for (const x of d) {
    const index = isObject(x) ? uint(x.validator_index) : undefined;
    const slot = isObject(x) ? uint(x.slot) : undefined;
    if (index === undefined || slot === undefined) return { error: '/duties/proposer: a duty of another shape' };
    out.push({ index, slot });
  }
  return out;
}

/** Which identity a validator index belongs to. */
export type IndexBook = ReadonlyMap<number, string>;

/** The equivocations of the book's validators in a pool's attester slashings. */
export function equivocationsOf(
  slashings: readonly { indices: number[]; epoch: number }[],
  book: IndexBook,
  source: string,
): Equivocation[] {
  const out: Equivocation[] = [];
  for (const s of slashings)
    for (const i of s.indices) {
      const identity = book.get(i);
      if (identity && !out.some((e) => e.identity === identity && e.height === s.epoch))
        out.push({
          identity,
          height: s.epoch,
          what: `attester slashing of validator ${i} in the pool`,
          sources: [source],
        });
    }
  return out;
}

/** The requests of one round: the node's head, finality, the validators, the pool, and liveness per epoch. */
export function beaconRequests(
  port: number,
  indices: readonly number[],
  epochs: readonly number[],
  withSpec: boolean,
): ApiRequest[] {
  const ids = indices.join(',');
  return [
    { tag: 'syncing', port, method: 'GET', path: '/eth/v1/node/syncing' },
    ...(withSpec ? [{ tag: 'spec', port, method: 'GET' as const, path: '/eth/v1/config/spec' }] : []),
    { tag: 'finality', port, method: 'GET', path: '/eth/v1/beacon/states/head/finality_checkpoints' },
    ...(ids
      ? [{ tag: 'validators', port, method: 'GET' as const, path: `/eth/v1/beacon/states/head/validators?id=${ids}` }]
      : []),
    { tag: 'slashings', port, method: 'GET', path: '/eth/v1/beacon/pool/attester_slashings' },
    ...(ids
      ? epochs.map((e): ApiRequest => ({
          tag: `liveness/${e}`,
          port,
          method: 'POST',
          path: `/eth/v1/validator/liveness/${e}`,
          body: JSON.stringify(indices.map(String)),
        }))
      : []),
  ];
}
