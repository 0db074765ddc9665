import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { posix } from 'node:path';
import { fileDiff } from '../deploy/diff.js';
import { gatherFacts, type HostFacts } from '../deploy/facts.js';
import { computePlan, type Plan } from '../deploy/plan.js';
import { HostSession, type HostOutcome } from '../deploy/session.js';
import { selectHosts } from '../deploy/select.js';
import { binariesOf } from '../deploy/binaries.js';
import { asRoot, shq } from '../deploy/remote-script.js';
import type { HostRender } from '../render/host.js';
import { loadInventory } from '../inventory/load.js';
import type { ResolvedInventory } from '../inventory/resolve.js';
import { plural } from '../output/diagnostics.js';
import type { Terminal } from '../output/terminal.js';
import { TemplateEngine } from '../render/engine.js';
import { nodeIdCachePath, readNodeIdCache } from '../render/node-ids.js';
import { renderInventory } from '../render/render.js';
import { loadTemplates } from '../render/templates.js';
import { computeGraph } from '../topology/graph.js';

export interface PlanOptions {
  inventory: string;
  limit: string[];
  /** Unified diffs of changed text files, secrets masked. */
  diff?: boolean;
  parallel: number;
  acceptNew: boolean;
  out?: string;
  templates?: string;
}

export interface PlanRun {
  plan: Plan;
  renders: Map<string, HostRender>;
  failures: HostOutcome<unknown>[];
  /** With --diff: host -> path -> unified diff (secrets masked). */
  diffs: Record<string, Record<string, string>>;
}

/** Gathers node ids the inventory lacks from the hosts, and keeps them in .stake/node-ids.json. */
async function nodeIds(
  inv: ResolvedInventory,
  session: HostSession,
  inventory: string,
): Promise<Record<string, string>> {
  const cache = readNodeIdCache(inventory);
  const missing = inv.hosts.filter((h) => h.client === 'cometbft' && !h.nodeId && !cache[h.name]);
  if (missing.length === 0) return cache;
  const outcomes = await session.each(missing, (conn, host) => gatherFacts(conn, host, [], []));
  let learnt = false;
  for (const o of outcomes) {
    if (o.ok && o.value.nodeId) {
      cache[o.host] = o.value.nodeId;
      learnt = true;
    }
  }
  if (learnt) {
    const path = nodeIdCachePath(inventory);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(cache, Object.keys(cache).sort(), 2)}\n`);
  }
  return cache;
}

/** Computes the plan of the selected hosts; the session stays open for deploy to reuse. */
export async function makePlan(options: PlanOptions, session: HostSession, inv: ResolvedInventory): Promise<PlanRun> {
  const selected = selectHosts(inv, options.limit);
  const ids = await nodeIds(inv, session, options.inventory);
  const { sources } = loadTemplates({
    inventory: options.inventory,
    ...(options.templates ? { templates: options.templates } : {}),
  });
  const renders = renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), ids, {
    hosts: selected.map((h) => h.name),
  });
  const byHost = new Map(renders.map((r) => [r.host, r]));
  const binaries = new Map(renders.map((r) => [r.host, binariesOf(inv, r, options.inventory)]));
  const outcomes = await session.each(selected, (conn, host) => {
    const r = byHost.get(host.name)!;
    const paths = [...r.files.map((f) => f.path), ...binaries.get(host.name)!.map((b) => b.path)];
    return gatherFacts(
      conn,
      host,
      paths,
      r.manifest.services.map((s) => s.name),
    );
  });
  const facts = new Map<string, HostFacts>();
  for (const o of outcomes) if (o.ok) facts.set(o.host, o.value);
  const result = computePlan(inv.name, renders, facts, binaries);
  const diffs: Record<string, Record<string, string>> = {};
  if (options.diff) {
    const reached = selected.filter((h) => facts.has(h.name));
    await session.each(reached, async (conn, host) => {
      const changed = result.hosts
        .find((h) => h.host === host.name)!
        .files.filter((f) => f.action === 'change' && f.differs.includes('content') && !f.binary);
      for (const f of changed) {
        // base64 keeps any byte intact over the channel
        const current = Buffer.from(
          await conn.run(asRoot(host, `base64 < ${shq(posix.join(host.root, f.path))}`)),
          'base64',
        ).toString('utf8');
        const next = byHost.get(host.name)!.files.find((x) => x.path === f.path)!.content;
        const patch = fileDiff(f.path, current, next);
        if (patch) (diffs[host.name] ??= {})[f.path] = patch;
      }
    });
  }
  return { plan: result, renders: byHost, failures: outcomes.filter((o) => !o.ok), diffs };
}

/** The exit code for hosts that failed: a refused host key is a guard (4), unreachable 5, anything else 1. */
export function failureExit(failures: HostOutcome<unknown>[]): ExitCode {
  const errors = failures.flatMap((f) => (f.ok ? [] : [f.error]));
  if (errors.some((e) => e.exitCode === EXIT.refused)) return EXIT.refused;
  if (errors.length > 0 && errors.every((e) => e.exitCode === EXIT.unreachable)) return EXIT.unreachable;
  return errors.length ? EXIT.failed : EXIT.ok;
}

const MARK = { create: '+', change: '~', delete: '-', unchanged: ' ' } as const;

export function printPlan(
  plan: Plan,
  failures: HostOutcome<unknown>[],
  term: Terminal,
  diffs: Record<string, Record<string, string>> = {},
): void {
  const { style } = term;
  const colour = { create: style.green, change: style.yellow, delete: style.red, unchanged: style.dim };
  for (const h of plan.hosts) {
    const counts = (['create', 'change', 'delete'] as const)
      .map((a) => [a, h.files.filter((f) => f.action === a).length] as const)
      .filter(([, n]) => n > 0);
    term.print(
      style.bold(
        `${h.host}: ${counts.length ? counts.map(([a, n]) => `${n} to ${a}`).join(', ') : 'no file changes'}${h.restart.length ? `; restarts ${h.restart.join(', ')}` : ''}${h.actions.length ? `; then ${h.actions.join(', ')}` : ''}`,
      ),
    );
    for (const f of h.files.filter((x) => x.action !== 'unchanged' || term.options.verbose > 0)) {
      term.print(
        colour[f.action](`  ${MARK[f.action]} ${f.path}${f.action === 'change' ? ` (${f.differs.join(', ')})` : ''}`),
      );
      const patch = diffs[h.host]?.[f.path];
      if (patch) {
        for (const line of patch.split('\n').slice(2)) {
          if (!line) continue;
          term.print(
            `      ${line.startsWith('+') ? style.green(line) : line.startsWith('-') ? style.red(line) : line.startsWith('@@') ? style.cyan(line) : style.dim(line)}`,
          );
        }
      }
    }
  }
  for (const f of failures)
    if (!f.ok) term.print(style.red(`${f.host}: ${f.error.message}${f.error.hint ? `\n  hint: ${f.error.hint}` : ''}`));
  const changes = plan.hosts.reduce((n, h) => n + h.changes, 0);
  const changed = plan.hosts.filter((h) => h.changes > 0).length;
  term.print(
    changes === 0 && failures.length === 0
      ? style.green('✓ nothing to do: every host matches the inventory')
      : `${plural(changed, 'host')} to change of ${plural(plan.hosts.length, 'host')} reached${failures.length ? style.red(`; ${plural(failures.length, 'host')} not reached`) : ''}`,
  );
}

/** `stake plan`: what deploy would change on each host. Changes nothing. */
export async function plan(options: PlanOptions, term: Terminal): Promise<ExitCode> {
  const { resolved } = await loadInventory(options.inventory);
  const session = new HostSession(resolved, {
    inventory: options.inventory,
    parallel: options.parallel,
    acceptNew: options.acceptNew,
    connectTimeoutMs: 15_000,
  });
  try {
    const { plan: result, failures, diffs } = await makePlan(options, session, resolved);
    for (const added of session.recordNewHostKeys())
      term.note(
        term.style.yellow(
          `${added.host}: new host key ${added.fingerprint} accepted (--accept-new) and added to ${added.file}`,
        ),
      );
    if (options.out) writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
    if (term.options.json)
      term.document({
        plan: result,
        ...(options.diff ? { diffs } : {}),
        unreachable: failures.map((f) =>
          f.ok ? undefined : { host: f.host, error: f.error.message, hint: f.error.hint },
        ),
      });
    else printPlan(result, failures, term, diffs);
    return failureExit(failures);
  } finally {
    await session.close();
  }
}
