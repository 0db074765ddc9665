/**
 * Real OpenSSH sshd daemons for lab and test hosts (the notes on sshd test hosts, docs/ssh.md): each its
 * own host key, keys-only login, its own log. Stopped by pid, never by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { waitFor } from '../wait.js';

export const SSHD = '/usr/sbin/sshd';

/** Why sshd hosts cannot run here, or undefined when they can. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `no ${SSHD} (apt-get install openssh-server)`;
  if (!existsSync('/usr/bin/ssh-keygen')) return 'no ssh-keygen (apt-get install openssh-client)';
  return undefined;
}

/** Makes an ed25519 key pair without a passphrase; returns the public key line. */
export function keygen(path: string, comment: string): string {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen -f ${path}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

/** The `type base64` part of a public key line, as known_hosts holds it. */
export const keyOnly = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');

/** Writes an sshd_config for lab or test hosts that accepts only the keys in authorizedKeys. */
export function writeSshdConfig(path: string, authorizedKeys: string): void {
  writeFileSync(
    path,
    [
      `AuthorizedKeysFile ${authorizedKeys}`,
      'StrictModes no', // keys live under /tmp or a project folder
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes', // jump hosts
      'MaxStartups 500:30:1000',
      'MaxSessions 200',
      'SetEnv SHLVL=1', // see the notes: no login-shell rc files in timings
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
}

export interface SshdSpec {
  config: string;
  hostKey: string;
  address: string;
  port: number;
  pidFile: string;
  log: string;
  /** Run inside this network namespace (`ip netns exec` execs sshd in place: the pid is sshd's). */
  netns?: string;
  /** Outlive this process (a lab): its own session, no handles kept. */
  detached?: boolean;
}

/**
 * sshd's privilege separation folder, which even `sshd -t` and `-T` insist on. On a host that runs
 * sshd as a service its unit makes it (RuntimeDirectory); a machine where sshd is only installed has none.
 */
export function ensurePrivsepDir(): void {
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

export function spawnSshd(spec: SshdSpec): ChildProcess {
  ensurePrivsepDir();
  const argv = [
    '-D',
    '-r',
    '-f',
    spec.config,
    '-h',
    spec.hostKey,
    '-o',
    `ListenAddress=${spec.address}`,
    '-o',
    `Port=${spec.port}`,
    '-o',
    `PidFile=${spec.pidFile}`,
    '-E',
    spec.log,
  ];
  const child = spec.netns
    ? spawn('ip', ['netns', 'exec', spec.netns, SSHD, ...argv], { stdio: 'ignore', detached: spec.detached ?? false })
    : spawn(SSHD, argv, { stdio: 'ignore', detached: spec.detached ?? false });
  if (spec.detached) child.unref();
  return child;
}

/**
 * A port nothing listens on at this moment, from the kernel's ephemeral range. It is free only at
 * the moment it is picked: another process may bind it before the server that is meant to, so
 * sshd is started through startSshd, which tries another port when that happens.
 */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free port below the kernel's ephemeral range (32768 and up), for a service: a port from the
 * ephemeral range may meanwhile be taken by an outgoing connection (dozens of SSH connections
 * are), and the service could then not bind it.
 */
export async function servicePort(address = '127.0.0.1'): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, address, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

/** Whether address:port answers with an SSH banner now (one try). */
export function bannerAt(address: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: address, port });
    socket.setTimeout(1000);
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('SSH-'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The same from inside a namespace (for hosts this machine's own stack cannot reach). */
export async function bannerIn(netns: string, address: string, port: number): Promise<boolean> {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', netns, 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port} && head -c 4 <&3`],
    { encoding: 'utf8', timeout: 2000 },
  );
  return r.stdout?.startsWith('SSH-') ?? false;
}

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);
/** What a log gained since it was `from` bytes long, on one line. */
const logSince = (path: string, from: number) =>
  existsSync(path)
    ? readFileSync(path)
        .subarray(from)
        .toString('utf8')
        .trim()
        .replace(/\s*\n\s*/g, '; ')
    : '';
const ended = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
const PORT_TAKEN = /Address already in use/;

export interface StartSshdOptions {
  deadline: number;
  /** Picks the port of each try; without it, spec.port is the only one tried. */
  pickPort?: () => Promise<number>;
  /** How many ports pickPort may give before starting fails. */
  attempts?: number;
  /** One try at seeing sshd's banner on the port; by default from this machine at spec.address. */
  answers?: (port: number) => Promise<boolean>;
  /** Told of every sshd started, at once: a caller that must record it (a lab's state) before the wait. */
  spawned?: (child: ChildProcess, port: number) => void;
}

/**
 * Starts sshd and returns once it is the one answering on its port: its pid file (written after
 * its sockets are bound) names it, and the port shows an SSH banner. When another process took
 * the port between the pick and sshd's bind, sshd logs "Address already in use" and exits; with
 * pickPort, the next try uses a new port, at most `attempts` tries. Without pickPort (a port an
 * inventory names), or for any other exit, it fails with sshd's own words. On failure nothing it
 * started is left running.
 */
export async function startSshd(
  spec: Omit<SshdSpec, 'port'> & { port?: number },
  options: StartSshdOptions,
): Promise<{ child: ChildProcess; port: number }> {
  const attempts = options.pickPort ? (options.attempts ?? 5) : 1;
  const answers = options.answers ?? ((port: number) => bannerAt(spec.address, port));
  for (let attempt = 1; ; attempt++) {
    const port = options.pickPort ? await options.pickPort() : spec.port;
    if (port === undefined) throw new Error('startSshd: a port or pickPort');
    rmSync(spec.pidFile, { force: true });
    const logFrom = sizeOf(spec.log);
    const child = spawnSshd({ ...spec, port });
    options.spawned?.(child, port);
    const ours = () => existsSync(spec.pidFile) && Number(readFileSync(spec.pidFile, 'utf8')) === child.pid;
    const where = `${spec.address}:${port}${spec.netns ? ` in ${spec.netns}` : ''}`;
    let outcome: 'answering' | 'exited';
    try {
      outcome = await waitFor(async () => (ended(child) ? 'exited' : ours() && (await answers(port)) && 'answering'), {
        timeoutMs: Math.max(0, options.deadline - Date.now()),
        what: `sshd on ${where} to answer`,
        lastSeen: () => logSince(spec.log, logFrom) || 'nothing in its log',
      });
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    if (outcome === 'answering') return { child, port };
    const said = logSince(spec.log, logFrom);
    if (attempt < attempts && PORT_TAKEN.test(said)) continue;
    const how = child.signalCode ?? `exit ${child.exitCode}`;
    const tries = attempt > 1 ? ` (try ${attempt} of ${attempts}, each port taken)` : '';
    throw new Error(`sshd on ${where} did not start (${how})${tries}: ${said || 'nothing in its log'}`);
  }
}

/** known_hosts lines as OpenSSH writes them: a bare address for port 22, [address]:port otherwise. */
export const knownHostsLine = (address: string, port: number, key: string) =>
  `${port === 22 ? address : `[${address}]:${port}`} ${keyOnly(key)}`;
