/** What a lab is doing: its hosts, the services deploy started on them, and the chain's verdicts. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChainSummary } from './chain/ledger.js';
import { queryChain, type ClientReport } from './chain/protocol.js';
import { hostServices } from './host-services.js';
import { labPaths } from './layout.js';
import { namespaceNames } from './netns.js';
import { isRunning } from './processes.js';
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
  const hosts = state.hosts.map((h): LabHostStatus => {
    const sshd = h.sshd !== undefined && isRunning(h.sshd);
    if (!sshd) problems.push(`sshd of ${h.name} is not running`);
    if (h.netns && !namespaces.has(h.netns)) problems.push(`namespace ${h.netns} is gone`);
    return {
      name: h.name,
      tier: h.tier,
      addresses: h.addresses,
      ssh: `${state.addressing.hosts[h.name]?.address}:${h.sshPort}`,
      sshd,
      ...(h.netns ? { netns: h.netns } : {}),
      services: hostServices(h.root)
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
