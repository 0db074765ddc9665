/**
 * systemd lab hosts (docs/lab.md, "systemd hosts"): each a Debian machine booted by systemd-nspawn
 * over its own overlay of the shared rootfs, in the host's own network namespace on the lab
 * bridge. Everything made here is recorded in the host's MachineRecord before or as it is made,
 * so `lab down` can undo exactly that: the nspawn process by pid and start time, the overlay by
 * its mount point, the cgroups by path.
 *
 * The settings are the ones measured to work on a machine whose PID 1 is not systemd (the notes
 * of this project's development, docs/lab.md): --register=no --keep-unit (no machined, no D-Bus
 * outside), a cgroup of the host's own in both hierarchies, the unified hierarchy inside,
 * /proc/sys/net writable and CAP_NET_ADMIN (sysctl and nft inside).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { shq } from '../ssh/shell.js';
import { waitFor } from '../wait.js';
import { INOTIFY_INSTANCES, instancesTaken, labHostsRunning } from './machine-settings.js';
import { isRunning, recordProcess, stopProcess, type ProcessRecord } from './processes.js';
import { deployUserIds } from './rootfs.js';
import { bannerAt } from './sshd.js';

/** What the lab made for one systemd host. */
export interface MachineRecord {
  /** The shared read-only tree. */
  lower: string;
  upper: string;
  work: string;
  /** The host's `/` as this machine sees it: the overlay's mount point. */
  merged: string;
  /** The host's cgroup folders, one per hierarchy, made by the lab. */
  cgroups: string[];
  /** The systemd-nspawn process while the host runs. */
  nspawn?: ProcessRecord;
  log: string;
}

export interface MachineSpec {
  name: string;
  netns: string;
  /** The address the machine reaches the host's sshd on. */
  address: string;
  sshPort: number;
  /** host path -> path inside, read-only. */
  binds: { from: string; to: string }[];
  /** Words for the host's systemd, as on a kernel command line (`systemd.mask=UNIT`). */
  initArgs?: string[];
}

const CGROUP_ROOTS = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'];

/** The record of a host not made yet: where its pieces will be. */
export function machineRecord(hostDir: string, lower: string, cgroupName: string): MachineRecord {
  return {
    lower,
    upper: join(hostDir, 'upper'),
    work: join(hostDir, 'work'),
    merged: join(hostDir, 'root'),
    cgroups: CGROUP_ROOTS.filter((r) => existsSync(r)).map((r) => join(r, cgroupName)),
    log: join(hostDir, 'console.log'),
  };
}

const mounted = (path: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);

function run(command: string, args: string[], what: string): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0)
    throw new Error(`${what}: ${(r.stderr || r.stdout || '').trim() || `exit ${r.status ?? r.signal}`}`);
  return r.stdout;
}

/**
 * Makes the host's disk: its overlay mounted, and on first use its own identity written into its
 * upper layer: a machine-id, its hostname, one SSH host key, the deploy user's authorized key.
 * Returns the host's public host key line.
 */
export function prepareMachine(m: MachineRecord, spec: MachineSpec, authorizedKey?: string): string {
  const fresh = !existsSync(m.upper);
  if (fresh && authorizedKey === undefined) throw new Error(`${spec.name} has no disk yet: it is made by lab up`);
  for (const d of [m.upper, m.work, m.merged]) mkdirSync(d, { recursive: true, mode: 0o755 });
  if (!mounted(m.merged))
    run(
      'mount',
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=${m.lower},upperdir=${m.upper},workdir=${m.work}`, m.merged],
      `mounting the overlay of ${spec.name}`,
    );
  const at = (p: string) => join(m.merged, p);
  if (fresh) {
    // a fixed machine-id of its own: the same across reboots, as a real host's
    writeFileSync(at('etc/machine-id'), `${randomBytes(16).toString('hex')}\n`, { mode: 0o444 });
    writeFileSync(at('etc/hostname'), `${spec.name}\n`);
    // debootstrap leaves no /etc/hosts; sudo resolves the host's own name through it
    const hosts = existsSync(at('etc/hosts'))
      ? readFileSync(at('etc/hosts'), 'utf8')
      : '127.0.0.1 localhost\n::1 localhost\n';
    writeFileSync(at('etc/hosts'), `${hosts.trimEnd()}\n127.0.1.1 ${spec.name}\n`);
    run(
      'ssh-keygen',
      ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${spec.name}`, '-f', at('etc/ssh/ssh_host_ed25519_key')],
      `making the SSH host key of ${spec.name}`,
    );
    const ids = deployUserIds(m.merged);
    const ssh = join(m.merged, ids.home, '.ssh');
    mkdirSync(ssh, { recursive: true, mode: 0o700 });
    writeFileSync(join(ssh, 'authorized_keys'), `${authorizedKey!.trim()}\n`, { mode: 0o600 });
    chownSync(ssh, ids.uid, ids.gid);
    chownSync(join(ssh, 'authorized_keys'), ids.uid, ids.gid);
  }
  return readFileSync(at('etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').trim();
}

/** The container's PID 1 as this machine sees it (nspawn's child), or undefined before it exists. */
export function leaderOf(m: MachineRecord): number | undefined {
  if (!m.nspawn || !isRunning(m.nspawn)) return undefined;
  try {
    const children = readFileSync(`/proc/${m.nspawn.pid}/task/${m.nspawn.pid}/children`, 'utf8').trim();
    const first = Number(children.split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : undefined;
  } catch {
    return undefined;
  }
}

/** nsenter's arguments for a shell command inside the host whose PID 1 is `leader`, every namespace entered. */
export const nsenterArgs = (leader: number, command: string) => [
  '-t',
  String(leader),
  '-m',
  '-u',
  '-i',
  '-n',
  '-p',
  '--',
  '/bin/sh',
  '-c',
  command,
];

/** A command inside a running host, as root, without SSH (its namespaces entered). */
export function inMachine(m: MachineRecord, command: string, timeoutMs = 30_000) {
  const leader = leaderOf(m);
  if (!leader) throw new Error('the host is not running');
  return spawnSync('nsenter', nsenterArgs(leader, command), { encoding: 'utf8', timeout: timeoutMs });
}

/**
 * Boots the host and returns once its sshd answers and systemd has finished starting it. The
 * nspawn process is recorded (`recorded`) as soon as it exists.
 */
export async function bootMachine(
  m: MachineRecord,
  spec: MachineSpec,
  options: { deadline: number; recorded: () => void },
): Promise<void> {
  for (const cg of m.cgroups) mkdirSync(cg, { recursive: true });
  const nspawn = [
    'systemd-nspawn',
    '--quiet',
    '--register=no',
    '--keep-unit',
    '--boot',
    `--directory=${m.merged}`,
    `--machine=${spec.name}`,
    `--network-namespace-path=/run/netns/${spec.netns}`,
    '--capability=CAP_NET_ADMIN',
    '--console=passive',
    ...spec.binds.map((b) => `--bind-ro=${b.from}:${b.to}`),
    ...(spec.initArgs?.length ? ['--', ...spec.initArgs] : []),
  ];
  // the shell joins the host's own cgroups, then becomes nspawn (same pid): nothing of it lands
  // in this machine's root cgroup
  const join_ = m.cgroups.map((cg) => `echo $$ > ${shq(join(cg, 'cgroup.procs'))}`).join(' && ');
  const out = openSync(m.log, 'a');
  const child = spawn('/bin/sh', ['-c', `${join_ ? `${join_} && ` : ''}exec ${nspawn.map(shq).join(' ')}`], {
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1',
      SYSTEMD_NSPAWN_API_VFS_WRITABLE: 'network',
    },
  });
  child.unref();
  closeSync(out);
  m.nspawn = recordProcess(child.pid!, `systemd host ${spec.name}`);
  options.recorded();
  const lastLog = () =>
    existsSync(m.log)
      ? readFileSync(m.log, 'utf8').trim().split('\n').slice(-3).join('; ') || 'nothing in its console log'
      : 'no console log';
  await waitFor(async () => !isRunning(m.nspawn!) || (await bannerAt(spec.address, spec.sshPort)), {
    timeoutMs: Math.max(0, options.deadline - Date.now()),
    what: `${spec.name} to boot and its sshd to answer on ${spec.address}:${spec.sshPort}`,
    lastSeen: lastLog,
  });
  if (!isRunning(m.nspawn)) throw new Error(`${spec.name} did not boot: ${lastLog()}`);
  const booted = inMachine(m, 'systemctl is-system-running --wait', Math.max(1000, options.deadline - Date.now()));
  const said = booted.stdout.trim();
  if (said !== 'running') {
    const failed = inMachine(m, 'systemctl --failed --no-legend --plain | cut -d" " -f1').stdout.trim();
    throw new Error(
      `${spec.name} booted ${said || 'into no known state'}${failed ? `: failed units ${failed.split('\n').join(', ')}` : ''}${inotifyShort()}`,
    );
  }
}

/**
 * Why a host may have booted degraded: path units and logins fail when root is out of inotify
 * instances (machine-settings.ts), which a limit lowered while labs boot leaves behind.
 */
function inotifyShort(): string {
  const running = labHostsRunning();
  let limit: number;
  try {
    limit = Number(readFileSync(INOTIFY_INSTANCES, 'utf8').trim());
  } catch {
    return '';
  }
  if (!(limit < instancesTaken(running))) return '';
  return ` (${INOTIFY_INSTANCES} is ${limit} with ${running} systemd lab hosts running, under the about ${instancesTaken(running)} they take: a host short of inotify instances fails its path units; see docs/lab.md)`;
}

/**
 * Powers the host off: SIGTERM to nspawn is a clean shutdown of the systemd inside (every
 * service stopped as on a real poweroff), SIGKILL after the grace. Its disk is kept.
 */
export async function powerOff(m: MachineRecord, graceMs = 20_000): Promise<boolean> {
  if (!m.nspawn) return false;
  const stopped = (await stopProcess(m.nspawn, graceMs)) === 'stopped';
  delete m.nspawn;
  return stopped;
}

/** Every process in the host's cgroups: the host's by construction (nspawn put them there). */
export function machineProcesses(m: MachineRecord): number[] {
  const pids = new Set<number>();
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p));
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  for (const cg of m.cgroups) walk(cg);
  return [...pids];
}

/**
 * Power loss: every process of the host killed at once (nspawn, then whatever is left in the
 * host's cgroups: a container's init outlives an nspawn killed alone). Its disk is kept.
 */
export async function pullThePlug(m: MachineRecord): Promise<void> {
  if (m.nspawn && isRunning(m.nspawn)) process.kill(m.nspawn.pid, 'SIGKILL');
  await waitFor(
    () => {
      const left = machineProcesses(m);
      for (const pid of left)
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      return left.length === 0;
    },
    { timeoutMs: 10_000, intervalMs: 50, what: 'every process of the host to be gone' },
  );
  delete m.nspawn;
}

/** Undoes everything prepareMachine and bootMachine made, but the folders (lab down removes those). */
export async function removeMachine(m: MachineRecord): Promise<void> {
  // after a crash (nspawn gone, its container's init left running) nothing may hold the overlay
  if (machineProcesses(m).length) await pullThePlug(m);
  if (mounted(m.merged)) {
    const r = spawnSync('umount', [m.merged], { encoding: 'utf8' });
    if (r.status !== 0) run('umount', ['--lazy', m.merged], `unmounting ${m.merged}`);
  }
  for (const cg of m.cgroups) removeCgroup(cg);
}

/** A cgroup folder and those nspawn made inside it, deepest first (rmdir is how a cgroup goes). */
function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true }))
    if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  try {
    rmdirSync(path);
  } catch (err) {
    throw new Error(`removing cgroup ${path}: ${(err as Error).message} (a process is still in it?)`, { cause: err });
  }
}
