/**
 * The Beacon API as the chain observer reads it (ethereum/beacon-APIs v2.5.0; the shapes in
 * test/fixtures/reference/beacon-apis/): the node's head slot and sync state, the preset (slots per
 * epoch, the slot's length), finality, the identity's validators (status, `slashed`), the attester
 * and proposer slashings in the pool, the slashings included in each block (the blinded block:
 * its body without the execution payload's transactions), liveness per epoch
 * (`POST /eth/v1/validator/liveness/{epoch}`) and the proposer duties. Every field is checked before it is used; an answer of another shape is an
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

/** An attester slashing as stake reads it: the validators both attestations hold, and their target epoch. */
export interface AttesterSlashing {
  indices: number[];
  epoch: number;
}

/** A proposer slashing: the validator that signed two headers for one slot. */
export interface ProposerSlashing {
  index: number;
  slot: number;
}

/** The attester slashings of a list (a pool's data, a block body's), or why it is not one. */
function attesterSlashingsIn(list: unknown, where: string): Parsed<AttesterSlashing[]> {
  if (!Array.isArray(list) || list.length > 10_000) return { error: `${where}: no list of attester slashings` };
  const out: AttesterSlashing[] = [];
  const indicesOf = (a: unknown): number[] | undefined => {
    // Electra lets one attestation hold a whole committee set: up to 2048 validators a committee, 64 committees
    if (!isObject(a) || !Array.isArray(a.attesting_indices) || a.attesting_indices.length > 131_072) return undefined;
    const xs = a.attesting_indices.map(uint);
    return xs.every((x) => x !== undefined) ? (xs as number[]) : undefined;
  };
  for (const s of list) {
    const one = isObject(s) ? indicesOf(s.attestation_1) : undefined;
    const two = isObject(s) ? indicesOf(s.attestation_2) : undefined;
    const data =
      isObject(s) && isObject(s.attestation_1) && isObject(s.attestation_1.data) ? s.attestation_1.data : undefined;
    const epoch = data && isObject(data.target) ? uint(data.target.epoch) : undefined;
    if (!one || !two || epoch === undefined) return { error: `${where}: an attester slashing of another shape` };
    const second = new Set(two);
    out.push({ indices: one.filter((i) => second.has(i)), epoch });
  }
  return out;
}

/** The proposer slashings of a list, or why it is not one. */
function proposerSlashingsIn(list: unknown, where: string): Parsed<ProposerSlashing[]> {
  if (!Array.isArray(list) || list.length > 10_000) return { error: `${where}: no list of proposer slashings` };
  const out: ProposerSlashing[] = [];
  const headerOf = (h: unknown) => {
    const m = isObject(h) && isObject(h.message) ? h.message : undefined;
    const index = m ? uint(m.proposer_index) : undefined;
    const slot = m ? uint(m.slot) : undefined;
    return index === undefined || slot === undefined ? undefined : { index, slot };
  };
  for (const s of list) {
    const one = isObject(s) ? headerOf(s.signed_header_1) : undefined;
    const two = isObject(s) ? headerOf(s.signed_header_2) : undefined;
    // the spec's own condition for a proposer slashing: one proposer, one slot, two headers
    if (!one || !two || one.index !== two.index || one.slot !== two.slot)
      return { error: `${where}: a proposer slashing of another shape` };
    out.push(one);
  }
  return out;
}

export function parseAttesterSlashings(answer: unknown): Parsed<AttesterSlashing[]> {
  return attesterSlashingsIn(dataOf(answer), '/pool/attester_slashings');
}

export function parseProposerSlashings(answer: unknown): Parsed<ProposerSlashing[]> {
  return proposerSlashingsIn(dataOf(answer), '/pool/proposer_slashings');
}

/** What a block includes that stake watches: its slot, and the slashings in its body. */
export interface BlockSlashings {
  slot: number;
  attester: AttesterSlashing[];
  proposer: ProposerSlashing[];
}

/** A block (`/eth/v1/beacon/blinded_blocks/{slot}`, any fork's shape: the fields read are in all). */
export function parseBlockSlashings(answer: unknown): Parsed<BlockSlashings> {
  const d = dataOf(answer);
  const message = isObject(d) && isObject(d.message) ? d.message : undefined;
  const slot = message ? uint(message.slot) : undefined;
  const body = message && isObject(message.body) ? message.body : undefined;
  if (slot === undefined || !body) return { error: '/blinded_blocks: a block of another shape' };
  const where = `/blinded_blocks/${slot}`;
  const attester = attesterSlashingsIn(body.attester_slashings, where);
  if ('error' in attester) return attester;
  const proposer = proposerSlashingsIn(body.proposer_slashings, where);
  if ('error' in proposer) return proposer;
  return { slot, attester, proposer };
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

/** Where a slashing was seen: in the pool (pending), or in the block that included it. */
export type SlashingPlace = { pool: true } | { block: number };

const placeText = (place: SlashingPlace) => ('pool' in place ? 'in the pool' : `in the block at slot ${place.block}`);

/**
 * The equivocations of the book's validators in slashings. Heights here are epochs: an attester
 * slashing's target epoch, a proposer slashing's slot's epoch.
 */
export function equivocationsOf(
  slashings: { attester?: readonly AttesterSlashing[]; proposer?: readonly ProposerSlashing[] },
  place: SlashingPlace,
  book: IndexBook,
  source: string,
  slotsPerEpoch: number,
): Equivocation[] {
  const out: Equivocation[] = [];
  const add = (index: number, height: number, what: string) => {
    const identity = book.get(index);
    if (identity && !out.some((e) => e.identity === identity && e.height === height))
      out.push({ identity, height, what, sources: [source] });
  };
  for (const s of slashings.attester ?? [])
    for (const i of s.indices) add(i, s.epoch, `attester slashing of validator ${i} ${placeText(place)}`);
  for (const s of slashings.proposer ?? [])
    add(
      s.index,
      Math.floor(s.slot / slotsPerEpoch),
      `proposer slashing of validator ${s.index} (two blocks for slot ${s.slot}) ${placeText(place)}`,
    );
  return out;
}

/**
 * The requests of one round: the node's head, finality, the validators, the pools, liveness per
 * epoch, and the blocks at these slots. Blinded blocks: the body's slashings without the execution
 * payload's transactions, which can make a full block megabytes of JSON.
 */
export function beaconRequests(
  port: number,
  indices: readonly number[],
  epochs: readonly number[],
  withSpec: boolean,
  slots: readonly number[] = [],
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
    { tag: 'proposer-slashings', port, method: 'GET', path: '/eth/v1/beacon/pool/proposer_slashings' },
    ...(ids
      ? epochs.map((e): ApiRequest => ({
          tag: `liveness/${e}`,
          port,
          method: 'POST',
          path: `/eth/v1/validator/liveness/${e}`,
          body: JSON.stringify(indices.map(String)),
        }))
      : []),
    ...slots.map((slot): ApiRequest => ({
      tag: `block/${slot}`,
      port,
      method: 'GET',
      path: `/eth/v1/beacon/blinded_blocks/${slot}`,
    })),
  ];
}
