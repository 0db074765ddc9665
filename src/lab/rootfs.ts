/**
 * The Debian tree every systemd lab host boots from (docs/lab.md, "systemd hosts"): built once
 * with debootstrap, kept in stake's cache folder under a name derived from what went into it, and
 * shared read-only by every host as the lower layer of its own overlay. A build goes to a
 * temporary folder that is renamed into place only once it is complete: a build killed half-way
 * leaves nothing that a later lab would boot.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const ROOTFS_SUITE = 'bookworm';

/**
 * What every lab host has, as a production Debian host running stake's units would: systemd and
 * D-Bus, OpenSSH, sudo for the deploy user, nftables and iproute2, procps (sysctl), openssl (the
 * host secrets deploy makes), unattended-upgrades (configured by the hardening profile), and
 * libstdc++ for the Node.js runtime the lab's simulated clients run on.
 */
export const ROOTFS_PACKAGES = [
  'ca-certificates',
  'dbus',
  'iproute2',
  'libstdc++6',
  'nftables',
  'openssh-server',
  'openssl',
  'procps',
  'sudo',
  'systemd',
  'systemd-sysv',
  'unattended-upgrades',
] as const;

/** The deploy user every lab host has: sudo for everything, no other group, no password. */
export const DEPLOY_USER = 'stake';

/**
 * Bumped when the changes made to the tree after debootstrap change: a cached tree built by an
 * older recipe is then built again rather than booted.
 */
const RECIPE = 3;

/** The cache folder's name for a tree: the suite and a digest of the recipe and package list. */
export function rootfsKey(packages: readonly string[] = ROOTFS_PACKAGES): string {
  const digest = createHash('sha256')
    .update(JSON.stringify({ suite: ROOTFS_SUITE, variant: 'minbase', recipe: RECIPE, packages: [...packages].sort() }))
    .digest('hex');
  return `${ROOTFS_SUITE}-${digest.slice(0, 16)}`;
}

/** stake's cache folder: STAKE_CACHE_DIR, else $XDG_CACHE_HOME/stake, else ~/.cache/stake. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STAKE_CACHE_DIR) return env.STAKE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'stake');
}

export const rootfsPath = (env: NodeJS.ProcessEnv = process.env) => join(cacheDir(env), 'rootfs', rootfsKey());

/** Why systemd hosts cannot run here, or undefined when they can. */
export function systemdHostsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'they need root (overlay mounts, network namespaces, cgroups)';
  if (!existsSync('/usr/bin/systemd-nspawn')) return 'no systemd-nspawn (apt-get install systemd-container)';
  if (!existsSync(join(rootfsPath(), 'etc', 'os-release')) && !existsSync('/usr/sbin/debootstrap'))
    return 'no cached rootfs and no debootstrap to build one (apt-get install debootstrap)';
  if (!existsSync('/sys/fs/cgroup/systemd') && !existsSync('/sys/fs/cgroup/cgroup.controllers'))
    return 'no systemd cgroup hierarchy under /sys/fs/cgroup';
  return undefined;
}

/** Where debootstrap fetches from: STAKE_DEBIAN_MIRROR, else Debian's own mirror. */
const mirror = (env: NodeJS.ProcessEnv) => env.STAKE_DEBIAN_MIRROR || 'http://deb.debian.org/debian';

export interface RootfsOptions {
  /** Progress lines for people (a build takes about a minute). */
  say(line: string): void;
  /** Build again even when a tree is cached. */
  rebuild?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The cached tree, built first when there is none. Returns its path. */
export async function ensureRootfs(options: RootfsOptions): Promise<{ path: string; built: boolean; ms: number }> {
  const env = options.env ?? process.env;
  const path = rootfsPath(env);
  const started = Date.now();
  if (!options.rebuild && existsSync(join(path, 'etc', 'os-release'))) return { path, built: false, ms: 0 };
  const partial = `${path}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  options.say(`rootfs: building Debian ${ROOTFS_SUITE} with debootstrap into ${path} (about a minute, once)`);
  try {
    await debootstrap(partial, env, options.say);
    finishTree(partial);
    if (options.rebuild) rmSync(path, { recursive: true, force: true });
    try {
      renameSync(partial, path);
    } catch (err) {
      // another lab finished the same build first: its tree is as good as this one
      if (!existsSync(join(path, 'etc', 'os-release'))) throw err;
      rmSync(partial, { recursive: true, force: true });
    }
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  const ms = Date.now() - started;
  options.say(`rootfs: built in ${(ms / 1000).toFixed(1)} s`);
  return { path, built: true, ms };
}

function debootstrap(into: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
  const args = ['--variant=minbase', `--include=${[...ROOTFS_PACKAGES].join(',')}`, ROOTFS_SUITE, into, mirror(env)];
  return new Promise((resolve, reject) => {
    const child = spawn('debootstrap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = '';
    let tail: string[] = [];
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        last = line.trim();
        tail = [...tail.slice(-9), last];
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    // one line every 10 s: where debootstrap is, without hundreds of lines of it
    const ticker = setInterval(() => say(`rootfs: ${last || 'starting debootstrap'}`), 10_000);
    child.once('error', (err) => {
      clearInterval(ticker);
      reject(new Error(`debootstrap could not start: ${err.message} (apt-get install debootstrap)`));
    });
    child.once('close', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `debootstrap ${ROOTFS_SUITE} failed (${signal ?? `exit ${code}`}): ${tail.join('; ') || 'no output'}; is ${mirror(env)} reachable (STAKE_DEBIAN_MIRROR names another)?`,
          ),
        );
    });
  });
}

/**
 * What every lab host needs beyond the packages, done once on the shared tree. Each host's own
 * identity (machine-id, hostname, SSH host key, the deploy user's authorized key) is written into
 * its overlay when it is made (machines.ts), never here.
 */
function finishTree(tree: string): void {
  const at = (...p: string[]) => join(tree, ...p);
  // nothing downloaded needs to stay: the lower layer of every host is read-only
  for (const dir of [at('var/cache/apt/archives'), at('var/lib/apt/lists')])
    for (const f of existsSync(dir) ? readdirSync(dir) : [])
      if (f.endsWith('.deb') || (dir.endsWith('lists') && f !== 'partial' && f !== 'lock')) rmSync(join(dir, f));
  // each host makes its own: a machine-id at first boot, host keys when it is made
  writeFileSync(at('etc/machine-id'), '');
  for (const f of readdirSync(at('etc/ssh'))) if (f.startsWith('ssh_host_')) rmSync(at('etc/ssh', f));
  // one host key type, ed25519: sshd then reads only that one (no rsa to generate per host)
  mkdirSync(at('etc/ssh/sshd_config.d'), { recursive: true });
  writeFileSync(
    at('etc/ssh/sshd_config.d/00-stake-lab-hostkey.conf'),
    '# stake lab: each host has one host key, made when the host is made\nHostKey /etc/ssh/ssh_host_ed25519_key\n',
  );
  // a container shares its machine's kernel: kernel.* keys are read-only inside, so Debian's own
  // kernel settings would make every `sysctl --system` fail; they are the machine's to set
  for (const f of ['50-pid-max.conf', '99-protect-links.conf', '50-default.conf'])
    if (existsSync(at('usr/lib/sysctl.d', f))) symlinkSync('/dev/null', at('etc/sysctl.d', f));
  // the lab's network reaches no Debian mirror: apt's daily timers would only fail, at random times
  for (const timer of ['apt-daily.timer', 'apt-daily-upgrade.timer'])
    symlinkSync('/dev/null', at('etc/systemd/system', timer));
  // the journal in memory: a host's disk stays small (about 8 MB otherwise, mostly journal)
  mkdirSync(at('etc/systemd/journald.conf.d'), { recursive: true });
  writeFileSync(
    at('etc/systemd/journald.conf.d/50-stake-lab.conf'),
    '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n',
  );
  // the deploy user: its own group only, sudo to root for anything, nothing else
  run('chroot', [tree, 'useradd', '--create-home', '--user-group', '--shell', '/bin/bash', DEPLOY_USER]);
  writeFileSync(
    at('etc/sudoers.d/50-stake-deploy'),
    `# stake lab: the deploy user becomes root through sudo (become: sudo), and has no other right\n${DEPLOY_USER} ALL=(root) NOPASSWD: ALL\n`,
    { mode: 0o440 },
  );
  chmodSync(at('etc/sudoers.d/50-stake-deploy'), 0o440);
  run('chroot', [tree, 'visudo', '-c', '-q']);
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.status}`}`);
  return r.stdout;
}

/** The deploy user's uid and gid in the tree (its /etc/passwd). */
export function deployUserIds(tree: string): { uid: number; gid: number; home: string } {
  const line = readFileSync(join(tree, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${DEPLOY_USER}:`));
  if (!line)
    throw new Error(
      `${tree}: no ${DEPLOY_USER} user in its /etc/passwd; build the rootfs again (stake lab rootfs --rebuild)`,
    );
  const [, , uid, gid, , home] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), home: home! };
}
