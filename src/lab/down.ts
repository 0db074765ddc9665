/**
 * `stake lab down`: stops exactly what the lab started (by the pids and start times in
 * DIR/lab.json, and by the pid files deploy left in the lab hosts' roots), deletes its
 * namespaces by name, and removes the lab folder. Safe to run after a crash, and twice.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hostServices } from './host-services.js';
import { labHostsRunning, restoreWhenLast } from './machine-settings.js';
import { powerOff, removeMachine } from './machines.js';
import { labPaths } from './layout.js';
import { removeLabNetwork } from './netns.js';
import { stopProcess, type ProcessRecord } from './processes.js';
import { ifLastLab, releaseSlot } from './slots.js';
import { readLabState, type LabState } from './state.js';

/** Every process still inside a namespace (an SSH session, a firewall timer): ours, since the namespace is. */
function namespacePids(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  return r.status === 0
    ? r.stdout
        .split('\n')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0)
    : [];
}

export interface DownResult {
  found: boolean;
  stopped: string[];
  namespaces: number;
}

export async function labDown(dirOption: string, options: { keep: boolean }): Promise<DownResult> {
  const dir = resolve(dirOption);
  const paths = labPaths(dir);
  const state: LabState | undefined = readLabState(paths.state);
  if (!state) return { found: false, stopped: [], namespaces: 0 };
  const stopped: string[] = [];
  const stop = async (p: ProcessRecord, label: string) => {
    if ((await stopProcess(p)) === 'stopped') stopped.push(label);
  };

  // Clients first (they would notice the chain going away), then the chain, then the hosts. A
  // systemd host is powered off cleanly, which stops its services as a real shutdown does.
  const machines = state.hosts.filter((h) => h.machine);
  await Promise.all(
    machines.map(async (h) => {
      if (await powerOff(h.machine!)) stopped.push(`systemd host ${h.name}`);
    }),
  );
  await Promise.all(
    state.hosts
      .filter((h) => !h.machine)
      .flatMap((h) => hostServices(h.root).map((p) => stop(p, `${p.what} on ${h.name}`))),
  );
  if (state.chain.process) await stop(state.chain.process, 'chain');
  await Promise.all(state.hosts.filter((h) => h.sshd).map((h) => stop(h.sshd!, `sshd ${h.name}`)));
  if (state.network) {
    // What is left inside the lab's namespaces (SSH sessions, a firewall's revert timer) is the
    // lab's by construction: killed outright, nothing there has state to save.
    for (const ns of state.network.namespaces) {
      for (const pid of namespacePids(ns)) {
        try {
          process.kill(pid, 'SIGKILL');
          stopped.push(`pid ${pid} in ${ns}`);
        } catch {
          // gone meanwhile
        }
      }
    }
    removeLabNetwork({
      switchNs: state.network.switchNs,
      operatorLink: state.network.operatorLink,
      namespaces: state.network.namespaces,
    });
  }
  // overlays unmounted and cgroups removed once nothing runs in them
  for (const h of machines) await removeMachine(h.machine!);
  if (state.view) rmSync(state.view, { recursive: true, force: true });
  // the last lab on the machine puts a raised setting back (no other lab claims a slot, none
  // is between its claim and its boot)
  await ifLastLab(dir, () => void restoreWhenLast(labHostsRunning()), dirname(state.slotClaim));
  rmSync(state.chain.socket, { force: true });
  await releaseSlot(state.slotClaim, dir);
  if (options.keep) rmSync(paths.state, { force: true });
  else rmSync(dir, { recursive: true, force: true });
  return { found: true, stopped, namespaces: state.network?.namespaces.length ?? 0 };
}
