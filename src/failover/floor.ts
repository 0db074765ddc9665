/**
 * The slashing floor step 4 carries, per family, as the MAXIMUM of everything known: the old
 * host's state, the target's own, the witness's copy, what an earlier attempt of the same
 * failover carried (the journal), and what the chain showed signed. Nothing here ever yields a
 * watermark below any one of them; an old host that is reachable but whose state cannot be read
 * refuses, unless the chain's evidence alone is above everything else. Pure.
 */
import { parseOpcert } from '../chain/cardano-opcert.js';
import { compareHRS, parseSignState, STEP, type SignState } from '../chain/cometbft-sign-state.js';

/** The floor as the journal keeps it (height as a decimal string: int64). */
export type CarryFloor = { height: string; round: number; step: number } | { counter: number };

/** One state file as read off a host: its text, or undefined when the host does not have it. */
export interface StateSource {
  /** "val-fra's /var/lib/cometbft/data/priv_validator_state.json": names the file and the host. */
  what: string;
  text: string | undefined;
}

export interface FloorInput {
  /** Undefined when the old host is dead (unreachable and approved as such). */
  old?: StateSource;
  target: StateSource;
  witness?: StateSource;
  /** The highest height the chain showed the identity signing (the fence step, the observer now). */
  chainSigned?: number;
  /** A dead old host may have signed up to the head. */
  chainHead?: number;
  journal?: CarryFloor;
}

export type FloorVerdict<T> =
  | { ok: true; floor: T; /** What stood where, for the summary. */ seen: string[]; notes: string[] }
  | { ok: false; why: string; hint: string };

type Read<T> = { state: T } | { problem: string } | undefined;

/** Reads one file with the family's parser: missing (undefined), empty, or malformed are told apart. */
function read<T>(source: StateSource | undefined, parse: (text: string) => T): Read<T> {
  if (!source || source.text === undefined) return undefined;
  if (source.text.trim() === '') return { problem: `${source.what} is empty` };
  try {
    return { state: parse(source.text) };
  } catch (err) {
    return { problem: `${source.what} cannot be read (${(err as Error).message})` };
  }
}

const fmt = (s: Pick<SignState, 'height' | 'round' | 'step'>) => `${s.height}/${s.round}/${s.step}`;
/** What the chain proves: a signature at this height, in some round: everything up to its precommit is taken. */
/**
 * A height the chain shows signed (or in progress at its head) stands for every round of it: the
 * chain's word names the height, not the round (a failed round moves a validator to round 1, 2,
 * ... at the same height), so the floor covers the whole height and the target signs from the
 * next one. Round 0 here would let the target sign a higher round the old host had signed too.
 */
export const MAX_ROUND = 2147483647; // CometBFT's round is an int32
const signedAt = (height: number): SignState => ({ height: BigInt(height), round: MAX_ROUND, step: STEP.precommit });
const highest = <T extends { state: SignState }>(states: T[]) =>
  states.reduce<T | undefined>((best, s) => (!best || compareHRS(s.state, best.state) > 0 ? s : best), undefined);

/** cometbft: the highest height/round/step of every source (the first of equals, so the old host's signature stays). */
export function cometbftFloor(input: FloorInput): FloorVerdict<SignState> {
  const notes: string[] = [];
  const old = read(input.old, parseSignState);
  const target = read(input.target, parseSignState);
  const witness = read(input.witness, parseSignState);
  if (target && 'problem' in target)
    return {
      ok: false,
      why: `${target.problem}: the target's own watermark is unknown`,
      hint: 'repair the file from a backup (or remove it if this host never signed), then plan again; never start a signer from a guessed watermark',
    };
  if (witness && 'problem' in witness) notes.push(`${witness.problem}: not counted, replaced`);
  const known: { what: string; state: SignState }[] = [];
  if (old && 'state' in old) known.push({ what: input.old!.what, state: old.state });
  if (target) known.push({ what: 'the target', state: target.state });
  if (witness && 'state' in witness) known.push({ what: 'the witness copy', state: witness.state });
  if (input.journal && 'height' in input.journal)
    known.push({
      what: 'an earlier attempt (journal)',
      state: { height: BigInt(input.journal.height), round: input.journal.round, step: input.journal.step },
    });
  const chain: { what: string; state: SignState }[] = [];
  if (input.chainSigned !== undefined && input.chainSigned > 0)
    chain.push({
      what: `the chain's last signature (height ${input.chainSigned}, every round)`,
      state: signedAt(input.chainSigned),
    });
  if (!input.old && input.chainHead !== undefined)
    chain.push({ what: `the chain head (${input.chainHead}, every round)`, state: signedAt(input.chainHead) });

  if (input.old && (!old || 'problem' in old)) {
    // A reachable old host whose watermark is unknown: only the chain can stand in for it, and only from above.
    const problem = old ? old.problem : `${input.old.what} is missing`;
    const fromChain = highest(chain);
    const rest = highest(known);
    // above by height: the whole-height round of a chain reading must not make an equal height look newer
    if (!fromChain || (rest && fromChain.state.height <= rest.state.height))
      return {
        ok: false,
        why: `${problem}: the watermark the old host reached is unknown${fromChain ? `, and the chain shows nothing above ${fmt(rest!.state)}` : ''}`,
        hint: 'restore the file on the old host from a backup (never a guessed watermark), then plan again; the failover was rolled back',
      };
    notes.push(`${problem}: ${fromChain.what} is above everything else known and sets the floor`);
  }
  if (!input.old && !known.some((k) => k.what === 'the witness copy') && input.chainHead === undefined)
    return {
      ok: false,
      why: 'the witness holds no copy of the priv_validator_state.json, and the chain head is unknown, so the watermark the dead host reached is unknown',
      hint: "recover the file from the dead host's disk, or run stake status while the active host is up so the witness keeps a copy",
    };
  const all = [...known, ...chain];
  const best = highest(all) ?? { what: 'nothing', state: { height: 0n, round: 0, step: STEP.none } };
  return { ok: true, floor: best.state, seen: all.map((s) => `${s.what} ${fmt(s.state)}`), notes };
}

/** cardano: the target's certificate counter, refused below the old host's, the witness copy's or the journal's. */
export function opcertFloor(input: FloorInput): FloorVerdict<{ counter: number; kesPeriod: number }> {
  const notes: string[] = [];
  const target = read(input.target, parseOpcert);
  if (!target)
    return {
      ok: false,
      why: `${input.target.what} is missing`,
      hint: 'push the keys to it: stake keys push IDENTITY --dir EXPORT',
    };
  if ('problem' in target)
    return { ok: false, why: target.problem, hint: 'push a valid node.cert with stake keys push' };
  const old = read(input.old, parseOpcert);
  if (input.old && (!old || 'problem' in old))
    return {
      ok: false,
      why: `${old ? old.problem : `${input.old.what} is missing`}: the counter the old host forged with is unknown`,
      hint: 'restore the sealed node.cert on the old host (it is the one it forged with), then plan again; the failover was rolled back',
    };
  const witness = read(input.witness, parseOpcert);
  if (witness && 'problem' in witness) notes.push(`${witness.problem}: not counted, replaced`);
  const known: { what: string; counter: number }[] = [];
  if (old && 'state' in old) known.push({ what: input.old!.what, counter: old.state.counter });
  if (witness && 'state' in witness) known.push({ what: 'the witness copy', counter: witness.state.counter });
  if (input.journal && 'counter' in input.journal)
    known.push({ what: 'an earlier attempt (journal)', counter: input.journal.counter });
  const above = known.filter((k) => k.counter > target.state.counter);
  if (above.length)
    return {
      ok: false,
      why: `the target's operational certificate has issue counter ${target.state.counter}, below ${above.map((k) => `the ${k.counter} of ${k.what}`).join(' and ')}: the chain would reject its blocks`,
      hint: `issue a new operational certificate with counter ${Math.max(...above.map((k) => k.counter))} or more (offline, with the cold key), push it with stake keys push, and plan again`,
    };
  return { ok: true, floor: target.state, seen: known.map((k) => `${k.what} ${k.counter}`), notes };
}

export const journalFloor = (f: SignState | { counter: number }): CarryFloor =>
  'counter' in f ? { counter: f.counter } : { height: f.height.toString(), round: f.round, step: f.step };
