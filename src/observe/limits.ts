/** The observer's bounds and defaults, shared by every family's reader. */
import type { Family } from '../inventory/clients.js';

/** A family's usual pace per height, until the chain shows the real one (ethereum: an epoch). */
export const USUAL_BLOCK_MS: Record<Family, number> = { cosmos: 6000, ethereum: 384_000, cardano: 1000 };
/** Ethereum's slot when the node does not say it (mainnet's SECONDS_PER_SLOT). */
export const USUAL_SLOT_MS = 12_000;
/** The heights `status` judges for missed signatures, and the first read's reach. */
export const OBSERVED_WINDOW = 50;
/**
 * The shortest time between two reads of the chain while a command waits on it (a look-back, a
 * verify, a dead host's silence): each read asks every source over SSH, which costs the hosts a
 * few processes each, so a chain faster than this (a lab's) is not read at every height.
 */
export const CHAIN_POLL_MS = 500;
/** Heads further apart than this are a disagreement worth printing. */
export const LAG_LIMIT = 3;
