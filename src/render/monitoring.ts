/**
 * The monitor host's Prometheus configuration, from the same graph as the firewalls: a scrape
 * job per client over exactly the metrics flows the graph allows (so the monitor scrapes what
 * its firewall lets it reach, nothing more), node exporters on every host, and the alert rules
 * an on-call engineer needs for validators: an identity that stopped signing, two hosts signing
 * for one identity, a node down, a height that stalls, too few peers, a disk nearly full, a
 * clock that drifts. Every target carries host, tier, dc and (on validator hosts) identity
 * labels, which is what lets a rule say "two hosts of one identity". Pure.
 */
import { posix } from 'node:path';
import { stringify } from 'yaml';
import type { Family } from '../inventory/clients.js';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import type { TopologyGraph } from '../topology/graph.js';
import { CLIENT_METRICS, metricsPathOf } from '../inventory/client-metrics.js';
import type { RenderedFile } from './types.js';

export const PROMETHEUS_CONFIG = '/etc/prometheus/prometheus.yml';
export const PROMETHEUS_RULES = '/etc/prometheus/rules/stake.rules.yml';

/** Thresholds the rules use; the defaults suit a mainnet validator, not a lab. */
export interface AlertThresholds {
  /** Minutes an identity may go without a new signature. */
  notSigningMinutes: number;
  /** Minutes a height may stand still. */
  stalledMinutes: number;
  minPeers: number;
  /** Free space below this fraction of a filesystem. */
  diskFreeRatio: number;
  /** Seconds of clock offset (node_timex_offset_seconds). */
  clockDriftSeconds: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  notSigningMinutes: 5,
  stalledMinutes: 5,
  minPeers: 2,
  diskFreeRatio: 0.1,
  clockDriftSeconds: 0.5,
};

/** What "signed" means per family, as a counter or gauge that moves with each signature, and the window to look over. */
const SIGNING: Record<Family, { metric: string; window: (t: AlertThresholds) => string; what: string }> = {
  cosmos: {
    metric: 'cometbft_consensus_validator_last_signed_height',
    window: (t) => `${t.notSigningMinutes}m`,
    what: 'precommit',
  },
  // vouch's counter of attestations it processed, by result
  ethereum: {
    metric: 'vouch_attestation_process_requests_total{result="succeeded"}',
    window: (t) => `${Math.max(t.notSigningMinutes, 15)}m`,
    what: 'attestation',
  },
  // a pool leads only some slots: a block producer that adopted no block in hours is not forging
  cardano: { metric: 'cardano_node_metrics_Forge_adopted_int', window: () => '6h', what: 'block' },
};

/** The client whose metric says "signed", per family, and that metric's name (for the reference-table check). */
export const SIGNING_METRICS: Readonly<Record<Family, { client: string; name: string }>> = {
  cosmos: { client: 'cometbft', name: SIGNING.cosmos.metric.replace(/\{.*$/, '') },
  ethereum: { client: 'vouch', name: SIGNING.ethereum.metric.replace(/\{.*$/, '') },
  cardano: { client: 'cardano-node', name: SIGNING.cardano.metric.replace(/\{.*$/, '') },
};

const targetOf = (h: ResolvedHost, port: number) =>
  h.privateAddress.includes(':') ? `[${h.privateAddress}]:${port}` : `${h.privateAddress}:${port}`;

function labelsOf(inv: ResolvedInventory, h: ResolvedHost): Record<string, string> {
  const signing = inv.identities.filter((id) => [id.active, ...id.standby].includes(h)).map((id) => id.name);
  return { host: h.name, tier: h.tier, dc: h.dc, ...(signing.length ? { identity: signing.join(',') } : {}) };
}

export function scrapeConfig(
  inv: ResolvedInventory,
  graph: TopologyGraph,
  monitor: ResolvedHost,
): Record<string, unknown> {
  const jobs = new Map<string, { targets: string[]; labels: Record<string, string> }[]>();
  const flows = graph.flows.filter((f) => f.from.kind === 'host' && f.from.host === monitor.name && !f.local);
  for (const f of flows) {
    const h = inv.host(f.to);
    const job =
      f.service === 'node-exporter'
        ? 'node'
        : f.service === 'el-metrics'
          ? (h.execution ?? 'execution')
          : (h.client ?? f.service);
    const list = jobs.get(job) ?? [];
    list.push({
      targets: [targetOf(h, f.port)],
      labels: { ...labelsOf(inv, h), client: job === 'node' ? (h.client ?? 'none') : job },
    });
    jobs.set(job, list);
  }
  return {
    global: {
      scrape_interval: '15s',
      evaluation_interval: '15s',
      external_labels: { deployment: inv.name, chain: `${inv.family}/${inv.chain.network}` },
    },
    // relative: Prometheus reads it beside its configuration (and promtool finds it in a rendered tree)
    rule_files: [posix.relative(posix.dirname(PROMETHEUS_CONFIG), PROMETHEUS_RULES)],
    scrape_configs: [...jobs.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([job, statics]) => ({
        job_name: job,
        // the client's own path: geth's is /debug/metrics/prometheus (a scrape of /metrics there is a 404)
        metrics_path: metricsPathOf(job),
        static_configs: statics.sort((a, b) => a.labels.host!.localeCompare(b.labels.host!)),
      })),
  };
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'page' | 'ticket' };
  annotations: { summary: string; runbook: string };
}

const RUNBOOK = 'docs/operate.md';

export function alertRules(
  inv: ResolvedInventory,
  thresholds: AlertThresholds = DEFAULT_THRESHOLDS,
): Record<string, unknown> {
  const signing = SIGNING[inv.family];
  const clients = [
    ...new Set(inv.hosts.flatMap((h) => [h.client, h.execution]).filter((c): c is string => Boolean(c))),
  ].sort();
  const heights = [...new Set(clients.map((c) => CLIENT_METRICS[c]?.height).filter((m): m is string => Boolean(m)))];
  const peers = [...new Set(clients.map((c) => CLIENT_METRICS[c]?.peers).filter((m): m is string => Boolean(m)))];
  const any = (metrics: string[]) => `{__name__=~"${metrics.join('|')}"}`;
  const rules: Rule[] = [
    {
      alert: 'StakeIdentityNotSigning',
      // the highest progress over the identity's validator hosts: 0 means none of them signed
      expr: `max by (identity) (increase(${signing.metric}[${signing.window(thresholds)}])) == 0`,
      for: '1m',
      labels: { severity: 'page' },
      annotations: {
        summary: `{{ $labels.identity }}: no new ${signing.what} from any of its hosts in ${signing.window(thresholds)}`,
        runbook: `${RUNBOOK}#identity-not-signing`,
      },
    },
    {
      alert: 'StakeTwoHostsSigning',
      // more than one host of one identity moved its signature counter: a double sign in the making
      // (a failover's old and new host overlap in a window for less than its length, so `for` keeps it quiet)
      expr: `count by (identity) (increase(${signing.metric}[${inv.family === 'cardano' ? '1h' : '1m'}]) > 0) > 1`,
      for: inv.family === 'cardano' ? '0m' : '1m',
      labels: { severity: 'page' },
      annotations: {
        summary:
          '{{ $labels.identity }}: {{ $value }} hosts are signing at once: fence all but the live active host NOW',
        runbook: `${RUNBOOK}#two-signers`,
      },
    },
    {
      alert: 'StakeNodeDown',
      expr: 'up == 0',
      for: '2m',
      labels: { severity: 'page' },
      annotations: {
        summary: '{{ $labels.host }} ({{ $labels.job }}) does not answer on {{ $labels.instance }}',
        runbook: `${RUNBOOK}#node-down`,
      },
    },
  ];
  if (heights.length) {
    rules.push({
      alert: 'StakeHeightStalled',
      expr: `delta(${any(heights)}[${thresholds.stalledMinutes}m]) <= 0`,
      for: '1m',
      labels: { severity: 'page' },
      annotations: {
        summary: '{{ $labels.host }}: {{ $labels.__name__ }} has not moved in ' + `${thresholds.stalledMinutes}m`,
        runbook: `${RUNBOOK}#height-stalled`,
      },
    });
  }
  const evidence = [
    ...new Set(clients.map((c) => CLIENT_METRICS[c]?.doubleSignEvidence).filter((m): m is string => Boolean(m))),
  ];
  if (evidence.length) {
    rules.push({
      alert: 'StakeDoubleSignEvidence',
      // the chain's own word, on any node: a key signed twice, whoever holds the second copy (a
      // host stake does not know about shows in no host's metrics, only here); whose key it was,
      // stake status says from the blocks
      expr: `max by (host) (max_over_time(${any(evidence)}[10m])) > 0`,
      for: '0m',
      labels: { severity: 'page' },
      annotations: {
        summary:
          '{{ $labels.host }} saw double-sign evidence in a block: run stake status now (it names the key, and whether it is yours)',
        runbook: `${RUNBOOK}#double-sign-evidence`,
      },
    });
  }
  if (peers.length) {
    rules.push({
      alert: 'StakePeersLow',
      expr: `${any(peers)} < ${thresholds.minPeers}`,
      for: '5m',
      labels: { severity: 'ticket' },
      annotations: {
        summary: `{{ $labels.host }}: {{ $value }} peers (fewer than ${thresholds.minPeers})`,
        runbook: `${RUNBOOK}#peers-low`,
      },
    });
  }
  rules.push(
    {
      alert: 'StakeDiskNearlyFull',
      expr: `node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"} < ${thresholds.diskFreeRatio}`,
      for: '10m',
      labels: { severity: 'ticket' },
      annotations: {
        summary: `{{ $labels.host }}: {{ $labels.mountpoint }} has {{ $value | humanizePercentage }} free (under ${thresholds.diskFreeRatio * 100}%)`,
        runbook: `${RUNBOOK}#disk-nearly-full`,
      },
    },
    {
      alert: 'StakeClockDrift',
      // a validator signing with a wrong clock misses rounds; NTP that lost sync is the usual cause
      expr: `abs(node_timex_offset_seconds) > ${thresholds.clockDriftSeconds} or node_timex_sync_status == 0`,
      for: '5m',
      labels: { severity: 'ticket' },
      annotations: {
        summary: `{{ $labels.host }}: clock offset {{ $value }} s, or NTP not synchronised`,
        runbook: `${RUNBOOK}#clock-drift`,
      },
    },
  );
  return { groups: [{ name: `stake-${inv.name}`, rules }] };
}

/** The monitor's files; none on other hosts. */
export function renderMonitoring(inv: ResolvedInventory, graph: TopologyGraph, host: ResolvedHost): RenderedFile[] {
  if (inv.access.monitor !== host) return [];
  const yaml = (value: unknown) => stringify(value, { lineWidth: 0 });
  const header = '# Rendered by stake from the topology graph: edit the inventory, not this file.\n';
  return [
    {
      path: PROMETHEUS_CONFIG,
      mode: '0644',
      owner: 'root:root',
      format: 'yaml',
      content: header + yaml(scrapeConfig(inv, graph, host)),
      restarts: [],
      template: 'src/render/monitoring.ts',
    },
    {
      path: PROMETHEUS_RULES,
      mode: '0644',
      owner: 'root:root',
      format: 'yaml',
      content: header + yaml(alertRules(inv)),
      restarts: [],
      template: 'src/render/monitoring.ts',
    },
  ];
}
