/**
 * Real OpenSSH sshd daemons for lab and test hosts (the notes on sshd test hosts, docs/ssh.md): each its
 * own host key, keys-only login, its own log. Stopped by pid, never by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

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

export function spawnSshd(spec: SshdSpec): ChildProcess {
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation
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

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once address:port answers with an SSH banner; throws at the deadline. */
export async function waitForBanner(address: string, port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
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
    if (ok) return;
    await pause(50);
  }
  throw new Error(`sshd on ${address}:${port} did not answer in time`);
}

/** The same, from inside a namespace (for hosts this machine's own stack cannot reach). */
export async function waitForBannerIn(netns: string, address: string, port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', netns, 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port} && head -c 4 <&3`],
      { encoding: 'utf8', timeout: 2000 },
    );
    if (r.stdout?.startsWith('SSH-')) return;
    await pause(50);
  }
  throw new Error(`sshd on ${address}:${port} in ${netns} did not answer in time`);
}

/** known_hosts lines as OpenSSH writes them: a bare address for port 22, [address]:port otherwise. */
export const knownHostsLine = (address: string, port: number, key: string) =>
  `${port === 22 ? address : `[${address}]:${port}`} ${keyOnly(key)}`;
