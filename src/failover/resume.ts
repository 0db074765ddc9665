/** Finding the one unfinished failover to resume, and the inventory it started from. */
import { resolve } from 'node:path';
import { StakeError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { loadInventory, type LoadedInventory } from '../inventory/load.js';
import type { ResolvedIdentity } from '../inventory/resolve.js';
import { connectionChanges } from './connections.js';
import { unfinishedJournals, type Journal } from './journal.js';

export interface Unfinished {
  path: string;
  journal: Journal;
  loaded: LoadedInventory;
  identity: ResolvedIdentity;
}

/** The unfinished failover beside the inventory (of `identity`, when given); exactly one, or a clear error. */
export async function unfinishedFailover(inventory: string, identity?: string): Promise<Unfinished> {
  const open = unfinishedJournals(resolve(inventory)).filter((j) => !identity || j.journal.plan.identity === identity);
  if (open.length === 0)
    throw new StakeError(`no unfinished failover beside ${inventory}${identity ? ` for ${identity}` : ''}`, {
      exitCode: EXIT.usage,
      hint: 'nothing to resume; stake status shows the live state',
    });
  if (open.length > 1)
    throw new UsageError(
      `${open.length} unfinished failovers: ${open.map((j) => j.journal.plan.identity).join(', ')}`,
      'name one: stake failover --resume IDENTITY',
    );
  const { path, journal } = open[0]!;
  const loaded = await loadInventory(journal.inventory);
  const found = loaded.resolved.identities.find((i) => i.name === journal.plan.identity);
  if (!found)
    throw new StakeError(`identity ${journal.plan.identity} is no longer in ${journal.inventory}`, {
      exitCode: EXIT.refused,
      hint: 'restore the inventory the failover started from',
    });
  return { path, journal, loaded, identity: found };
}

/** "after lock, preflight, fence" or "rolling back": where a resumed failover picks up. */
export function resumePoint(journal: Journal): string {
  if (journal.direction === 'rollback') return 'rolling back';
  const done = journal.steps.filter((s) => s.ended).map((s) => s.name);
  return `after ${done.join(', ') || 'no step'}`;
}

/**
 * A resumed failover acts on the hosts its approvers signed, reached the way they signed them:
 * the connection lines derived now (inventory addresses, ports, users, jumps, known host keys)
 * must be those the plan bound. An inventory or known_hosts edited between the stop and the
 * resume (a decoy address for the target, a new jump host) is refused before anything connects.
 * A journal of a plan that bound no connections (written before plans bound them) is not checked.
 */
export function refuseChangedConnections(journal: Journal, now: readonly string[]): void {
  if (journal.plan.connections === undefined) return;
  const changed = connectionChanges(journal.plan.connections, now);
  if (changed.length === 0) return;
  throw new StakeError(
    `the hosts of this failover are not reached the way its approvers signed: ${changed.join('; ')}`,
    {
      exitCode: EXIT.refused,
      hint: 'restore the inventory and known_hosts the failover was approved with (git diff), then resume; nothing was connected to',
    },
  );
}
