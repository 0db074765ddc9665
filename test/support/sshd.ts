/**
 * Real OpenSSH sshd test hosts on loopback (the notes on sshd test hosts, docs/ssh.md): each its own
 * address in 127.0.1.0/24 on a free port, its own host key, keys-only login with a generated
 * client key, and its own `root` folder. Stopped by pid, never by name.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bannerIn,
  freePort,
  keyOnly,
  keygen,
  knownHostsLine,
  startSshd,
  sshdUnavailable as sshdMissing,
  writeSshdConfig,
} from '../../src/lab/sshd.js';
import { atExit } from './last-resort.js';

export { ensurePrivsepDir, freePort, servicePort } from '../../src/lab/sshd.js';

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
  if (process.getuid?.() !== 0) return 'sshd test hosts need root (they log in as root)';
  return sshdMissing();
}

/** A host started inside a network namespace (src/lab/netns.ts) on port 22 of the given address. */
export interface Placement {
  /** The namespace's real name. */
  netns: string;
  address: string;
  /** A namespace this machine's stack can reach the address from (itself, or a neighbour), to wait for the banner. */
  probeFrom?: string;
}

export async function startTestHosts(
  names: string[],
  options: { firstAddress?: number; placement?: Record<string, Placement> } = {},
): Promise<TestHosts> {
  const dir = mkdtempSync(join(tmpdir(), 'stake-sshd-'));
  const hosts: TestHost[] = [];
  const started: ChildProcess[] = [];
  // were this process to end before stop(): its sshd daemons are children that would outlive it
  const lastResort = atExit(() => {
    for (const child of started) if (!exited(child)) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const stopHost = (host: TestHost) => stopChild(host.process);
  const stop = async () => {
    await Promise.all(started.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
    lastResort.done();
  };
  try {
    const clientKey = join(dir, 'client_ed25519');
    keygen(clientKey, 'stake-test-client');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
    const config = join(dir, 'sshd_config');
    writeSshdConfig(config, join(dir, 'authorized_keys'));
    const first = options.firstAddress ?? 10;
    const deadline = Date.now() + 20_000;
    const starting = names.map(async (name, i) => {
      const placed = options.placement?.[name];
      const address = placed?.address ?? `127.0.1.${first + i}`;
      const hostKey = join(dir, `${name}_host_ed25519`);
      keygen(hostKey, name);
      const root = join(dir, 'roots', name);
      mkdirSync(root, { recursive: true });
      const spec = {
        config,
        hostKey,
        address,
        pidFile: join(dir, `${name}.pid`),
        log: join(dir, `${name}.log`),
        ...(placed ? { netns: placed.netns, port: 22 } : {}),
      };
      const { child, port } = await startSshd(spec, {
        deadline,
        spawned: (c) => started.push(c),
        // on loopback a port is picked (and picked again if taken before sshd binds it); in a namespace it is 22
        ...(placed ? {} : { pickPort: () => freePort(address) }),
        ...(placed?.probeFrom ? { answers: (p: number) => bannerIn(placed.probeFrom!, address, p) } : {}),
      });
      return { name, address, port, hostKey: keyOnly(readFileSync(`${hostKey}.pub`, 'utf8')), root, process: child };
    });
    const settled = await Promise.allSettled(starting);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    hosts.push(...settled.map((r) => (r as PromiseFulfilledResult<TestHost>).value));
    const knownHosts = join(dir, 'known_hosts');
    // as OpenSSH writes them: a bare address for port 22, [address]:port otherwise
    writeFileSync(knownHosts, hosts.map((h) => knownHostsLine(h.address, h.port, h.hostKey)).join('\n') + '\n');
    return { dir, clientKey, hosts, knownHosts, stop, stopHost };
  } catch (err) {
    await stop();
    throw err;
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  // sshd's grace to end its sessions: SIGKILL only for one that has not exited within it
  await Promise.race([gone, new Promise((r) => setTimeout(r, 3000).unref())]);
  if (!exited(child)) child.kill('SIGKILL');
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
