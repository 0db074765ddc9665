/**
 * Real OpenSSH sshd test hosts on loopback (../shared/notes/sshd-test-hosts.md): each its own
 * address in 127.0.1.0/24 on a free port, its own host key, keys-only login with a generated
 * client key, and its own `root` folder. Stopped by pid, never by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestHost {
  name: string;
  address: string;
  port: number;
  /** The host key's public line (`ssh-ed25519 AAAA...`). */
  hostKey: string;
  /** This host's `root` prefix. */
  root: string;
  process: ChildProcess;
}

export interface TestHosts {
  dir: string;
  /** Private key that logs in to every host. */
  clientKey: string;
  hosts: TestHost[];
  /** A known_hosts file that trusts every host. */
  knownHosts: string;
  stop(): Promise<void>;
  stopHost(host: TestHost): Promise<void>;
}

/** Why sshd test hosts cannot run here, or undefined when they can. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (apt-get install openssh-server; .ci/run does)';
  if (process.getuid?.() !== 0) return 'sshd test hosts need root (they log in as root)';
  return undefined;
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
 * A free port below the kernel's ephemeral range (32768 and up), for a service a test starts:
 * a port from the ephemeral range may meanwhile be taken by an outgoing connection (dozens of
 * SSH connections are), and the service could then not bind it.
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

/** Resolves once the host answers with an SSH banner. */
async function waitForBanner(address: string, port: number, deadline: number): Promise<void> {
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
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd on ${address}:${port} did not answer in time`);
}

const keygen = (path: string, comment: string) => spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });

/** A host started inside a network namespace (test/netns.ts) on port 22 of the given address. */
export interface Placement {
  /** The namespace's real name. */
  netns: string;
  address: string;
  /** A namespace this machine's stack can reach the address from (itself, or a neighbour), to wait for the banner. */
  probeFrom?: string;
}

/** Waits for a banner from inside a namespace (for hosts this machine cannot reach directly). */
async function waitForBannerIn(netns: string, address: string, port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const r = spawnSync('ip', ['netns', 'exec', netns, 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port} && head -c 4 <&3`], { encoding: 'utf8', timeout: 2000 });
    if (r.stdout.startsWith('SSH-')) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`sshd on ${address}:${port} in ${netns} did not answer in time`);
}

export async function startTestHosts(names: string[], options: { firstAddress?: number; placement?: Record<string, Placement> } = {}): Promise<TestHosts> {
  const dir = mkdtempSync(join(tmpdir(), 'stake-sshd-'));
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const clientKey = join(dir, 'client_ed25519');
  keygen(clientKey, 'stake-test-client');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin yes',
      'AllowTcpForwarding yes',
      'MaxStartups 500:30:1000',
      'MaxSessions 200',
      'SetEnv SHLVL=1',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const hosts: TestHost[] = [];
  const first = options.firstAddress ?? 10;
  const stopHost = async (host: TestHost) => {
    if (host.process.exitCode !== null || host.process.signalCode !== null) return;
    const exited = new Promise((r) => host.process.once('exit', r));
    host.process.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (host.process.exitCode === null && host.process.signalCode === null) host.process.kill('SIGKILL');
  };
  const stop = async () => {
    await Promise.all(hosts.map(stopHost));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, name] of names.entries()) {
      const placed = options.placement?.[name];
      const address = placed?.address ?? `127.0.1.${first + i}`;
      const port = placed ? 22 : await freePort(address);
      const hostKey = join(dir, `${name}_host_ed25519`);
      keygen(hostKey, name);
      const root = join(dir, 'roots', name);
      mkdirSync(root, { recursive: true });
      // `ip netns exec` execs sshd in place: the child's pid is sshd's own
      const child = spawn(placed ? 'ip' : '/usr/sbin/sshd', [...(placed ? ['netns', 'exec', placed.netns, '/usr/sbin/sshd'] : []), '-D', '-f', config, '-h', hostKey, '-o', `ListenAddress=${address}`, '-o', `Port=${port}`, '-o', `PidFile=${join(dir, `${name}.pid`)}`, '-E', join(dir, `${name}.log`)], { stdio: 'ignore' });
      hosts.push({ name, address, port, hostKey: readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' '), root, process: child });
    }
    const deadline = Date.now() + 10_000;
    await Promise.all(hosts.map((h) => {
      const placed = options.placement?.[h.name];
      return placed?.probeFrom ? waitForBannerIn(placed.probeFrom, h.address, h.port, deadline) : waitForBanner(h.address, h.port, deadline);
    }));
  } catch (err) {
    await stop();
    throw err;
  }
  const knownHosts = join(dir, 'known_hosts');
  // as OpenSSH writes them: a bare address for port 22, [address]:port otherwise
  writeFileSync(knownHosts, hosts.map((h) => `${h.port === 22 ? h.address : `[${h.address}]:${h.port}`} ${h.hostKey}`).join('\n') + '\n');
  return { dir, clientKey, hosts, knownHosts, stop, stopHost };
}

/** Stops the services a test started on its hosts, each by the pid in its pid file (never by name). */
export function stopServices(roots: string[], service = 'cometbft'): void {
  for (const root of roots) {
    const pidFile = join(root, 'var/lib/stake/run', `${service}.pid`);
    if (!existsSync(pidFile)) continue;
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
