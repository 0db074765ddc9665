/**
 * The signing watermarks of the cosmos remote signers, read and written in their own formats and
 * judged by their own rules, in CometBFT's terms (./cometbft-sign-state.ts) so a failover can
 * compare them with the chain and with CometBFT's own file. Pure.
 *
 * - tmkms v0.15.0 (docs/reference/tmkms.md §3): `{"height":"H","round":"R","step":S,"block_id":…}`.
 *   Height and round are JSON strings, step is a number, and tmkms numbers the steps from 0
 *   (Proposal 0, Prevote 1, Precommit 2; src/privval.rs), one below CometBFT's. A missing file is
 *   created at height 0 at start (src/chain/state.rs), so a tmkms that lost its file signs
 *   anything: stake must never start one below the chain.
 * - horcrux v3.3.2 (docs/reference/horcrux.md §4): the same strings, CometBFT's own steps
 *   (1/2/3), in `<home>/state/{chain-id}_priv_validator_state.json` (the cluster's) and
 *   `_share_sign_state.json` (the cosigner's share).
 */
import { compareHRS, STEP, type SignState } from './cometbft-sign-state.js';

export class RemoteStateError extends Error {}

const INT64_MAX = 9223372036854775807n;

function fields(text: string, file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RemoteStateError(`${file} is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RemoteStateError(`${file} is not a JSON object`);
  return raw as Record<string, unknown>;
}

/** Height and round as both signers read them: decimal JSON strings only (a number is refused). */
function heightRound(o: Record<string, unknown>, file: string): { height: bigint; round: number } {
  for (const k of ['height', 'round'] as const)
    if (typeof o[k] !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(o[k] as string))
      throw new RemoteStateError(
        `${file}: ${k} must be a decimal string (written as a JSON string), not ${JSON.stringify(o[k])}`,
      );
  const height = BigInt(o.height as string);
  if (height > INT64_MAX) throw new RemoteStateError(`${file}: height ${String(o.height)} does not fit in int64`);
  const round = Number(o.round);
  if (round > 2147483647) throw new RemoteStateError(`${file}: round ${String(o.round)} does not fit in int32`);
  return { height, round };
}

/** A tmkms watermark: CometBFT's numbering, and the block it signed at it (none for nil or nothing). */
export type TmkmsState = SignState & { blockId?: string };

/** tmkms's state file, with its step in CometBFT's numbering. */
export function parseTmkmsState(text: string, file = 'the tmkms state file'): TmkmsState {
  const o = fields(text, file);
  const { height, round } = heightRound(o, file);
  if (!Number.isInteger(o.step) || (o.step as number) < 0 || (o.step as number) > 2)
    throw new RemoteStateError(
      `${file}: step must be 0 to 2 (tmkms: proposal, prevote, precommit), not ${JSON.stringify(o.step)}`,
    );
  // serde: block_id has no default, so a file without it does not load (null or an object does)
  if (!('block_id' in o)) throw new RemoteStateError(`${file}: missing field \`block_id\``);
  const block = o.block_id as { hash?: unknown } | null;
  const blockId = block && typeof block.hash === 'string' && block.hash !== '' ? block.hash : undefined;
  // tmkms's fresh file is height 0, step 0 (its Proposal): nothing signed, whatever the step says
  return {
    height,
    round,
    step: height === 0n && round === 0 ? STEP.none : (o.step as number) + 1,
    ...(blockId ? { blockId } : {}),
  };
}

/**
 * tmkms's state file at a watermark (a failover's carry). block_id is none: at the carried
 * height/round/step tmkms then refuses any vote for a block (same step, block ids differ: its
 * double-sign check) and signs only above it.
 */
export function serializeTmkmsState(state: Pick<TmkmsState, 'height' | 'round' | 'step' | 'blockId'>): string {
  const step = Math.max(0, state.step - 1);
  return `${JSON.stringify({
    height: state.height.toString(),
    round: String(state.round),
    step,
    block_id: state.blockId
      ? { hash: state.blockId, parts: { total: 1, hash: state.blockId } }
      : { hash: '', parts: { total: 0, hash: '' } },
  })}\n`;
}

/** A horcrux state file (either of the two), in CometBFT's numbering (which horcrux uses too). */
export function parseHorcruxState(text: string, file = 'the horcrux state file'): SignState {
  const o = fields(text, file);
  const { height, round } = heightRound(o, file);
  if (!Number.isInteger(o.step) || (o.step as number) < 0 || (o.step as number) > 3)
    throw new RemoteStateError(
      `${file}: step must be 0 to 3 (none, proposal, prevote, precommit), not ${JSON.stringify(o.step)}`,
    );
  return { height, round, step: o.step as number };
}

/**
 * What CometBFT's priv_validator_state.json looks like to `horcrux state import`, the tool a
 * failover carries a watermark in with (it refuses to move backwards: "regression not allowed").
 * It reads the round as a number, as CometBFT writes it, then a blank line ends the input.
 */
export function horcruxImportInput(state: Pick<SignState, 'height' | 'round' | 'step'>): string {
  return `${JSON.stringify({ height: state.height.toString(), round: state.round, step: state.step })}\n\n`;
}

export type RemoteVerdict = { ok: true } | { ok: false; why: string; endsSession: boolean };

/**
 * tmkms's check of a vote or proposal at height/round/step (CometBFT numbering) against its
 * state (src/chain/state.rs): a regression ends the session with the validator (it redials); a
 * different block at the same height/round/step is refused and the session goes on. Its words.
 */
export function tmkmsCheck(
  state: TmkmsState,
  request: { height: bigint; round: number; step: number; blockId?: string },
): RemoteVerdict {
  const { height, round } = request;
  const tm = (s: number) => Math.max(0, s - 1);
  if (height < state.height)
    return {
      ok: false,
      endsSession: true,
      why: `attempted double sign: height regression: last height:${state.height} new height:${height}`,
    };
  if (height === state.height && round < state.round)
    return {
      ok: false,
      endsSession: true,
      why: `attempted double sign: round regression: round regression at height:${height} last round:${state.round} new round:${round}`,
    };
  if (height === state.height && round === state.round && request.step < state.step)
    return {
      ok: false,
      endsSession: true,
      why: `attempted double sign: step regression: round regression at height:${height} round:${round} last step:${tm(state.step)} new step:${tm(request.step)}`,
    };
  // the same height and round for another block: refused at the same step whatever the ids, and
  // at a later step when both name a block (a prevote for one block, a precommit for another;
  // src/chain/state.rs: block_id differs and (both Some, or same step))
  const sameStep = compareHRS(state, request) === 0;
  const bothBlocks = state.blockId !== undefined && request.blockId !== undefined;
  if (height === state.height && round === state.round && state.blockId !== request.blockId && (sameStep || bothBlocks))
    return {
      ok: false,
      endsSession: false,
      why: `double sign detected: Attempting to sign a second proposal at height:${height} round:${round} step:${tm(request.step)} old block id:${state.blockId ?? '<nil>'} new block ${request.blockId ?? '<nil>'}`,
    };
  return { ok: true };
}

/**
 * horcrux's check of a share signature against a cosigner's share state (signer/sign_state.go):
 * any regression is refused, and the same height/round/step may only be signed again for the
 * same bytes. Its words.
 */
export function horcruxCheck(
  state: SignState,
  request: { height: bigint; round: number; step: number; signbytes?: string },
): RemoteVerdict {
  const { height, round, step } = request;
  if (height < state.height)
    return { ok: false, endsSession: false, why: `height regression. Got ${height}, last height ${state.height}` };
  if (height === state.height && round < state.round)
    return {
      ok: false,
      endsSession: false,
      why: `round regression at height ${height}. Got ${round}, last round ${state.round}`,
    };
  if (height === state.height && round === state.round && step < state.step)
    return {
      ok: false,
      endsSession: false,
      why: `step regression at height ${height}, round ${round}. Got ${step}, last step ${state.step}`,
    };
  if (compareHRS(state, request) === 0) {
    if (!state.signbytes) return { ok: false, endsSession: false, why: 'no SignBytes found' };
    if (state.signbytes !== request.signbytes)
      return {
        ok: false,
        endsSession: false,
        why: `conflicting data. existing: ${state.signbytes} - new: ${request.signbytes ?? ''}`,
      };
  }
  return { ok: true };
}
