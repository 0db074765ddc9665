/**
 * Gathering a status: one script per host over SSH (all hosts at once, through the same
 * session a --watch keeps open between refreshes), the chain's reading where there is an
 * observer, the report built from it, then the witness copies of each live active host's
 * signing state written. The edge of `stake status`: the decisions are in report.ts and
 * witness-copy.ts.
 */
import { OUTPUT_LIMITS } from '../ssh/host-records.js';
import { binariesOf, type ClientBinary } from '../plan/binaries.js';
import { signerProbeFiles } from './signer-report.js';
import { quorumOf } from '../quorum/generation.js';
import { rootShell } from '../ssh/shell.js';
import type { HostSession } from '../ssh/session.js';
import type { ChainObserver } from '../failover/observer.js';
import { neverLowerWriteLines } from '../failover/floor-script.js';
import { stateFiles } from '../failover/protection.js';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import { validatorKeyFiles } from '../keys/layout.js';
import type { HostRender } from '../render/host.js';
import { metricNamesOf, metricsPathOf } from '../inventory/client-metrics.js';
import { buildReport, type IdentityStatus, type StatusReport } from './report.js';
import {
  parseStatus,
  statusScript,
  statusShell,
  type HostAnswer,
  type MetricsEndpoint,
  type StatusRequest,
} from './script.js';
import { activeStateFile, decideWitnessCopy } from './witness-copy.js';
import { renderDeployment } from '../render/deployment.js';
import { braceGroup } from '../ssh/shell.js';

/** What stays the same between refreshes of a --watch: the render and each host's request. */
export interface StatusContext {
  inventory: string;
  inv: ResolvedInventory;
  renders: Map<string, HostRender>;
  binaries: Map<string, ClientBinary[]>;
  requests: Map<string, StatusRequest>;
  signing: Map<string, string[]>;
  observer?: ChainObserver;
}

/** The metrics endpoints of a host: its client's and its execution client's. */
function metricsEndpoints(host: ResolvedHost): MetricsEndpoint[] {
  const out: MetricsEndpoint[] = [];
  for (const [name, spec] of Object.entries(host.ports)) {
    if (spec.exposure !== 'metrics') continue;
    const client = name === 'el-metrics' ? host.execution : host.client;
    if (client) out.push({ client, port: spec.port, path: metricsPathOf(client), names: metricNamesOf(client) });
  }
  return out;
}

/** What a status run needs, computed once: the render, each host's request, and the chain's observer if there is one. */
export function statusContext(
  inventory: string,
  inv: ResolvedInventory,
  options: { templates?: string | undefined; observer?: ChainObserver | undefined } = {},
): StatusContext {
  const { templates, observer } = options;
  const renders = new Map(renderDeployment(inv, { inventory, templates }).renders.map((r) => [r.host, r]));
  const binaries = new Map([...renders.values()].map((r) => [r.host, binariesOf(inv, r, inventory)]));
  const keys = validatorKeyFiles(inv.family);
  const signing = new Map<string, string[]>();
  const requests = new Map<string, StatusRequest>();
  for (const id of inv.identities)
    for (const h of [id.active, ...id.standby])
      signing.set(h.name, renders.get(h.name)?.manifest.services.map((s) => s.name) ?? []);
  for (const host of inv.hosts) {
    const render = renders.get(host.name);
    const probes = [
      ...inv.identities
        .filter((id) => quorumOf(id).includes(host))
        .map((id) => {
          const validator = host !== id.witness;
          const own = activeStateFile(inv.family);
          // with a cosmos remote signer no validator holds the key: the one CometBFT makes for
          // itself (LoadOrGenFilePV) is no signer, and the signer tier is judged on its own
          const keyless = inv.family === 'cosmos' && id.signer !== undefined;
          return {
            identity: id.name,
            keys: validator && !keyless ? keys : [],
            files: validator ? (own ? [own] : []) : stateFiles(inv.family, id.name, 'witness'),
          };
        }),
      // a signer host: its watermark (./signer-report.ts)
      ...inv.identities
        .filter((id) => id.signer?.hosts.includes(host))
        .map((id) => ({ identity: id.name, keys: [], files: signerProbeFiles(id, inv.chain.network) })),
    ];
    requests.set(host.name, {
      paths: [...(render?.files.map((f) => f.path) ?? []), ...(binaries.get(host.name) ?? []).map((b) => b.path)],
      services: render?.manifest.services.map((s) => s.name) ?? [],
      probes,
      metrics: metricsEndpoints(host),
    });
  }
  return { inventory, inv, renders, binaries, requests, signing, ...(observer ? { observer } : {}) };
}

export interface StatusRun {
  report: StatusReport;
  /** Milliseconds the whole gathering took. */
  tookMs: number;
}

export async function gatherStatus(
  ctx: StatusContext,
  session: HostSession,
  options: { saveWitnessCopy: boolean },
): Promise<StatusRun> {
  const started = Date.now();
  const { inv } = ctx;
  // The chain is read once every host has answered, not beside them: its head then bounds every
  // watermark just read (a head read first is older by the hosts' round trips, and an honest
  // watermark would look ahead of the chain: seen under load, 151 against a head of 148)
  const outcomes = await session.each(inv.hosts, async (conn, host) => {
    const request = ctx.requests.get(host.name)!;
    return parseStatus(
      host,
      request,
      await conn.run(statusShell(host), {
        stdin: statusScript(host, request),
        timeoutMs: 20_000,
        maxOutputBytes: OUTPUT_LIMITS.probe,
      }),
    );
  });
  const read = await ctx.observer?.read().catch(() => undefined);
  // a reading with no source that answered says nothing of the chain: as if it had not answered
  const reading = read && read.sources.some((x) => !x.error) ? read : undefined;
  const answers = new Map<string, HostAnswer | { error: string }>(
    outcomes.map((o) => [o.host, o.ok ? o.value : { error: o.error.detail }]),
  );
  const report = buildReport({
    inv,
    renders: ctx.renders,
    binaries: ctx.binaries,
    answers,
    keys: validatorKeyFiles(inv.family),
    signing: ctx.signing,
    ...(ctx.observer && reading ? { chain: { what: ctx.observer.what, reading } } : {}),
    now: new Date(),
    ...(ctx.observer ? { stallHeights: stallHeightsAt(ctx.observer.blockTimeMs) } : {}),
  });
  if (ctx.observer && !reading)
    report.warnings.push(
      `${ctx.observer.what} did not answer${read ? ` (${read.sources.map((x) => `${x.source}: ${x.error}`).join('; ')})` : ''}: signatures and double signs unknown`,
    );
  for (const u of ctx.observer?.unjudged ?? [])
    report.warnings.push(`${u.identity}: the chain cannot be asked about it: ${u.why}`);
  if (options.saveWitnessCopy) await saveWitnessCopies(ctx, session, report, answers);
  return { report, tookMs: Date.now() - started };
}

/**
 * Heights without a signature before an identity is "not signing": a minute of them, at most 10
 * and at least 2 (6 s blocks: 10; 6.4-minute epochs: 2), and never less than 10 seconds' worth (a
 * lab's fast chain).
 */
export const stallHeightsAt = (blockTimeMs: number) =>
  Math.max(Math.min(10, Math.max(2, Math.ceil(60_000 / blockTimeMs) + 1)), Math.ceil(10_000 / blockTimeMs));

/** The chain's head as the observer sees it, or else as the other hosts' clients report it (never the live host's own word). */
function chainHead(report: StatusReport, live: string): number | undefined {
  if (report.chain?.head !== undefined) return report.chain.head;
  const heights = report.hosts.filter((h) => h.host !== live && h.height !== undefined).map((h) => h.height!);
  return heights.length ? Math.max(...heights) : undefined;
}

/**
 * Refreshes each identity's copy on its witness from the live active host, one command per
 * witness for all the identities it keeps; the outcome goes into the report.
 */
async function saveWitnessCopies(
  ctx: StatusContext,
  session: HostSession,
  report: StatusReport,
  answers: Map<string, HostAnswer | { error: string }>,
): Promise<void> {
  const own = activeStateFile(ctx.inv.family);
  if (!own) return;
  const byWitness = new Map<
    string,
    { witness: ResolvedHost; writes: { status: IdentityStatus; lines: string[]; why: string }[] }
  >();
  for (const status of report.identities) {
    const id = ctx.inv.identities.find((i) => i.name === status.identity);
    if (!id?.witness || !status.live) continue;
    const active = answers.get(status.live);
    const witness = answers.get(id.witness.name);
    if (!active || 'error' in active || !witness || 'error' in witness) {
      status.witnessCopy = 'not refreshed: the live active host or the witness is unreachable';
      continue;
    }
    const [copyPath] = stateFiles(ctx.inv.family, id.name, 'witness');
    const decision = decideWitnessCopy(
      ctx.inv.family,
      id.name,
      active.probes[id.name]?.files[own],
      witness.probes[id.name]?.files[copyPath!],
      chainHead(report, status.live),
    );
    if (!decision.write) {
      status.witnessCopy = decision.why;
      if (decision.why.startsWith('not saved'))
        report.warnings.push(`${status.identity}: the witness copy was not saved: ${decision.why}`);
      continue;
    }
    const entry = byWitness.get(id.witness.name) ?? { witness: id.witness, writes: [] };
    entry.writes.push({
      status,
      lines: neverLowerWriteLines(ctx.inv.family, id.witness.root, decision.path, decision.content, '0600'),
      why: decision.why,
    });
    byWitness.set(id.witness.name, entry);
  }
  await Promise.all(
    [...byWitness.values()].map(async ({ witness, writes }) => {
      const script = braceGroup(['set -eu', ...writes.flatMap((w) => w.lines)]);
      const [outcome] = await session.each([witness], (conn) =>
        conn.run(rootShell(witness), { stdin: script, timeoutMs: 15_000 }),
      );
      for (const w of writes) {
        w.status.witnessCopy = outcome?.ok
          ? `${w.why} on ${witness.name}`
          : `not saved: ${outcome && !outcome.ok ? outcome.error.detail : 'unknown'}`;
        if (!outcome?.ok)
          report.warnings.push(`${w.status.identity}: the witness copy of the signing state was not saved`);
      }
    }),
  );
}
