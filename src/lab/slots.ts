/**
 * Machine-wide claims of lab slots: each running lab owns one slot (its /23 or 127.x ranges and
 * its namespace names) through a file named after the slot that holds the lab's folder. A claim
 * whose folder no longer records that slot is stale (the folder was deleted) and is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_SLOTS } from './addressing.js';
import { labPaths, slotClaimsDir } from './layout.js';
import { readLabState } from './state.js';

function claimHolder(claim: string): string | undefined {
  try {
    return readFileSync(claim, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function stale(claim: string, slot: number): boolean {
  const dir = claimHolder(claim);
  if (dir === undefined) return false;
  try {
    return readLabState(labPaths(dir).state)?.slot !== slot;
  } catch {
    return false; // a lab folder we cannot read is not ours to take
  }
}

/** Claims the first free slot for a lab folder; `taken` rules out slots in use by other means (existing namespaces). */
export function claimSlot(
  dir: string,
  taken: (slot: number) => boolean = () => false,
): { slot: number; claim: string } {
  const claims = slotClaimsDir();
  mkdirSync(claims, { recursive: true, mode: 0o1777 });
  for (let slot = 0; slot < LAB_SLOTS; slot++) {
    const claim = join(claims, String(slot));
    if (taken(slot)) continue;
    try {
      writeFileSync(claim, `${dir}\n`, { flag: 'wx' });
      return { slot, claim };
    } catch {
      if (claimHolder(claim) === dir || stale(claim, slot)) {
        writeFileSync(claim, `${dir}\n`);
        return { slot, claim };
      }
    }
  }
  throw new Error(`all ${LAB_SLOTS} lab slots on this machine are taken (${claims})`);
}

export function releaseSlot(claim: string, dir: string): void {
  if (claimHolder(claim) === dir) rmSync(claim, { force: true });
}
