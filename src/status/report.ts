/**
 * The status report: what every host and every identity looks like now, and what is wrong, as
 * plain data. Pure: the inventory, the render, each host's answer (or why there is none) and
 * the chain's reading in; the report out. The terminal screen and --json both print this.
 */
import type { ClientBinary } from '../plan/binaries.js';
import { planHost } from '../plan/compute.js';
import type { ResolvedInventory } from '../inventory/resolve.js';
import type { KeyFile } from '../keys/layout.js';
import type { HostRender } from '../render/host.js';
import type { ChainReading } from '../failover/observer.js';
import { CLIENT_METRICS } from '../inventory/client-metrics.js';
import { readingOf } from './metrics.js';
import type { HostAnswer } from './script.js';
import { identityStatus, verdictOf } from './identity-report.js';
import { liveActive } from '../quorum/live.js';
import type { SignerStatus } from './signer-report.js';

export interface HostStatus {
  host: string;
  tier: string;
  dc: string;
  reachable: boolean;
  error?: string;
  client?: string;
  /** The pinned version when the installed binary is the pinned one; `unpinned` when it differs. */
  version?: string;
  /** Each service deploy manages here, and whether it runs. */
  services: { name: string; state: 'active' | 'inactive' | 'missing' }[];
  height?: number;
  /** synced, syncing, behind N (heights behind the best host running the same client), or unknown. */
  sync: string;
  peers?: number;
  /** Files that differ from the render (created, changed or deleted by the next deploy), and restarts it would do. */
  drift: string[];
  /** Where the client's metrics endpoint did not answer. */
  metricsDown: string[];
}

export interface IdentityStatus {
  identity: string;
  /** The live active host (the generation a majority of the quorum holds); undefined when unknown. */
  live?: string;
  generation?: number;
  /** live, first (never deployed), stale (the inventory names another active host), unknown. */
  verdict: 'live' | 'first' | 'stale' | 'unknown';
  lastSigned?: number;
  lastSigner?: string;
  /** Where lastSigned comes from: the chain, or the active client's own metric. */
  signedSource?: 'chain' | 'client';
  /** Hosts other than the live one running a signer with the key (red alarm: two signers). */
  rogueSigners: string[];
  /** Equivocations the chain shows for the identity's key (evidence in blocks, slashings). */
  doubleSigns: number;
  equivocations: { height: number; round?: number; what: string; sources: string[] }[];
  /** Heights of the observed window without the identity's signature. */
  missed?: { heights: number; from: number; to: number };
  /** What became of the witness's copy of the signing state this run (saved, current, kept, not saved). */
  witnessCopy?: string;
  /** A cosmos remote signer tier: each signer host, what it serves, its watermark. */
  signers?: SignerStatus[];
  alarms: string[];
  warnings: string[];
}

export interface StatusReport {
  deployment: string;
  family: string;
  at: string;
  chain?: {
    what: string;
    head: number;
    finalized?: number;
    doubleSigns: number;
    sources: { source: string; head?: number; error?: string }[];
    disagreements: string[];
  };
  hosts: HostStatus[];
  identities: IdentityStatus[];
  /** Everything red, host and identity alike, one line each. */
  alarms: string[];
  warnings: string[];
}

export interface StatusInput {
  inv: ResolvedInventory;
  renders: ReadonlyMap<string, HostRender>;
  binaries: ReadonlyMap<string, ClientBinary[]>;
  answers: ReadonlyMap<string, HostAnswer | { error: string }>;
  keys: readonly KeyFile[];
  /** Signing services of the validator hosts, by host. */
  signing: ReadonlyMap<string, string[]>;
  chain?: { what: string; reading: ChainReading };
  now: Date;
  /** Heights an identity may go without a signature before it is "not signing". */
  stallHeights?: number;
  /** Heights a host may trail the best one and still count as synced. */
  syncSlack?: number;
}

export const isAnswer = (a: HostAnswer | { error: string } | undefined): a is HostAnswer =>
  a !== undefined && 'facts' in a;

export function buildReport(input: StatusInput): StatusReport {
  const { inv } = input;
  const stall = input.stallHeights ?? 10;
  const slack = input.syncSlack ?? 2;
  const alarms: string[] = [];
  const warnings: string[] = [];

  // the best height each client's metric shows, to tell a host that trails from one that follows
  const best = new Map<string, number>();
  const readings = new Map<string, ReturnType<typeof readingOf>>();
  for (const h of inv.hosts) {
    const a = input.answers.get(h.name);
    if (!isAnswer(a) || !h.client) continue;
    const samples = a.metrics[h.client];
    if (!samples) continue;
    const r = readingOf(h.client, samples);
    readings.set(h.name, r);
    const metric = CLIENT_METRICS[h.client]?.height;
    if (metric && r.height !== undefined) best.set(metric, Math.max(best.get(metric) ?? 0, r.height));
  }

  // each identity's live host, decided once: hosts and identities both need it
  const live = new Map(inv.identities.map((id) => [id.name, liveActive(verdictOf(input, id), id)?.host]));
  const hosts: HostStatus[] = inv.hosts.map((h) => {
    const a = input.answers.get(h.name);
    const base = { host: h.name, tier: h.tier, dc: h.dc, ...(h.client ? { client: h.client } : {}) };
    if (!isAnswer(a)) {
      const error = a?.error ?? 'not asked';
      alarms.push(`${h.name}: unreachable (${error})`);
      return { ...base, reachable: false, error, services: [], sync: 'unknown', drift: [], metricsDown: [] };
    }
    const render = input.renders.get(h.name);
    const binaries = input.binaries.get(h.name) ?? [];
    const plan = render ? planHost(render, a.facts, binaries) : undefined;
    const drift = plan
      ? [...plan.files.filter((f) => f.action !== 'unchanged').map((f) => `${f.action} ${f.path}`)]
      : [];
    const services = (render?.manifest.services ?? []).map((s) => ({
      name: s.name,
      state: a.facts.services[s.name] ?? ('missing' as const),
    }));
    const own = binaries.find((b) => b.client === h.client);
    const installed = own ? a.facts.files[own.path] : undefined;
    const pinned = h.client ? inv.clients[h.client]?.version : undefined;
    const version = own
      ? installed === null || installed === undefined
        ? 'not installed'
        : installed.sha256 === own.sha256
          ? pinned
          : 'unpinned'
      : pinned;
    const reading = readings.get(h.name);
    const metric = h.client ? CLIENT_METRICS[h.client]?.height : undefined;
    const top = metric ? best.get(metric) : undefined;
    let sync = 'unknown';
    if (reading?.height !== undefined && top !== undefined) {
      const behind = top - reading.height;
      sync = reading.syncing ? 'syncing' : behind > slack ? `behind ${behind}` : 'synced';
    } else if (reading?.syncing !== undefined) sync = reading.syncing ? 'syncing' : 'synced';
    const metricsDown = Object.entries(a.metrics)
      .filter(([, s]) => s === null)
      .map(([c]) => c);
    const down = services.filter((s) => s.state !== 'active' && !isFencedStandby(input, live, h.name, s.name));
    for (const s of down) warnings.push(`${h.name}: service ${s.name} is ${s.state}`);
    if (drift.length)
      warnings.push(
        `${h.name}: ${drift.length} file${drift.length === 1 ? ' differs' : 's differ'} from the render (stake plan --limit ${h.name})`,
      );
    if (sync.startsWith('behind') || sync === 'syncing') warnings.push(`${h.name}: ${sync}`);
    return {
      ...base,
      reachable: true,
      ...(version ? { version } : {}),
      services,
      ...(reading?.height !== undefined ? { height: reading.height } : {}),
      sync,
      ...(reading?.peers !== undefined ? { peers: reading.peers } : {}),
      drift,
      metricsDown,
    };
  });

  const identities = inv.identities.map((id) => identityStatus(input, id, readings, stall));
  for (const i of identities) {
    alarms.push(...i.alarms.map((a) => `${i.identity}: ${a}`));
    warnings.push(...i.warnings.map((w) => `${i.identity}: ${w}`));
  }
  const reading = input.chain?.reading;
  if (reading) {
    for (const x of reading.sources) if (x.error) warnings.push(`chain source ${x.source}: ${x.error}`);
    for (const d of reading.disagreements) warnings.push(`the chain's sources disagree: ${d}`);
    if (reading.sources.filter((x) => !x.error).length === 1 && reading.sources.length > 1)
      warnings.push('only one chain source answered: a disagreement could not be seen');
  }
  return {
    deployment: inv.name,
    family: inv.family,
    at: input.now.toISOString(),
    ...(input.chain && reading
      ? {
          chain: {
            what: input.chain.what,
            head: reading.head,
            ...(reading.finalized !== undefined ? { finalized: reading.finalized } : {}),
            doubleSigns: identities.reduce((n, i) => n + i.doubleSigns, 0),
            sources: reading.sources.map((x) => ({
              source: x.source,
              ...(x.head !== undefined ? { head: x.head } : {}),
              ...(x.error ? { error: x.error } : {}),
            })),
            disagreements: reading.disagreements,
          },
        }
      : {}),
    hosts,
    identities,
    alarms,
    warnings,
  };
}

/** A stopped signing service on a host that is not the live active one is the fence doing its job. */
function isFencedStandby(
  input: StatusInput,
  live: ReadonlyMap<string, string | undefined>,
  host: string,
  service: string,
): boolean {
  if (!input.signing.get(host)?.includes(service)) return false;
  return input.inv.identities.some(
    (id) => [id.active, ...id.standby].some((h) => h.name === host) && live.get(id.name) !== host,
  );
}
