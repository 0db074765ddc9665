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

/**
 * How long the head may stand still before the wait gives up: ten heights, and never under 20 s.
 * The bound is on the chain's progress, not on the wait's length: a starved machine or a slow
 * read makes each poll late, and a chain that still moves is worth waiting for, since starting
 * before the look-back is clear only makes CometBFT panic.
 */
export const stallMs = (blockMs: number) => Math.max(20_000, 10 * blockMs);
/** The longest wait in all, however the chain moves: three look-backs' worth of heights and a minute. */
export const waitBoundMs = (blockMs: number, n = VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT) => (n * 3 + 10) * blockMs + 60_000;

export interface LookBackWait {
  observer: ChainObserver;
  identity: string;
  /** A last signature known from before (failover journals the one it saw at the fence). */
  lastKnown?: number;
  /** Progress, said when it changes. */
  note: (text: string) => void;
  sleep: (ms: number) => Promise<unknown>;
  /** The clock (tests give their own). */
  now?: () => number;
}

/**
 * Waits until the look-back is clear; says what it waited for, or why it stopped waiting. Bounded:
 * a chain whose head stands still for stallMs, or that is not clear within waitBoundMs, is said
 * and the start goes ahead (CometBFT then refuses to join until it is clear, which loses blocks,
 * never safety). Undefined: nothing to wait for.
 */
export async function waitForLookBack(w: LookBackWait): Promise<string | undefined> {
  const n = VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT;
  const now = w.now ?? Date.now;
  const started = now();
  let said = '';
  let unread = 0;
  let head = -1;
  let movedAt = started;
  for (;;) {
    const reading = await w.observer.read().catch(() => undefined);
    // a chain never read is not waited for to the end: three reads in a row that fail say so at once
    unread = reading ? -Infinity : unread + 1;
    const last = Math.max(w.lastKnown ?? 0, reading?.identity(w.identity)?.lastHeight ?? 0);
    if (reading && reading.head > head) {
      head = reading.head;
      movedAt = now();
    }
    const seconds = () => Math.round((now() - started) / 1000);
    if (reading && (last === 0 || reading.head >= clearOfLookBack(last, n))) {
      if (last === 0) return undefined;
      const waited = Math.round((now() - started) / 100) / 10;
      return `look-back clear: head ${reading.head}, ${reading.head - last} heights above ${w.identity}'s last signature (${last}; double_sign_check_height ${n})${waited >= 0.1 ? `, after ${waited} s` : ''}`;
    }
    if (unread >= 3)
      return `the chain could not be read: started without waiting for the look-back (double_sign_check_height ${n}); CometBFT will not join consensus before it is clear`;
    const blockMs = w.observer.blockTimeMs;
    const stalled = now() - movedAt >= stallMs(blockMs);
    if (stalled || now() - started >= waitBoundMs(blockMs, n))
      return `the chain did not reach height ${clearOfLookBack(last, n)} in ${seconds()} s (head ${head}${stalled ? `, not moved for ${Math.round((now() - movedAt) / 1000)} s` : ''}): started anyway; CometBFT will not join consensus before it has`;
    if (reading) {
      const line = `waiting for height ${clearOfLookBack(last, n)} before the start (double_sign_check_height ${n}): head ${reading.head}`;
      if (line !== said) w.note((said = line));
    }
    await w.sleep(CHAIN_POLL_MS);
  }
}
