/**
 * `npm run bench:validate`: wall time of `stake validate` on a generated inventory of 1,000
 * hosts and 300 identities, beside `node -e 0` (Node's own start) and `stake --version`, each
 * the median of several runs in this one process. Targets: validate < 400 ms, --version < 150 ms.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../src/paths.js';
import { generateInventory } from './generate-inventory.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const stake = projectPath('bin', 'stake');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function time(cmd: string, args: string[], expectCode: number): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== expectCode) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return median(samples);
}

const dir = mkdtempSync(join(tmpdir(), 'stake-bench-'));
try {
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, generateInventory({ hosts: 1000, identities: 300 }));
  execFileSync(stake, ['validate', '-i', file]); // must be valid, else the figure means nothing
  const nodeStart = time(process.execPath, ['-e', '0'], 0);
  const version = time(stake, ['--version'], 0);
  const validate = time(stake, ['validate', '-i', file], 0);
  const kb = (statSync(file).size / 1024).toFixed(0);
  const row = (name: string, ms: number, target: number) =>
    `${name.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms   ${(ms / nodeStart).toFixed(1).padStart(5)}x node   target < ${target} ms  ${ms < target ? 'ok' : 'MISSED'}`;
  console.log(`bench:validate  (median of ${RUNS} runs; inventory 1,000 hosts, 300 identities, ${kb} KB)`);
  console.log(
    `${'node -e 0'.padEnd(34)} ${nodeStart.toFixed(0).padStart(6)} ms   ${'1.0'.padStart(5)}x node   (anchor)`,
  );
  console.log(row('stake --version', version, 150));
  console.log(row('stake validate (1,000 hosts)', validate, 400));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
