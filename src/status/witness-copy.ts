/**
 * The witness's copy of an identity's signing state, which `stake failover --old-host-dead`
 * carries when the old host cannot be read (the failover protocol (docs/failover.md)). Each `stake status`
 * refreshes it from the live active host. A copy only ever moves forward: a lower watermark
 * (an active host restored from an old backup) never replaces a higher one, because the copy
 * is what stops the next host from signing those heights again. Pure.
 */
import { compareHRS, parseSignState } from '../chain/cometbft-sign-state.js';
import { parseOpcert } from '../chain/cardano-opcert.js';
import type { Family } from '../inventory/clients.js';
import { COMETBFT_SIGN_STATE, validatorKeyFiles } from '../keys/layout.js';
import { stateFiles } from '../failover/protection.js';

/** Where the live active host keeps the state to copy (relative to its root). */
export function activeStateFile(family: Family): string | undefined {
  if (family === 'cosmos') return COMETBFT_SIGN_STATE;
  if (family === 'cardano') return validatorKeyFiles('cardano').find((k) => k.name === 'node.cert')!.path;
  return undefined; // ethereum: slashing protection lives with the signers
}

export type CopyDecision = { write: true; path: string; content: string; why: string } | { write: false; why: string };

/** The watermark a state file stands for: cometbft's height/round/step, or the certificate's issue counter. */
function mark(
  family: Family,
  text: string,
): { show: string; value: string; rank: (other: string) => number } | undefined {
  try {
    if (family === 'cosmos') {
      const s = parseSignState(text);
      return {
        show: `height ${s.height}`,
        value: `${s.height}/${s.round}/${s.step}`,
        rank: (other) => compareHRS(s, parseSignState(other)),
      };
    }
    const counter = parseOpcert(text).counter;
    return {
      show: `counter ${counter}`,
      value: String(counter),
      rank: (other) => Math.sign(counter - parseOpcert(other).counter),
    };
  } catch {
    return undefined;
  }
}

/**
 * How far above the chain's head a CometBFT watermark can credibly be: the height in consensus is
 * the head + 1. A copy never moves back, so a forged huge watermark from a compromised active host
 * would make every later failover target refuse to sign: one above this is not saved.
 */
export const WATERMARK_AHEAD_OF_HEAD = 2;

/** `chainHead`, when known (the chain observer, or the other hosts' clients), bounds a cosmos watermark. */
export function decideWitnessCopy(
  family: Family,
  identity: string,
  active: string | undefined,
  copy: string | undefined,
  chainHead?: number,
): CopyDecision {
  const [path] = stateFiles(family, identity, 'witness');
  if (!path) return { write: false, why: 'no copy for this family (protection stays with the signers)' };
  if (active === undefined) return { write: false, why: 'the live active host has no signing state yet' };
  const next = mark(family, active);
  if (next === undefined)
    return { write: false, why: "the live active host's signing state cannot be read; the copy is kept" };
  if (copy === active) return { write: false, why: `current (${next.show})` };
  if (family === 'cosmos' && chainHead !== undefined) {
    const height = parseSignState(active).height;
    if (height > BigInt(chainHead + WATERMARK_AHEAD_OF_HEAD))
      return {
        write: false,
        why: `not saved: the live active host's watermark (height ${height}) is above the chain's head (${chainHead}); a copy never moves back, so an incredible one is kept out: look at that host's state file`,
      };
  }
  const held = copy === undefined ? undefined : mark(family, copy);
  // the whole height/round/step (or the counter) is compared: a lower round at the same height is lower too
  if (held !== undefined && next.rank(copy!) < 0)
    return {
      write: false,
      why: `the copy is ahead (${held.show === next.show ? `${held.value} > ${next.value}` : `${held.show.split(' ')[1]} > ${next.show.split(' ')[1]}`}): kept; the active host's state went backwards`,
    };
  if (held !== undefined && next.rank(copy!) === 0) return { write: false, why: `current (${next.show})` };
  return { write: true, path, content: active, why: `saved (${next.show})` };
}
