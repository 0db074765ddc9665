/**
 * What the lab chain puts in front of a signer besides the new height: what a real chain can.
 * A CometBFT validator is asked for a height or round it has passed (a new round when a round
 * fails, a slow or halted chain, a peer replaying votes); a beacon node hands a validator client
 * an old slot's duty; a restarted block producer meets the slot it may have forged already. So
 * every client that connects or reconnects is offered the recent heights again, and at random
 * ticks one recent height is offered again (cosmos: or the current height at a new round). A
 * signer that kept its watermark refuses them all; one that lost it signs twice, and the ledger
 * reports the double sign. No I/O: the chain process draws the numbers and sends the offers.
 */
import type { Family } from '../../inventory/clients.js';
import type { HeightOffer } from './protocol.js';

/** How far back the chain re-offers: the heights a lost or lowered watermark would sign again. */
export const REOFFER_DEPTH = 4;
/** The share of ticks that also re-offer something. */
export const REOFFER_CHANCE = 0.3;

/** The round the chain is at for each recent height (cosmos), so a re-offer can be a lower round. */
export type Rounds = Map<number, number>;

const recent = (height: number) => {
  const out: number[] = [];
  for (let h = Math.max(1, height - REOFFER_DEPTH); h < height; h++) out.push(h);
  return out;
};

/**
 * To a client that just connected: the heights and rounds the identities signed last (a chain
 * slower than a failover, or halted, would still be at them: the lab does not let a fast chain
 * hide a lost watermark), the recent heights at round 0, then the current one at its round.
 */
export function offersOnConnect(
  height: number,
  rounds: Rounds,
  signedLast: { height: number; round: number }[] = [],
): HeightOffer[] {
  if (height < 1) return [{ type: 'height', height }];
  const again = new Map<string, HeightOffer>();
  for (const s of signedLast)
    if (s.height < height || (s.height === height && s.round < (rounds.get(height) ?? 0)))
      again.set(`${s.height}/${s.round}`, { type: 'height', height: s.height, round: s.round, replay: true });
  for (const h of recent(height)) again.set(`${h}/0`, { type: 'height', height: h, round: 0, replay: true });
  const ordered = [...again.values()].sort((a, b) => a.height - b.height || (a.round ?? 0) - (b.round ?? 0));
  return [...ordered, { type: 'height', height, round: rounds.get(height) ?? 0 }];
}

/**
 * After a new height, maybe one more offer: a recent height again at round 0 (a replayed vote or
 * an old duty), or, on a CometBFT chain, the current height at the next round (the first round
 * failed, as when a proposer is down). `draw` gives numbers in [0, 1).
 */
export function offerAtRandom(family: Family, height: number, rounds: Rounds, draw: () => number): HeightOffer[] {
  if (draw() >= REOFFER_CHANCE) return [];
  const back = recent(height);
  if (family === 'cosmos' && (back.length === 0 || draw() < 0.5)) {
    const round = (rounds.get(height) ?? 0) + 1;
    rounds.set(height, round);
    return [{ type: 'height', height, round }];
  }
  if (back.length === 0) return [];
  const h = back[Math.floor(draw() * back.length)]!;
  return [{ type: 'height', height: h, round: 0, replay: true }];
}

/** Keeps the rounds of the recent heights only. */
export function forgetOldRounds(rounds: Rounds, height: number): void {
  for (const h of rounds.keys()) if (h < height - REOFFER_DEPTH) rounds.delete(h);
}
