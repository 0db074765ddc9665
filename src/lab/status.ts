/** What a lab is doing: its hosts, the services deploy started on them, and the chain's verdicts. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChainSummary } from './chain/ledger.js';
import { queryChain, type ClientReport } from './chain/protocol.js';
import { hostServices } from './host-services.js';
import { labPaths } from './layout.js';
import { namespaceNames } from './netns.js';
import { isRunning } from './processes.js';
import { leaderOf, nsenterArgs, type MachineRecord } from './machines.js';
import { readLabState, type LabState } from './state.js';

export interface LabHostStatus {
  name: string;
  tier: string;
  addresses: string[];
  ssh: string;
  sshd: boolean;
  netns?: string;
  /** Services deploy started here, running now. */
  services: string[];
  clients: ClientReport[];
}

export interface LabStatus {
  dir: string;
  name: string;
  family: string;
  mode: LabState['mode'];
  inventory: string;
  origin: string;
  /** Every recorded process and namespace is there. */
  healthy: boolean;
  problems: string[];
  hosts: LabHostStatus[];
  chain: { running: boolean; blockTimeMs: number; summary?: ChainSummary };
}

export async function labStatus(dirOption: string): Promise<LabStatus | undefined> {
  const dir = resolve(dirOption);
  const paths = labPaths(dir);
  const state = readLabState(paths.state);
  if (!state) return undefined;
  const problems: string[] = [];
  const chainRunning = state.chain.process !== undefined && isRunning(state.chain.process);
  if (!chainRunning) problems.push('the chain process is not running');
  let chain: Awaited<ReturnType<typeof queryChain>> | undefined;
  if (chainRunning && existsSync(state.chain.socket)) {
    try {
      chain = await queryChain(state.chain.socket);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const namespaces = state.network ? namespaceNames() : new Set<string>();
  // systemd hosts are asked all at once (one nsenter each)
  const machines = await Promise.all(state.hosts.map((h) => (h.machine ? machineStatus(h.machine) : undefined)));
  const hosts = state.hosts.map((h, i): LabHostStatus => {
    const machine = machines[i];
    if (h.machine && !machine!.running) problems.push(`systemd host ${h.name} is not running`);
    const sshd = machine ? machine.sshd : h.sshd !== undefined && isRunning(h.sshd);
    if (!sshd && (!machine || machine.running)) problems.push(`sshd of ${h.name} is not running`);
    if (h.netns && !namespaces.has(h.netns)) problems.push(`namespace ${h.netns} is gone`);
    return {
      name: h.name,
      tier: h.tier,
      addresses: h.addresses,
      ssh: `${state.addressing.hosts[h.name]?.address}:${h.sshPort}`,
      sshd,
      ...(h.netns ? { netns: h.netns } : {}),
      services:
        machine?.services ??
        hostServices(h.root)
          .filter(isRunning)
          .map((p) => p.what)
          .sort(),
      // a report older than a few heights is from a client that stopped
      clients: (chain?.reports ?? []).filter(
        (r) => r.host === h.name && Date.now() - Date.parse(r.at) < Math.max(3000, 3 * state.blockTimeMs),
      ),
    };
  });
  return {
    dir,
    name: state.name,
    family: state.family,
    mode: state.mode,
    inventory: paths.inventory,
    origin: state.origin,
    healthy: problems.length === 0,
    problems,
    hosts,
    chain: { running: chainRunning, blockTimeMs: state.blockTimeMs, ...(chain ? { summary: chain.summary } : {}) },
  };
}

/**
 * A systemd host seen from outside, without SSH: whether it runs, whether its ssh.service is
 * active, and the stake-* units active in it (the names deploy gives, without the prefix).
 */
async function machineStatus(m: MachineRecord): Promise<{ running: boolean; sshd: boolean; services: string[] }> {
  const leader = leaderOf(m);
  if (!leader) return { running: false, sshd: false, services: [] };
  const stdout = await new Promise<string>((resolve) =>
    execFile(
      'nsenter',
      nsenterArgs(
        leader,
        "systemctl is-active --quiet ssh.service && echo ssh-up; systemctl list-units 'stake-*.service' --state=active --no-legend --plain | cut -d' ' -f1",
      ),
      { encoding: 'utf8', timeout: 10_000 },
      (_err, out) => resolve(out ?? ''),
    ),
  );
  const lines = stdout.split('\n').filter(Boolean);
  return {
    running: true,
    sshd: lines.includes('ssh-up'),
    services: lines
      .filter((l) => l.startsWith('stake-'))
      .map((l) => l.replace(/^stake-/, '').replace(/\.service$/, ''))
      .sort(),
  };
}
