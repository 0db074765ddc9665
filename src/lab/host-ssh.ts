/**
 * A lab host's sshd, started, cut and restored: `lab up` starts them all; `stake lab cut HOST` and
 * `stake lab heal HOST` take one host's SSH away and bring it back, so drills and tests can lose a
 * host at a chosen instant (its services keep running, as a host whose network to the operator
 * failed would).
 */
import { join } from 'node:path';
import { labPaths } from './layout.js';
import { inMachine } from './machines.js';
import { childrenOf, isRunning, recordProcess, stopProcess } from './processes.js';
import { bannerAt, freePort, startSshd } from './sshd.js';
import { readLabState, writeLabState, type LabHostRecord, type LabState } from './state.js';

/**
 * Starts a host's sshd with its own host key and returns once it answers. Each sshd started is
 * recorded in the host's record at once and `recorded` is called (the caller writes the state),
 * so a lab that fails or is killed meanwhile still has it on record for `lab down`. On loopback
 * with `pickPort`, the port is picked here and picked again if another process takes it first.
 */
export async function startHostSshd(
  dir: string,
  state: Pick<LabState, 'mode' | 'addressing'>,
  h: LabHostRecord,
  options: { deadline: number; recorded: () => void; pickPort?: boolean },
): Promise<void> {
  const paths = labPaths(dir);
  const dirOf = paths.host(h.name);
  const address = state.addressing.hosts[h.name]!.address;
  const pick = options.pickPort && state.mode === 'loopback';
  await startSshd(
    {
      config: paths.sshdConfig,
      hostKey: join(dirOf, 'ssh_host_ed25519_key'),
      address: state.mode === 'netns' ? '0.0.0.0' : address,
      port: h.sshPort,
      pidFile: join(dirOf, 'sshd.pid'),
      log: join(dirOf, 'sshd.log'),
      detached: true,
      ...(h.netns ? { netns: h.netns } : {}),
    },
    {
      deadline: options.deadline,
      ...(pick ? { pickPort: () => freePort(address) } : {}),
      // in a namespace sshd listens on every address there; this machine reaches the host's own
      answers: (port) => bannerAt(address, port),
      spawned: (child, port) => {
        h.sshd = recordProcess(child.pid!, `sshd ${h.name}`);
        h.sshPort = port;
        options.recorded();
      },
    },
  );
}

function hostIn(dir: string, name: string): { state: LabState; host: LabHostRecord } {
  const state = readLabState(labPaths(dir).state);
  if (!state) throw new Error(`no lab in ${dir}`);
  const host = state.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no host ${name} in the lab (${state.hosts.map((h) => h.name).join(', ')})`);
  return { state, host };
}

/**
 * A systemd host's SSH, cut or brought back from outside (its namespaces entered, no SSH): cut
 * stops ssh.service and kills every sshd process in the host (the listener and each connection;
 * all of them the lab's, the host being the lab's), heal starts ssh.service again.
 */
function machineSsh(host: LabHostRecord, heal: boolean): boolean {
  const m = host.machine!;
  const up = inMachine(m, 'systemctl is-active --quiet ssh.service').status === 0;
  if (up === heal) return false;
  const command = heal
    ? 'systemctl start ssh.service'
    : 'systemctl stop ssh.service && for p in $(pgrep -x sshd); do kill -KILL "$p" 2>/dev/null || true; done';
  const r = inMachine(m, command);
  if (r.status !== 0)
    throw new Error(`${heal ? 'starting' : 'stopping'} sshd on ${host.name}: ${(r.stderr || r.stdout).trim()}`);
  return true;
}

/** Cuts a host's SSH: its sshd and every open connection through it are killed (by recorded pid). */
export async function cutHost(dir: string, name: string): Promise<boolean> {
  const { host } = hostIn(dir, name);
  if (host.machine) return machineSsh(host, false);
  if (!host.sshd || !isRunning(host.sshd)) return false;
  const connections = childrenOf(host.sshd.pid);
  await stopProcess(host.sshd, 1000);
  await Promise.all(connections.map((c) => stopProcess(c, 500)));
  return true;
}

/** Brings a cut host's SSH back; nothing to do when it answers. */
export async function healHost(dir: string, name: string): Promise<boolean> {
  const { state, host } = hostIn(dir, name);
  if (host.machine) return machineSsh(host, true);
  if (host.sshd && isRunning(host.sshd)) return false;
  // the port stays the one the lab inventory names
  await startHostSshd(dir, state, host, {
    deadline: Date.now() + 10_000,
    recorded: () => writeLabState(labPaths(dir).state, state),
  });
  return true;
}
