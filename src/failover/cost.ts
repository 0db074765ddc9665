/**
 * What a failover is expected to cost, printed with the plan before anyone approves it: the
 * heights the identity will not sign while no host may (the fence waits for the old signer to
 * stop before the new one starts). Cosmos: the blocks missed at the pace the chain's own blocks
 * show, from this identity's past failovers where the audit log has them, else from a stated
 * estimate of the handover's length. Ethereum: the Beacon API's proposer duties, and one
 * attestation per validator per epoch of the gap. Cardano's leader schedule is not read yet: the
 * plan says so rather than guess. Pure.
 */
import type { Family } from '../inventory/clients.js';
import { VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT } from '../render/clients/cometbft.js';

/** A handover's length when there is no past failover to go by: fence to the target's first signature. */
export const ESTIMATED_HANDOVER_MS = 15_000;

export interface PastFailover {
  lastOldHeight?: number;
  firstNewHeight?: number;
}

export interface ExpectedCost {
  /** Heights expected without a signature; undefined when stake cannot tell. */
  heights?: number;
  /** One line for the plan. */
  text: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export interface CostInput {
  family: Family;
  identity: string;
  /** The pace the observer saw, ms per height (ethereum: per epoch). */
  observedBlockMs?: number;
  /** This identity's completed failovers, from the audit log. */
  past: readonly PastFailover[];
  /** ethereum: its validators, and their proposals in the current and next epoch as the beacon nodes assign them. */
  validators?: number;
  proposals?: readonly { slot: number; index: number }[];
}

/**
 * Ethereum: every validator attests once an epoch, so a gap of N epochs costs N missed
 * attestations per validator; a proposal assigned inside the coming epochs is lost if the move
 * falls on it (the duty is known two epochs ahead at most).
 */
function ethereumCost(input: CostInput): ExpectedCost {
  const gaps = pastGaps(input.past);
  const epochs = gaps.length ? median(gaps) : 1;
  const validators = input.validators ?? 0;
  const missed = epochs * validators;
  const proposals = input.proposals;
  const duty =
    proposals === undefined
      ? 'its proposal duties could not be read'
      : proposals.length === 0
        ? 'no block proposal assigned to its validators in the current and next epoch'
        : `${proposals.length} block proposal${proposals.length === 1 ? '' : 's'} assigned in the current and next epoch (${proposals.map((p) => `slot ${p.slot}, validator ${p.index}`).join('; ')}): lost if the move falls on ${proposals.length === 1 ? 'it' : 'them'}`;
  return {
    heights: epochs,
    text: `about ${missed} missed attestation${missed === 1 ? '' : 's'} (${epochs} epoch${epochs === 1 ? '' : 's'} x ${validators} validator${validators === 1 ? '' : 's'}; ${gaps.length ? `the median gap of ${gaps.length} past failover${gaps.length === 1 ? '' : 's'}` : 'an estimated one-epoch gap'}); ${duty}`,
  };
}

function pastGaps(past: readonly PastFailover[]): number[] {
  return past.flatMap((p) =>
    p.lastOldHeight !== undefined && p.firstNewHeight !== undefined && p.firstNewHeight > p.lastOldHeight
      ? [p.firstNewHeight - p.lastOldHeight - 1]
      : [],
  );
}

export function expectedCost(input: CostInput): ExpectedCost {
  if (input.family === 'ethereum') return ethereumCost(input);
  if (input.family !== 'cosmos')
    return { text: "not known yet: the pool's leader slots are not read from the chain by this version" };
  const gaps = pastGaps(input.past);
  const pace = input.observedBlockMs
    ? ` at the chain's pace (a block every ${(input.observedBlockMs / 1000).toFixed(1)} s)`
    : '';
  // the target starts only n heights after the key's last signature (observe/look-back.ts): no gap is shorter
  const n = VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT;
  const floor = (heights: number) =>
    heights >= n
      ? ''
      : `; at least ${n}: the target starts only ${n} heights after the key's last signature (double_sign_check_height)`;
  if (gaps.length) {
    const past = median(gaps);
    const heights = Math.max(past, n);
    const recent = gaps.slice(-5).join(', ');
    return {
      heights,
      text: `about ${heights} missed block${heights === 1 ? '' : 's'}: the median of ${gaps.length} past failover${gaps.length === 1 ? '' : 's'} of ${input.identity} (last: ${recent})${pace}${floor(past)}`,
    };
  }
  if (!input.observedBlockMs)
    return { text: 'not known: no past failover of this identity, and the chain was not read' };
  const estimated = Math.ceil(ESTIMATED_HANDOVER_MS / input.observedBlockMs);
  const heights = Math.max(estimated, n);
  return {
    heights,
    text: `about ${heights} missed block${heights === 1 ? '' : 's'}: an estimated ${ESTIMATED_HANDOVER_MS / 1000} s handover${pace} (no past failover of ${input.identity} to go by)${floor(estimated)}`,
  };
}

/** The past failovers of an identity in the audit log's lines (foreign or damaged lines are skipped). */
export function pastFailovers(auditLines: string, identity: string): PastFailover[] {
  const out: PastFailover[] = [];
  for (const line of auditLines.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      if (r.identity !== identity || r.result !== 'done') continue;
      const n = (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined);
      const lastOldHeight = n(r.lastOldHeight);
      const firstNewHeight = n(r.firstNewHeight);
      out.push({
        ...(lastOldHeight !== undefined ? { lastOldHeight } : {}),
        ...(firstNewHeight !== undefined ? { firstNewHeight } : {}),
      });
    } catch {
      // a line that is not a record
    }
  }
  return out;
}
