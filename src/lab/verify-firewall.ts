/**
 * `stake lab verify-firewall`: probes every (host, TCP port) of the lab from every other host,
 * from the internet namespace and from the operator, and compares what connects with what the
 * topology graph allows. Only meaningful where firewalls are enforced (a namespace lab).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { StakeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { loadInventory } from '../inventory/load.js';
import { computeGraph } from '../topology/graph.js';
import { expectedMatrix, probeSources, type ProbeCase } from './firewall-matrix.js';
import { labPaths } from './layout.js';
import { probeAll, type ProbeTarget, type ProbeVerdict } from './probe.js';
import { readLabState } from './state.js';

const PROBE_MAIN = fileURLToPath(new URL('./probe-main.js', import.meta.url));

export interface ProbeResult extends ProbeCase {
  observed: ProbeVerdict;
  ok: boolean;
}

export interface FirewallReport {
  /** Where probes came from: the hosts in inventory order, then the internet and the operator. */
  sources: string[];
  results: ProbeResult[];
  mismatches: number;
  /** UDP flows in the graph, not probed (a UDP probe cannot tell dropped from unanswered). */
  udpFlows: number;
}

function probeIn(netns: string, targets: ProbeTarget[], timeoutMs: number): Promise<ProbeVerdict[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, PROBE_MAIN, String(timeoutMs)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`probing from ${netns} failed: ${err.trim() || `exit ${code}`}`));
      resolvePromise(JSON.parse(out) as ProbeVerdict[]);
    });
    child.stdin.end(JSON.stringify(targets));
  });
}

export async function verifyFirewall(dirOption: string, timeoutMs = 500): Promise<FirewallReport> {
  const dir = resolve(dirOption);
  const paths = labPaths(dir);
  const state = readLabState(paths.state);
  if (!state)
    throw new StakeError(`no lab in ${dir}`, { exitCode: EXIT.failed, hint: 'stake lab up -i INVENTORY starts one' });
  if (state.mode !== 'netns' || !state.network) {
    throw new StakeError(
      'this lab runs on loopback: its hosts share one network stack and no firewall is loaded, so there is nothing to verify',
      {
        exitCode: EXIT.failed,
        hint: 'run stake lab up as root on a machine where `ip netns` works (apt-get install iproute2) for enforced firewalls',
      },
    );
  }
  const { resolved } = await loadInventory(paths.inventory);
  const graph = computeGraph(resolved);
  const cases = expectedMatrix(resolved, graph, state.addressing);
  const bySource = new Map<string, ProbeCase[]>();
  for (const c of cases) bySource.set(c.from, [...(bySource.get(c.from) ?? []), c]);

  const network = state.network;
  const namespaceOf = (source: string) =>
    source === 'internet' ? network.internetNs : state.hosts.find((h) => h.name === source)?.netns;
  const limit = pLimit(6);
  const results: ProbeResult[] = [];
  await Promise.all(
    [...bySource.entries()].map(([source, list]) =>
      limit(async () => {
        const targets = list.map((c) => ({ address: c.address, port: c.port }));
        const ns = namespaceOf(source);
        const verdicts =
          source === 'operator' || !ns ? await probeAll(targets, timeoutMs) : await probeIn(ns, targets, timeoutMs);
        list.forEach((c, i) => {
          const observed = verdicts[i]!;
          results.push({ ...c, observed, ok: (observed !== 'blocked') === c.expected });
        });
      }),
    ),
  );
  results.sort((x, y) => x.to.localeCompare(y.to) || x.port - y.port || x.from.localeCompare(y.from));
  return {
    sources: probeSources(resolved, state.addressing).map((x) => x.name),
    results,
    mismatches: results.filter((r) => !r.ok).length,
    udpFlows: graph.flows.filter((f) => f.protocol === 'udp').length,
  };
}
