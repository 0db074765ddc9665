/**
 * What failover asks the chain, and how it judges the answers: the observer itself is
 * src/observe/ (the clients' own APIs on the upstream hosts), picked for the inventory by the
 * commands. Preflight's "target synced" compares the target's own head with the chain's; the
 * dead-host safety window, fence and verify read the identity's last signed height and the
 * equivocation evidence.
 */
export type { ChainObserver } from '../observe/observer.js';
export type { ChainReading, Equivocation, IdentityOnChain } from '../observe/model.js';

/** What the target's own client says of its head, or why it could not be read. */
export type TargetHead = { head: number; syncing: boolean } | { error: string };

/** Heights (slots, epochs) a target may be behind the chain's head and still take over... */
export const DEFAULT_MAX_BEHIND = 5;
/** ...or as many as the chain makes in this time, whichever is more: the two heads are read a round trip apart. */
export const BEHIND_GRACE_MS = 10_000;

/** How far behind a target may be on a chain of this pace. */
export const maxBehindAt = (blockTimeMs: number) =>
  Math.max(DEFAULT_MAX_BEHIND, Math.ceil(BEHIND_GRACE_MS / Math.max(1, blockTimeMs)));

/** Is the target's client at the chain's head: not syncing, and at most `maxBehind` behind? */
export function syncedVerdict(
  chainHead: number,
  target: TargetHead,
  maxBehind: number,
): { ok: boolean; detail: string } {
  if ('error' in target) return { ok: false, detail: `its head cannot be read: ${target.error}` };
  if (target.syncing)
    return { ok: false, detail: `its client is still syncing (at ${target.head}, the chain at ${chainHead})` };
  const behind = chainHead - target.head;
  if (behind > maxBehind)
    return {
      ok: false,
      detail: `its head ${target.head} is ${behind} behind the chain's ${chainHead} (at most ${maxBehind})`,
    };
  return { ok: true, detail: `at ${target.head}, the chain at ${chainHead}` };
}
