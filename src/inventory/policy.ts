/** The inventory's `policy:`: limits a deployment sets on itself, never looser than stake's own. Pure. */

/**
 * The longest any failover plan or approval may be valid: a day covers two people in two time
 * zones; a longer approval outlives the situation it was given for. A policy may lower it.
 */
export const MAX_APPROVAL_VALIDITY_MS = 24 * 3_600_000;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `4h`, `30m`, `90s` (the schema's form) in milliseconds, or undefined. */
export function policyDuration(text: string): number | undefined {
  const m = /^([1-9][0-9]*)(s|m|h)$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/** The bound for one inventory: `policy.max_approval_validity`, never above the maximum. */
export function maxValidityMs(policy: { max_approval_validity?: string } | undefined): number {
  const set = policy?.max_approval_validity === undefined ? undefined : policyDuration(policy.max_approval_validity);
  return Math.min(set ?? MAX_APPROVAL_VALIDITY_MS, MAX_APPROVAL_VALIDITY_MS);
}
