/**
 * A lab for a test, through the real CLI (`stake lab up`, `stake lab down`). The lab's processes
 * outlive the test process by design (detached, as a user's lab would), so a test that ends
 * before its `after` hook (the runner's timeout) would leave them and their namespaces behind:
 * `lab down` for the folder is registered as a last resort (./last-resort.ts) before `lab up`
 * starts, and unregistered once a `lab down` has succeeded.
 */
import { projectPath } from '../../src/paths.js';
import { runStake, type RunResult } from './helpers.js';
import { atExit } from './last-resort.js';

/** How long `lab up` may take on a loaded 2-core machine (9 hosts, each an sshd in a namespace). */
const UP_TIMEOUT_MS = 120_000;

export interface TestLab {
  dir: string;
  /** What `lab up` said. */
  up: RunResult;
  /** `stake lab up` again in the same folder (healing a broken lab, or nothing to do). */
  again(extra?: string[]): RunResult;
  /** `stake lab down`; once it succeeds, nothing is left for the last resort. */
  down(): RunResult;
}

export function upLab(
  family: 'cosmos' | 'ethereum' | 'cardano',
  dir: string,
  extra: string[] = [],
  /** Another inventory of the family than its example (a file path). */
  inventory = projectPath('inventories', `${family}.yaml`),
): TestLab {
  const down = () => runStake(['lab', 'down', '--dir', dir], { timeoutMs: 60_000 });
  const lastResort = atExit(() => void down());
  const upArgs = (more: string[]) => ['lab', 'up', '-i', inventory, '--dir', dir, ...more];
  return {
    dir,
    up: runStake(upArgs(extra), { timeoutMs: UP_TIMEOUT_MS }),
    again: (more = extra) => runStake(upArgs(more), { timeoutMs: UP_TIMEOUT_MS }),
    down: () => {
      const r = down();
      if (r.code === 0) lastResort.done();
      return r;
    },
  };
}
