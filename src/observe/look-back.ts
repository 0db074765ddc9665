/**
 * Before a CometBFT validator starts with its key: the heights its look-back needs.
 *
 * A validator rendered by stake has consensus.double_sign_check_height 10 (render/clients/
 * cometbft.ts). CometBFT, starting at height S+1 (S its last block), reads the commits of S down
 * to S-8 and panics when its own key signed one of them (consensus/state.go
 * checkDoubleSigningRisk, v0.38.17). Right after a fence or a stop, its key's signature is a height
 * or two back, so a validator started at once panics and, under systemd, restarts every 5 s until
 * the chain has moved on (on a host without systemd it stays down). So stake waits, by the chain
 * observer, until the head is n heights above the key's last signature (one more than the
 * look-back reads, for a last vote that a block not read yet may still carry), then starts it
 * once: the cost a restart loop would pay, in one predictable step.
 */
import { VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT } from '../render/clients/cometbft.js';
import type { ChainObserver } from './observer.js';
import { CHAIN_POLL_MS } from './limits.js';

/** The height the head must reach before a validator whose key last signed `last` may start. */
export const clearOfLookBack = (last: number, n = VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT) => last + n;

export interface LookBackWait {
  observer: ChainObserver;
  identity: string;
  /** A last signature known from before (failover journals the one it saw at the fence). */
  lastKnown?: number;
  /** Progress, said when it changes. */
  note: (text: string) => void;
  sleep: (ms: number) => Promise<unknown>;
}

/**
 * Waits until the look-back is clear; says what it waited for, or why it stopped waiting. Bounded:
 * a chain that does not move on in time is said and the start goes ahead (CometBFT then refuses
 * to join until it has, which loses blocks, never safety). Undefined: nothing to wait for.
 */
export async function waitForLookBack(w: LookBackWait): Promise<string | undefined> {
  const n = VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT;
  const started = Date.now();
  const deadline = started + (n * 3 + 10) * w.observer.blockTimeMs + 10_000;
  let said = '';
  let unread = 0;
  for (;;) {
    const reading = await w.observer.read().catch(() => undefined);
    // a chain never read is not waited for to the end: three reads in a row that fail say so at once
    unread = reading ? -Infinity : unread + 1;
    const last = Math.max(w.lastKnown ?? 0, reading?.identity(w.identity)?.lastHeight ?? 0);
    if (reading && (last === 0 || reading.head >= clearOfLookBack(last, n))) {
      if (last === 0) return undefined;
      const waited = Math.round((Date.now() - started) / 100) / 10;
      return `look-back clear: head ${reading.head}, ${reading.head - last} heights above ${w.identity}'s last signature (${last}; double_sign_check_height ${n})${waited >= 0.1 ? `, after ${waited} s` : ''}`;
    }
    if (Date.now() >= deadline || unread >= 3)
      return reading
        ? `the chain did not reach height ${clearOfLookBack(last, n)} in ${Math.round((Date.now() - started) / 1000)} s (head ${reading.head}): started anyway; CometBFT will not join consensus before it has`
        : `the chain could not be read: started without waiting for the look-back (double_sign_check_height ${n}); CometBFT will not join consensus before it is clear`;
    if (reading) {
      const line = `waiting for height ${clearOfLookBack(last, n)} before the start (double_sign_check_height ${n}): head ${reading.head}`;
      if (line !== said) w.note((said = line));
    }
    await w.sleep(CHAIN_POLL_MS);
  }
}
