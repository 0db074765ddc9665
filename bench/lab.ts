/**
 * `npm run bench:lab`: the lab's systemd hosts beside its process hosts, in one run, through the
 * real CLI:
 * - the Debian rootfs built from nothing with debootstrap (into a scratch cache; --no-build skips
 *   it), target under 2 minutes;
 * - `stake lab up` of the 9-host cosmos example, median of --runs, with process and with systemd
 *   hosts (a cached rootfs), target for systemd under 5 s; and `lab down`;
 * - the first deploy of that lab, process and systemd hosts;
 * - a deployed lab's failover val-fra -> val-waw: its wall time and the signing gap (heights
 *   between the old host's last signature and the new one's first), systemd within 1.5x of process;
 * - a --scale host lab (default 30) of systemd hosts: up, every host answering, its memory (PSS
 *   of every process in the hosts' cgroups), down.
 * Needs root, ip netns, systemd-nspawn and debootstrap (the same as the systemd lab tests).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../src/paths.js';
import { readLabState } from '../src/lab/state.js';
import { generateInventory } from './generate-inventory.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 3);
const SCALE = arg('scale', 30);
const BUILD = !process.argv.includes('--no-build');
const STAKE = projectPath('bin', 'stake');
const COSMOS = projectPath('inventories', 'cosmos.yaml');
const BLOCK_MS = 200;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function stake(args: string[], env: Record<string, string> = {}, cwd?: string): { ms: number; out: string } {
  const started = Date.now();
  const r = spawnSync(STAKE, args, { encoding: 'utf8', env: { ...process.env, ...env }, cwd, timeout: 600_000 });
  const ms = Date.now() - started;
  if (r.status !== 0) throw new Error(`stake ${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return { ms, out: r.stdout };
}

function up(inventory: string, hosts: 'process' | 'systemd'): { dir: string; ms: number } {
  const dir = mkdtempSync(join(tmpdir(), `stake-bench-lab-${hosts}-`));
  const { ms } = stake([
    'lab',
    'up',
    '-i',
    inventory,
    '--dir',
    dir,
    '--hosts',
    hosts,
    '--block-time',
    String(BLOCK_MS),
  ]);
  return { dir, ms };
}
const down = (dir: string) => stake(['lab', 'down', '--dir', dir]).ms;

/** A deployed cosmos lab's failover: wall time and the heights no host signed across it. */
function failover(hosts: 'process' | 'systemd'): { deployMs: number; ms: number; gap: number } {
  const { dir } = up(COSMOS, hosts);
  try {
    const inventory = join(dir, 'inventory.yaml');
    const deployMs = stake(['deploy', '-i', inventory]).ms;
    spawnSync('sleep', ['2']);
    const approvals = ['alice', 'bob'].map((who) => {
      const file = join(dir, `${who}.approval`);
      stake([
        'failover',
        'approve',
        'cosmoshub',
        '--to',
        'val-waw',
        '--as',
        who,
        '--key',
        join(dir, 'operators', who),
        '-o',
        file,
        '-i',
        inventory,
      ]);
      return file;
    });
    const { ms } = stake([
      'failover',
      'cosmoshub',
      '--to',
      'val-waw',
      '--confirm',
      ...approvals.flatMap((a) => ['--approval', a]),
      '-i',
      inventory,
    ]);
    spawnSync('sleep', ['2']);
    const signatures = readFileSync(join(dir, 'chain', 'signatures.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { height: number; host: string });
    const oldLast = Math.max(...signatures.filter((x) => x.host === 'val-fra').map((x) => x.height));
    const newFirst = Math.min(...signatures.filter((x) => x.host === 'val-waw').map((x) => x.height));
    return { deployMs, ms, gap: newFirst - oldLast - 1 };
  } finally {
    down(dir);
  }
}

/** Every pid in a cgroup folder and below. */
function pidsUnder(cg: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) out.push(Number(p));
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  walk(cg);
  return out;
}
const pssKb = (pid: number) => {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

const rows: [string, string, string][] = [];

if (BUILD) {
  const cache = mkdtempSync(join(tmpdir(), 'stake-bench-cache-'));
  try {
    const { ms } = stake(['lab', 'rootfs'], { STAKE_CACHE_DIR: cache });
    rows.push(['rootfs built with debootstrap', s(ms), 'under 2 minutes']);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}
stake(['lab', 'rootfs']); // the cached one the labs below boot

for (const hosts of ['process', 'systemd'] as const) {
  const ups: number[] = [];
  const downs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const lab = up(COSMOS, hosts);
    ups.push(lab.ms);
    downs.push(down(lab.dir));
  }
  rows.push([`lab up, 9 ${hosts} hosts (median of ${RUNS})`, s(median(ups)), hosts === 'systemd' ? 'under 5 s' : '']);
  rows.push([`lab down, 9 ${hosts} hosts`, s(median(downs)), '']);
}

const fo = { process: failover('process'), systemd: failover('systemd') };
rows.push(['first deploy, 9 process hosts', s(fo.process.deployMs), '']);
rows.push([
  'first deploy, 9 systemd hosts',
  s(fo.systemd.deployMs),
  `${(fo.systemd.deployMs / fo.process.deployMs).toFixed(2)}x`,
]);
rows.push(['failover duration, process hosts', s(fo.process.ms), '']);
rows.push([
  'failover duration, systemd hosts',
  s(fo.systemd.ms),
  `within 1.5x: ${(fo.systemd.ms / fo.process.ms).toFixed(2)}x`,
]);
// the look-back (double_sign_check_height 10) sets the floor: the target starts 10 heights past the last signature
rows.push(['signing gap, process hosts', `${fo.process.gap} heights of ${BLOCK_MS} ms`, 'at least 9 (the look-back)']);
rows.push(['signing gap, systemd hosts', `${fo.systemd.gap} heights of ${BLOCK_MS} ms`, 'at least 9 (the look-back)']);

{
  const scratch = mkdtempSync(join(tmpdir(), 'stake-bench-scale-'));
  const inventory = join(scratch, 'scale.yaml');
  writeFileSync(inventory, generateInventory({ hosts: SCALE, identities: 3, datacenters: 3 }));
  const lab = up(inventory, 'systemd');
  try {
    const state = readLabState(join(lab.dir, 'lab.json'))!;
    const pids = state.hosts.flatMap((h) => pidsUnder(h.machine!.cgroups[0]!));
    const mb = pids.reduce((sum, p) => sum + pssKb(p), 0) / 1024;
    rows.push([`lab up, ${state.hosts.length} systemd hosts`, s(lab.ms), 'possible on 2 cores']);
    rows.push([
      `memory of ${state.hosts.length} idle systemd hosts (PSS)`,
      `${mb.toFixed(0)} MB (${(mb / state.hosts.length).toFixed(1)} MB each)`,
      '',
    ]);
  } finally {
    rows.push([`lab down, ${SCALE} systemd hosts`, s(down(lab.dir)), '']);
    rmSync(scratch, { recursive: true, force: true });
  }
}

const width = Math.max(...rows.map((r) => r[0].length));
const width2 = Math.max(...rows.map((r) => r[1].length));
for (const [what, figure, anchor] of rows) console.log(`${what.padEnd(width)}  ${figure.padEnd(width2)}  ${anchor}`);
