/**
 * Waiting for a condition instead of a fixed time: a fixed sleep is either too short on a loaded
 * machine (the test fails for nothing) or longer than needed everywhere else. `waitFor` checks
 * the condition, pauses `intervalMs` between checks (a poll interval, not a guess at how long the
 * thing takes), and at the deadline throws an error that names what it waited for.
 */

export interface WaitOptions {
  /** How long the condition may take, in milliseconds. */
  timeoutMs: number;
  /** What is waited for, for the error: "sshd on 127.0.1.10:40022 to answer". */
  what: string;
  /** Pause between checks. */
  intervalMs?: number;
  /** What was last seen, for the error (the last status, a log's tail). */
  lastSeen?: () => string;
}

export class WaitTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeout';
  }
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with the condition's first truthy value; checked at least once, even with no time
 * left. An exception from the condition is not waited out: it ends the wait at once.
 */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() >= deadline) break;
    await pause(Math.min(options.intervalMs ?? 50, Math.max(0, deadline - Date.now())));
  }
  const seen = options.lastSeen?.();
  throw new WaitTimeout(
    `gave up waiting for ${options.what} after ${options.timeoutMs} ms${seen ? `; last seen: ${seen}` : ''}`,
  );
}
