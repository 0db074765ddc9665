/**
 * `--at-safe-window`: fence only when none of the identity's validators is to propose a block
 * within the handover. A proposal assigned inside it would be lost (no host may sign while the
 * old one is fenced and the new one not yet active), so the failover waits until that slot has
 * passed, the old host proposing it, and fences right after. Pure: the duties in, the verdict out.
 */
import { ESTIMATED_HANDOVER_MS } from './cost.js';
import { USUAL_SLOT_MS } from '../observe/limits.js';

export { USUAL_SLOT_MS };

/** The slots a handover covers: its estimate, and one more for the slot under way. */
export const handoverSlots = (slotMs = USUAL_SLOT_MS) => Math.ceil(ESTIMATED_HANDOVER_MS / slotMs) + 1;

export type SafeWindowVerdict =
  { safe: true; detail: string } | { safe: false; duty: { slot: number; index: number }; detail: string };

export function safeWindowVerdict(input: {
  headSlot: number;
  duties: readonly { slot: number; index: number }[];
  slots: number;
}): SafeWindowVerdict {
  const last = input.headSlot + input.slots;
  const inTheWay = input.duties
    .filter((d) => d.slot > input.headSlot && d.slot <= last)
    .sort((a, b) => a.slot - b.slot)[0];
  if (!inTheWay)
    return {
      safe: true,
      detail: `no block proposal of its validators in slots ${input.headSlot + 1}-${last} (the handover's)`,
    };
  return {
    safe: false,
    duty: inTheWay,
    detail: `validator ${inTheWay.index} proposes at slot ${inTheWay.slot} (the head is at ${input.headSlot}): waiting for it to pass`,
  };
}
