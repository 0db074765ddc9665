/** One drill round for the drill unit tests: the failover's timed events on a clock, and the chain's signatures around it. */
import type { TimedEvent } from '../../src/drill/timeline.js';

export const at = (ms: number) => new Date(Date.UTC(2026, 10, 21, 3, 0, 0) + ms).toISOString();

export const events: TimedEvent[] = [
  ...['lock', 'preflight', 'fence', 'carry', 'bump', 'activate', 'verify', 'record'].flatMap((step, i) => [
    { time: at(i * 500), event: 'step', step, phase: 'start' },
    { time: at(i * 500 + 400), event: 'step', step, phase: 'done', ms: 400 },
  ]),
  { time: at(4000), event: 'end', result: 'done', exitCode: 0 },
];

/** A height the chain shows the identity's key signed, `ms` after the round began. */
export const sig = (height: number, ms: number) => ({ height, at: at(ms) });

/** Heights 10-12 before the fence (done at 1400 ms), 20-21 after it. */
export const signatures = [sig(10, -500), sig(11, 0), sig(12, 400), sig(20, 3600), sig(21, 3900)];
