/**
 * The chain observer: stake asks the chain itself, through the APIs the identities' upstream hosts
 * already serve (CometBFT RPC on the sentries, the Beacon API on the beacon nodes), over the SSH
 * stake reaches every host with, the request made on the host against its client's local API
 * (Ogmios beside the cardano relays' nodes, over HTTP and chain-sync's WebSocket). It
 * keeps what it read during a command (committed heights and past epochs do not change), so each
 * later read costs one round trip per source and only what is new. Judging the answers is
 * ./judge.ts; the formats are ./cometbft.ts and ./beacon.ts.
 */
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import type { HostSession } from '../ssh/session.js';
import { beaconObserver } from './beacon-observer.js';
import { cardanoObserver } from './cardano-observer.js';
import { cometbftObserver } from './cometbft-observer.js';
import type { ChainReading } from './model.js';

export interface ChainObserver {
  /** Names it in messages: "the chain (CometBFT RPC on sentry-fra-1, sentry-waw-1)". */
  what: string;
  /** Milliseconds per height: the pace the chain shows once read, the family's usual before. */
  readonly blockTimeMs: number;
  /** Identities it cannot judge, with why (no consensus address or validator index in the inventory). */
  unjudged: { identity: string; why: string }[];
  read(): Promise<ChainReading>;
  /** A host's own head, from its own client's API (the target of a failover). */
  headOf(host: ResolvedHost): Promise<{ head: number; syncing: boolean } | { error: string }>;
  /** The identity's signed heights read so far, from a height on, with the chain's times. */
  signatures(identity: string, fromHeight: number): { height: number; at: string }[];
  /** ethereum: the identity's block proposals in the current and next epoch, as a beacon node assigns them, with its head slot. */
  proposals?(identity: string): Promise<Proposals | undefined>;
}

export { OBSERVED_WINDOW } from './limits.js';

export interface Proposals {
  headSlot: number;
  /** The slot's length, when the node says it. */
  slotMs?: number;
  duties: { slot: number; index: number }[];
}

/** The observer of an inventory: its family's API on the upstream hosts; undefined where stake reads none. */
export function chainObserverFor(inv: ResolvedInventory, session: HostSession): ChainObserver | undefined {
  if (inv.family === 'cosmos') return cometbftObserver(inv, session);
  if (inv.family === 'ethereum') return beaconObserver(inv, session);
  return cardanoObserver(inv, session);
}
