/**
 * The chain observer a command uses for an inventory: the clients' own APIs on the upstream hosts
 * (src/observe/) where stake reads them, else, in a lab of a family it does not read yet, the lab
 * chain (src/lab/observer.ts), else none.
 */
import type { ResolvedInventory } from '../inventory/resolve.js';
import { labObserverFor } from '../lab/observer.js';
import { chainObserverFor, type ChainObserver } from '../observe/observer.js';
import type { HostSession } from '../ssh/session.js';

export function observerFor(
  inventory: string,
  resolved: ResolvedInventory,
  session: HostSession,
): ChainObserver | undefined {
  return chainObserverFor(resolved, session) ?? labObserverFor(inventory);
}
