/**
 * The lab's systemd hosts as a whole (docs/lab.md, "systemd hosts"): booted together by `lab up`,
 * one rebooted by `stake lab reboot`. The machine mechanics are machines.ts; this is what the lab
 * puts into each: its namespace, the deploy user's key, and the read-only binds the simulated
 * clients run from.
 */
import { chmodSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { PROJECT_ROOT } from '../paths.js';
import { IN_HOST, labPaths } from './layout.js';
import { labHostsRunning, raiseForHosts } from './machine-settings.js';
import {
  bootMachine,
  machineProcesses,
  machineRecord,
  powerOff,
  prepareMachine,
  pullThePlug,
  type MachineSpec,
} from './machines.js';
import { isRunning } from './processes.js';
import { knownHostsLine } from './sshd.js';
import { readLabState, writeLabState, type LabHostRecord, type LabState } from './state.js';

/** How one host is booted: its namespace and address, and what is bound into it. */
function specOf(state: LabState, h: LabHostRecord): MachineSpec {
  return {
    name: h.name,
    netns: h.netns!,
    address: state.addressing.hosts[h.name]!.address,
    sshPort: h.sshPort,
    binds: [
      { from: realpathSync(process.execPath), to: IN_HOST.node },
      { from: PROJECT_ROOT.replace(/\/$/, ''), to: IN_HOST.project },
      { from: state.view!, to: IN_HOST.view },
    ],
  };
}

/**
 * Boots every host of the lab from the shared rootfs, each over its own overlay in its own
 * namespace, with the deploy user's key authorized. Returns the known_hosts lines.
 */
export async function bootSystemdHosts(
  dir: string,
  state: LabState,
  rootfs: string,
  say: (line: string) => void,
): Promise<string[]> {
  const paths = labPaths(dir);
  mkdirSync(state.view!, { recursive: true, mode: 0o755 });
  chmodSync(state.view!, 0o755);
  // before this lab's cgroups exist: the hosts of every other lab on the machine
  const raised = raiseForHosts(state.hosts.length, labHostsRunning());
  if (raised) {
    state.raised = [raised];
    writeLabState(paths.state, state);
    say(
      `machine: ${raised.path} raised from ${raised.was} to ${raised.now} for ${state.hosts.length} hosts (lab down puts it back)`,
    );
  }
  const authorized = readFileSync(`${paths.clientKey}.pub`, 'utf8');
  // every host is recorded before any is made: down undoes what exists of each
  for (const h of state.hosts) h.machine = machineRecord(paths.host(h.name), rootfs, h.netns!);
  writeLabState(paths.state, state);
  const deadline = Date.now() + 60_000;
  return Promise.all(
    state.hosts.map(async (h) => {
      const spec = specOf(state, h);
      const hostKey = prepareMachine(h.machine!, spec, authorized);
      await bootMachine(h.machine!, spec, { deadline, recorded: () => writeLabState(paths.state, state) });
      return knownHostsLine(spec.address, h.sshPort, hostKey);
    }),
  );
}

/** The lab's record of one systemd host, with the state it is in; `what` says what only they can do. */
function systemdHost(dir: string, name: string, what: string) {
  const paths = labPaths(dir);
  const state = readLabState(paths.state);
  if (!state) throw new Error(`no lab in ${dir}`);
  const h = state.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name} in the lab (${state.hosts.map((x) => x.name).join(', ')})`);
  if (!h.machine)
    throw new Error(`${name} is a process host: only systemd hosts ${what} (stake lab up --hosts systemd)`);
  return { paths, state, h, machine: h.machine };
}

/** Power loss: every process of the host killed at once, nothing shut down; its disk is kept. */
export async function powerOffHost(dir: string, name: string): Promise<boolean> {
  const { paths, state, machine } = systemdHost(dir, name, 'lose power');
  if (!machine.nspawn && machineProcesses(machine).length === 0) return false;
  await pullThePlug(machine);
  writeLabState(paths.state, state);
  return true;
}

/**
 * Boots a powered-off host from its disk. `mask` units are masked for this boot only (as
 * `systemd.mask=` typed at a real host's boot prompt): the way to bring back a host that must
 * not start its signer before it is fenced by hand.
 */
export async function powerOnHost(dir: string, name: string, mask: readonly string[] = []): Promise<boolean> {
  const { paths, state, h, machine } = systemdHost(dir, name, 'power on');
  if (machine.nspawn && isRunning(machine.nspawn)) return false;
  const spec = { ...specOf(state, h), initArgs: mask.map((u) => `systemd.mask=${u}`) };
  prepareMachine(machine, spec);
  await bootMachine(machine, spec, {
    deadline: Date.now() + 60_000,
    recorded: () => writeLabState(paths.state, state),
  });
  return true;
}

/**
 * A clean reboot of one host: the systemd inside shuts everything down, the host boots again from
 * the same disk (its overlay's upper layer is kept), and this returns once its sshd answers and
 * its boot finished. What a unit's enablement says is what comes back up, as on a real host.
 */
export async function rebootHost(dir: string, name: string): Promise<{ downMs: number; upMs: number }> {
  const { paths, state, h, machine } = systemdHost(dir, name, 'reboot');
  const started = Date.now();
  await powerOff(machine);
  writeLabState(paths.state, state);
  const downMs = Date.now() - started;
  const spec = specOf(state, h);
  prepareMachine(machine, spec);
  await bootMachine(machine, spec, {
    deadline: Date.now() + 60_000,
    recorded: () => writeLabState(paths.state, state),
  });
  return { downMs, upMs: Date.now() - started - downMs };
}
