/**
 * Faults at failover step boundaries, for the lab tests: `after:fence=kill` kills the stake
 * process with SIGKILL right after the fence step, `before:carry=run:COMMAND` runs a command
 * just before carry (entries separated by `;;`). The hook goes into the real command line
 * through its test seam (src/cli/spec.ts `Seams`); production code never reads a fault.
 */
import { execFileSync } from 'node:child_process';
import type { StepHook } from '../../src/failover/hooks.js';

export function faultHook(spec: string): StepHook {
  const entries = spec.split(';;').map((entry) => {
    const m = /^(before|after):([a-z]+)=(kill|run:(.*))$/s.exec(entry.trim());
    if (!m) throw new Error(`fault "${entry}": expected before|after:STEP=kill|run:COMMAND`);
    return { when: m[1], step: m[2], command: m[3] === 'kill' ? undefined : m[4]! };
  });
  return (when, step) => {
    for (const e of entries) {
      if (e.when !== when || e.step !== step) continue;
      if (e.command === undefined) process.kill(process.pid, 'SIGKILL');
      else execFileSync('sh', ['-c', e.command], { stdio: 'inherit', timeout: 60_000 });
    }
  };
}
