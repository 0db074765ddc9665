/**
 * CometBFT's file signer watermark, `priv_validator_state.json` (privval/file.go,
 * FilePVLastSignState): the last height/round/step signed. A signer may only sign above it, and
 * must write it before signing; failover carries it to the new host, taking the higher of two.
 * The lab's simulated signer and failover's slashing-protection step both build on this. Pure.
 */

export const STEP = { none: 0, propose: 1, prevote: 2, precommit: 3 } as const;

export interface SignState {
  /** int64 in CometBFT; kept as bigint, written as a JSON string as CometBFT does. */
  height: bigint;
  round: number;
  step: number;
  /** base64, present once something was signed. */
  signature?: string;
  /** hex, present once something was signed. */
  signbytes?: string;
}

export class SignStateError extends Error {}

/** Reads the file's text; every malformed field is an error naming it (never a silent zero: a zero watermark signs anything). */
export function parseSignState(text: string): SignState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SignStateError(`priv_validator_state.json is not JSON: ${(err as Error).message}`);
  }
  const o = raw as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) throw new SignStateError('priv_validator_state.json is not a JSON object');
  if (typeof o.height !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(o.height))
    throw new SignStateError(
      `height must be a decimal string (CometBFT writes int64 as a string), not ${JSON.stringify(o.height)}`,
    );
  const height = BigInt(o.height);
  if (height > 9223372036854775807n) throw new SignStateError(`height ${o.height} does not fit in int64`);
  if (!Number.isInteger(o.round) || (o.round as number) < 0 || (o.round as number) > 2147483647)
    throw new SignStateError(`round must be a non-negative int32, not ${JSON.stringify(o.round)}`);
  if (!Number.isInteger(o.step) || (o.step as number) < 0 || (o.step as number) > 3)
    throw new SignStateError(`step must be 0 to 3 (none, propose, prevote, precommit), not ${JSON.stringify(o.step)}`);
  const state: SignState = { height, round: o.round as number, step: o.step as number };
  if (o.signature !== undefined) {
    if (typeof o.signature !== 'string') throw new SignStateError('signature must be a base64 string');
    state.signature = o.signature;
  }
  if (o.signbytes !== undefined) {
    if (typeof o.signbytes !== 'string' || !/^[0-9A-Fa-f]*$/.test(o.signbytes))
      throw new SignStateError('signbytes must be a hex string');
    state.signbytes = o.signbytes;
  }
  return state;
}

export function serializeSignState(state: SignState): string {
  const out: Record<string, unknown> = { height: state.height.toString(), round: state.round, step: state.step };
  if (state.signature !== undefined) out.signature = state.signature;
  if (state.signbytes !== undefined) out.signbytes = state.signbytes;
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** -1, 0 or 1 as a's height/round/step is below, equal to or above b's. */
export function compareHRS(
  a: Pick<SignState, 'height' | 'round' | 'step'>,
  b: Pick<SignState, 'height' | 'round' | 'step'>,
): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  if (a.round !== b.round) return a.round < b.round ? -1 : 1;
  if (a.step !== b.step) return a.step < b.step ? -1 : 1;
  return 0;
}

export type SignVerdict = { ok: true; reuse: boolean } | { ok: false; why: string };

/**
 * CometBFT's CheckHRS: a regression of height, of round at one height, or of step at one
 * height and round is refused. The same H/R/S may only return the stored signature, and only
 * when signbytes are stored (the caller must then compare the bytes; a different vote at the
 * same H/R/S is a double sign).
 */
export function checkHRS(state: SignState, height: bigint, round: number, step: number): SignVerdict {
  if (height < state.height) return { ok: false, why: `height regression: got ${height}, last signed ${state.height}` };
  if (height === state.height) {
    if (round < state.round)
      return { ok: false, why: `round regression at height ${height}: got ${round}, last signed ${state.round}` };
    if (round === state.round) {
      if (step < state.step)
        return {
          ok: false,
          why: `step regression at height ${height} round ${round}: got ${step}, last signed ${state.step}`,
        };
      if (step === state.step) {
        return state.signbytes ? { ok: true, reuse: true } : { ok: false, why: 'no SignBytes found' };
      }
    }
  }
  return { ok: true, reuse: false };
}

/**
 * The watermark a failover target must start from: the higher of the two (old host's and
 * target's), so the new signer can never sign anything at or below what either signed.
 * The stored signature goes with the state it belongs to.
 */
export function mergeSignStates(a: SignState, b: SignState): SignState {
  return compareHRS(a, b) >= 0 ? { ...a } : { ...b };
}
