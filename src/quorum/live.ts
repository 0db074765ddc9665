/**
 * Which host is live for an identity, decided once from a generation verdict. The quorum's
 * record is the truth whenever a majority holds one (even when the inventory disagrees: a stale
 * checkout does not move a signer); before the first deploy the inventory's `active` is the only
 * answer; when the quorum cannot say, nobody is live as far as stake knows.
 */
import type { ResolvedIdentity } from '../inventory/resolve.js';
import type { GenerationVerdict } from './generation.js';

export interface LiveActive {
  host: string;
  /** True when a majority of the quorum recorded it; false before the first deploy (the inventory's word). */
  recorded: boolean;
  /** The live generation; 0 before the first deploy. */
  generation: number;
}

/** The live active host of a verdict; undefined when the quorum cannot tell (kind `unknown`). */
export function liveActive(
  verdict: GenerationVerdict,
  identity: Pick<ResolvedIdentity, 'active'>,
): LiveActive | undefined {
  if (verdict.kind === 'unknown') return undefined;
  if (verdict.kind === 'first') return { host: identity.active.name, recorded: false, generation: 0 };
  // live or stale: the record a majority holds
  return { host: verdict.record.active, recorded: true, generation: verdict.record.generation };
}
