/**
 * Cardano slot leadership in the lab: a pool leads a slot when a hash of (pool, slot) falls in its
 * share. Both the chain (to know which slots a pool was expected to fill) and the simulated
 * block producer (to know when to forge) compute it, so they always agree. Deterministic.
 */
import { createHash } from 'node:crypto';

/** The fraction of slots a lab pool leads: high, so a short lab run shows blocks. */
export const LAB_ACTIVE_SLOT_SHARE = 0.5;

export function isSlotLeader(pool: string, slot: number): boolean {
  const digest = createHash('sha256').update(`${pool}:${slot}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000 < LAB_ACTIVE_SLOT_SHARE;
}
