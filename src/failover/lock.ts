/**
 * The identity lock of a failover (docs/failover.md, step 1), pure: the lock file's record, whose
 * lock a quorum host holds, whether the lock step took the lock on enough quorum hosts, and which
 * hosts must still release it. Taking and releasing it on the hosts is the steps' work
 * (./steps/guard.ts, ./steps/close.ts; the scripts are ./quorum-scripts.ts).
 */
import { isRecordOf, isShortString, parseRecord, RECORD_LIMITS } from '../ssh/host-records.js';
import type { HostView } from './checks.js';

export interface LockRecord {
  plan?: string;
  by?: string;
  since?: string;
  from?: string;
  to?: string;
}

const isLockRecord = isRecordOf<LockRecord>(
  {},
  { plan: isShortString(), by: isShortString(), since: isShortString(), from: isShortString(), to: isShortString() },
);

/**
 * A lock file's JSON, checked against the lock's shape (./steps/guard.ts writes it) and bounded.
 * A damaged, oversized or foreign-shaped one is still a lock (the safe side), of an unreadable
 * plan: none of its fields reaches a message.
 */
export function parseLock(json: string): LockRecord {
  return parseRecord(json, isLockRecord, RECORD_LIMITS.smallJson) ?? { plan: 'unreadable' };
}

/**
 * The lock a host holds for another plan than ours (a resumed failover's own lock is no obstacle).
 * Without a plan of ours every lock is foreign, also one whose record names no plan at all.
 */
export function foreignLock(view: HostView | undefined, ownCode?: string): LockRecord | undefined {
  if (!view?.probe?.lock) return undefined;
  const lock = parseLock(view.probe.lock);
  return ownCode !== undefined && lock.plan === ownCode ? undefined : lock;
}

/** What one quorum host answered to the lock script; no `taken` when its answer could not be read. */
export interface LockAnswer {
  host: string;
  taken?: boolean;
  /** The lock file it holds instead, base64 (when not taken). */
  holder?: string;
}

export type LockOutcome =
  | { kind: 'taken'; on: string[] }
  /** Another plan holds the lock somewhere: refused, whoever else answered. */
  | { kind: 'held'; hosts: string[]; holder: LockRecord }
  /** Too few hosts took it: a minority could not stop a second failover from taking a majority. */
  | { kind: 'short'; taken: string[] };

/**
 * The lock step's verdict: taken only when no host holds another plan's lock and a majority of
 * the quorum (`needed`) took it. Any other outcome releases what was taken.
 */
export function judgeLock(answers: readonly LockAnswer[], needed: number): LockOutcome {
  const taken = answers.filter((a) => a.taken === true).map((a) => a.host);
  const held = answers.filter((a) => a.taken === false);
  if (held.length) {
    const text = Buffer.from(held[0]!.holder ?? '', 'base64').toString('utf8');
    return { kind: 'held', hosts: held.map((a) => a.host), holder: parseLock(text.replace(/\n/g, '').trim()) };
  }
  if (taken.length < needed) return { kind: 'short', taken };
  return { kind: 'taken', on: taken };
}

/**
 * The release failures that leave a lock behind: only the hosts the lock step took it on can hold
 * it (every host, for a journal that did not record them).
 */
export function unreleased(
  failed: ReadonlyMap<string, string>,
  lockedOn: readonly string[] | undefined,
): [host: string, error: string][] {
  return [...failed].filter(([host]) => !lockedOn || lockedOn.includes(host));
}
