/**
 * `npm run bench:status -- --hosts 200`: `stake status` on a lab of N hosts, in one run, beside
 * its anchors:
 * - the target: under 3 s wall for 200 hosts;
 * - the floor: one OpenSSH `ssh -J bastion HOST true` per host, all in parallel, through the same
 *   bastion: what any tool pays to touch every host once;
 * - `node -e 0`: the start-up every command pays.
 * The lab is the generated cosmos inventory (bench/generate-inventory.ts) brought up with
 * `stake lab up` and deployed with `stake deploy`, so every cometbft host runs its simulated
 * client and status reads real metrics endpoints, files and processes over real SSH.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { projectPath } from '../src/paths.js';
import { generateInventory } from './generate-inventory.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const HOSTS = arg('hosts', 200);
const RUNS = arg('runs', 5);
const STAKE = projectPath('bin', 'stake');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function timed(cmd: string, args: string[], ok = [0]): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!ok.includes(r.status ?? -1)) throw new Error(`${cmd} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout };
}

/** Every lab host at once over OpenSSH through the bastion, as the lab inventory says to reach them. */
async function sshFloor(inventory: string): Promise<number> {
  const inv = parse(readFileSync(inventory, 'utf8')) as {
    ssh: { user: string; identity: string; known_hosts: string; jump: string };
    hosts: Record<string, { address: string; ssh?: { port?: number } }>;
  };
  const jump = inv.hosts[inv.ssh.jump]!;
  const common = [
    '-i',
    resolve(dirname(inventory), inv.ssh.identity),
    '-o',
    `UserKnownHostsFile=${resolve(dirname(inventory), inv.ssh.known_hosts)}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'KexAlgorithms=curve25519-sha256',
    '-o',
    'SetEnv=SHLVL=1',
  ];
  const proxy = `ssh ${common.join(' ')} -p ${jump.ssh?.port ?? 22} -W %h:%p ${inv.ssh.user}@${jump.address}`;
  const targets = Object.entries(inv.hosts).filter(([name]) => name !== inv.ssh.jump);
  const start = process.hrtime.bigint();
  await Promise.all(
    targets.map(
      ([, h]) =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(
            'ssh',
            [
              ...common,
              '-o',
              `ProxyCommand=${proxy}`,
              '-p',
              String(h.ssh?.port ?? 22),
              `${inv.ssh.user}@${h.address}`,
              'true',
            ],
            { stdio: 'ignore' },
          );
          p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh to ${h.address} exited ${code}`))));
        }),
    ),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const dir = mkdtempSync(join(tmpdir(), 'stake-bench-status-'));
const lab = join(dir, 'lab');
try {
  const identities = Math.floor(HOSTS / 5);
  const source = join(dir, 'inventory.yaml');
  writeFileSync(source, generateInventory({ hosts: HOSTS, identities }));
  const up = timed(STAKE, ['lab', 'up', '-i', source, '--dir', lab, '--block-time', '1000']);
  const inventory = join(lab, 'inventory.yaml');
  const deploy = timed(STAKE, ['deploy', '-i', inventory, '--parallel', '50']);
  console.log(
    `bench:status  (${HOSTS} lab hosts, ${identities} identities; lab up ${(up.ms / 1000).toFixed(1)} s, deploy ${(deploy.ms / 1000).toFixed(1)} s; median of ${RUNS})`,
  );

  const node = median(Array.from({ length: 3 }, () => timed(process.execPath, ['-e', '0']).ms));
  const samples: number[] = [];
  let report:
    | {
        hosts: { reachable: boolean; services: { state: string }[] }[];
        identities: { live?: string; lastSigned?: number }[];
        tookMs: number;
      }
    | undefined;
  for (let i = 0; i < RUNS; i++) {
    const r = timed(STAKE, ['status', '--json', '-i', inventory], [0, 1, 5]);
    samples.push(r.ms);
    report = JSON.parse(r.stdout) as typeof report;
  }
  const floors = [await sshFloor(inventory), await sshFloor(inventory)];
  const status = median(samples);
  const floor = Math.min(...floors);
  const row = (name: string, ms: number, note: string) =>
    console.log(`${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms   ${note}`);
  row('node -e 0', node, '(anchor)');
  row(`ssh -J bastion HOST true, ${HOSTS - 1} in parallel`, floor, '(floor: touching every host once)');
  row(
    `stake status, ${HOSTS} hosts`,
    status,
    `target < 3000 ms  ${status < 3000 ? 'ok' : 'MISSED'}   ${(status / floor).toFixed(2)}x the floor   runs ${samples.map((s) => s.toFixed(0)).join(' ')}`,
  );
  const reached = report!.hosts.filter((h) => h.reachable).length;
  const up2 = report!.hosts.flatMap((h) => h.services).filter((s) => s.state === 'active').length;
  const signing = report!.identities.filter((i) => i.lastSigned !== undefined).length;
  console.log(
    `  last run: ${reached}/${report!.hosts.length} hosts reached, ${up2} services up, ${signing}/${report!.identities.length} identities signing; gathering took ${report!.tookMs} ms of it`,
  );
} finally {
  spawnSync(STAKE, ['lab', 'down', '--dir', lab], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
