/**
 * A failover plan (the failover protocol (docs/failover.md)): which identity moves from which live host to
 * which standby, at which live generation, and how. Plain data with a canonical text form: the
 * text is what operators sign, and its digest (with the expiry) is the plan code they type.
 * Pure.
 */
import { createHash } from 'node:crypto';
import type { Family } from '../inventory/clients.js';
import { connectionsDigest } from './connections.js';

/** The steps, in order; each is journalled before and after. */
export const STEPS = ['lock', 'preflight', 'fence', 'carry', 'bump', 'activate', 'verify', 'record'] as const;
export type StepName = (typeof STEPS)[number];

/** What each step does, for the plan printout and the runbook. */
export const STEP_TEXT: Record<StepName, string> = {
  lock: 'take the identity lock on a majority of its quorum hosts',
  preflight: 'check again: target reachable, synced, healthy, holding no active key; witness agrees',
  fence: 'fence the old host: stop and disable its signer, seal its key, verify nothing listens',
  carry: 'carry slashing protection from the old host to the target, never lowering it',
  bump: 'bump the generation on a majority of the quorum hosts',
  activate: 'activate the target: unseal its key, enable and start the signer',
  verify: 'verify the target signs and the old host stays fenced',
  record: 'record: rewrite the inventory, append the audit record here and on the witness, release the lock',
};

/** The first step after which a failure never rolls back (the generation names the target). */
export const POINT_OF_NO_RETURN: StepName = 'bump';

export interface FailoverPlan {
  deployment: string;
  family: Family;
  identity: string;
  /** The live active host (from the generation record, not the file). */
  from: string;
  to: string;
  /** The live generation the plan was made at; the failover writes generation + 1. */
  generation: number;
  /** Approved to go on without reaching the old host, after the safety window. */
  oldHostDead: boolean;
  /** Heights (slots) without a signature from the identity before a dead host counts as fenced. */
  safetyWindow: number;
  /** Fence only in a window without a block proposal of the identity's validators (ethereum; part of the approval). */
  atSafeWindow?: boolean;
  /** How stake reaches every host the failover acts on (./connections.ts): what the approval binds. */
  connections: string[];
}

/** The first line of the plan text; v1 plans did not bind the hosts' connections and are refused. */
export const PLAN_FORMAT = 'stake failover plan v2';

/** The lines every approval of this plan signs, approver and expiry apart. */
export function planBody(plan: FailoverPlan): string[] {
  return [
    PLAN_FORMAT,
    `deployment: ${plan.deployment}`,
    `family: ${plan.family}`,
    `identity: ${plan.identity}`,
    `from: ${plan.from}`,
    `to: ${plan.to}`,
    `live-generation: ${plan.generation}`,
    `old-host-dead: ${plan.oldHostDead ? `yes, after ${plan.safetyWindow} heights without a signature` : 'no'}`,
    // only when asked: plans made without it keep their codes
    ...(plan.atSafeWindow ? ['at-safe-window: yes, fenced in a window without a block proposal of the identity'] : []),
    // a journal written before v2 has no connections: its plan binds none (and no approval of it is taken)
    ...(plan.connections ?? []).map((line) => `connection: ${line}`),
    `connections-digest: ${connectionsDigest(plan.connections ?? [])}`,
  ];
}

/** Crockford's base32 without padding: no I, L, O or U to misread at 3 a.m. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The short code operators type: 8 characters of the digest of the plan and its expiry, as XXXX-XXXX. */
export function planCode(plan: FailoverPlan, expires: string): string {
  const digest = createHash('sha256')
    .update([...planBody(plan), `expires: ${expires}`].join('\n'))
    .digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 8) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 8) break;
    value &= (1 << bits) - 1;
  }
  return `${out.slice(0, 4)}-${out.slice(4, 8)}`;
}

/** Codes are compared as typed: case, spaces and the dash do not matter. */
export const sameCode = (a: string, b: string) =>
  a.replace(/[\s-]/g, '').toUpperCase() === b.replace(/[\s-]/g, '').toUpperCase();

/** How long a plan stays valid when nobody says otherwise: long enough for two people, short enough not to outlive the situation. */
export const DEFAULT_VALIDITY_MS = 30 * 60 * 1000;

export { MAX_APPROVAL_VALIDITY_MS, maxValidityMs } from '../inventory/policy.js';

/** A duration as the flag takes it back: 4h, 30m, 90s. */
export const showDuration = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.ceil(ms / 1000)}s`;

/** The expiry of a plan made now, to the second. */
export const expiryOf = (now: Date, validForMs: number) =>
  new Date(Math.floor((now.getTime() + validForMs) / 1000) * 1000).toISOString();

/** Parses "30m", "90s", "2h" or plain seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}
