/**
 * `npm run bench:render`: wall time of a fresh `stake render` of the generated inventory of 1,000
 * hosts and 300 identities (the one bench:validate uses), beside `node -e 0`, in one run:
 * - into tmpfs (/dev/shm): the render itself, which the 1.5 s target is about;
 * - into the disk's temp folder, beside `cp -r` of the same tree on the same disk: the floor any
 *   writer pays there (on this machine's disk, metadata operations cost ~0.2 ms each, and the
 *   tree has about 11,000 folders and 8,000 files).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../src/paths.js';
import { generateInventory } from './generate-inventory.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Median wall time of a command; `before` runs untimed ahead of each run (to start from an empty folder). */
function time(cmd: string, args: string[], before: () => void = () => {}): { ms: number; stdout: string } {
  const samples: number[] = [];
  let stdout = '';
  for (let i = 0; i < RUNS; i++) {
    before();
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    stdout = r.stdout;
  }
  return { ms: median(samples), stdout };
}

const disk = mkdtempSync(join(tmpdir(), 'stake-bench-render-'));
const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/stake-bench-render-') : undefined;
try {
  const inventory = join(disk, 'inventory.yaml');
  writeFileSync(inventory, generateInventory({ hosts: 1000, identities: 300 }));
  const stake = projectPath('bin', 'stake');
  const fresh = (dir: string) => () => rmSync(dir, { recursive: true, force: true });
  const row = (name: string, ms: number, note: string) =>
    console.log(
      `${name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms   ${(ms / node).toFixed(1).padStart(5)}x node   ${note}`,
    );

  const node = time(process.execPath, ['-e', '0']).ms;
  console.log(`bench:render  (median of ${RUNS} fresh renders; 1,000 hosts, 300 identities)`);
  row('node -e 0', node, '(anchor)');
  if (shm) {
    const out = join(shm, 'out');
    const r = time(stake, ['render', '--json', '-i', inventory, '--out', out], fresh(out));
    row('stake render -> tmpfs', r.ms, `target < 1500 ms  ${r.ms < 1500 ? 'ok' : 'MISSED'}`);
    const doc = JSON.parse(r.stdout) as { files: number; bytes: number; hosts: unknown[] };
    console.log(
      `  wrote ${doc.hosts.length} hosts, ${doc.files} files, ${(doc.bytes / 1024 / 1024).toFixed(2)} MB (plus one manifest.json per host)`,
    );
  }
  const out = join(disk, 'out');
  const onDisk = time(stake, ['render', '-i', inventory, '--out', out], fresh(out));
  row(`stake render -> ${tmpdir()} (disk)`, onDisk.ms, '');
  const copy = join(disk, 'copy');
  const floor = time('cp', ['-r', out, copy], fresh(copy));
  row('cp -r of the same tree (disk floor)', floor.ms, `render is ${(onDisk.ms / floor.ms).toFixed(1)}x the floor`);
} finally {
  rmSync(disk, { recursive: true, force: true });
  if (shm) rmSync(shm, { recursive: true, force: true });
}
