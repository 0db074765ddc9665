/**
 * Gathering a plan: node ids the inventory lacks (learnt from the hosts once, cached beside the
 * inventory), the render of the selected hosts, each host's facts over SSH, and the pure
 * comparison (./compute.ts). With --diff, the current text of each changed file, for unified
 * diffs with secrets masked. The session stays open for deploy to reuse.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { ResolvedInventory } from '../inventory/resolve.js';
import { renderDeployment } from '../render/deployment.js';
import type { HostRender } from '../render/host.js';
import { nodeIdCachePath, readNodeIdCache } from '../render/node-ids.js';
import type { HostOutcome, HostSession } from '../ssh/session.js';
import { asRoot, shq } from '../ssh/shell.js';
import { binariesOf } from './binaries.js';
import { computePlan, deletionProblems, type Plan } from './compute.js';
import { fileDiff } from './diff.js';
import { gatherFacts, refuseProblems, type HostFacts } from './facts.js';
import { selectHosts } from './select.js';

export interface PlanOptions {
  inventory: string;
  limit: string[];
  /** Unified diffs of changed text files, secrets masked. */
  diff?: boolean;
  parallel: number;
  acceptNew: boolean;
  out?: string;
  templates?: string;
  /** Plan and a dry run: a node id not known yet shows as pending (deploy makes the key) instead of refusing. */
  pendingNodeIds?: boolean;
}

export interface PlanRun {
  plan: Plan;
  renders: Map<string, HostRender>;
  failures: HostOutcome<unknown>[];
  /** With --diff: host -> path -> unified diff (secrets masked). */
  diffs: Record<string, Record<string, string>>;
  /** Hosts whose node id is not known yet (with pendingNodeIds). */
  pendingNodeIds: string[];
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
export async function gatherPlan(options: PlanOptions, session: HostSession, inv: ResolvedInventory): Promise<PlanRun> {
  const selected = selectHosts(inv, options.limit);
  const ids = await nodeIds(inv, session, options.inventory);
  const { renders, pendingNodeIds } = renderDeployment(inv, {
    inventory: options.inventory,
    templates: options.templates,
    nodeIds: ids,
    pendingNodeIds: options.pendingNodeIds === true,
    selection: { hosts: selected.map((h) => h.name) },
  });
  const byHost = new Map(renders.map((r) => [r.host, r]));
  const binaries = new Map(renders.map((r) => [r.host, binariesOf(inv, r, options.inventory)]));
  const outcomes = await session.each(selected, async (conn, host) => {
    const r = byHost.get(host.name)!;
    const paths = [...r.files.map((f) => f.path), ...binaries.get(host.name)!.map((b) => b.path)];
    const facts = await gatherFacts(
      conn,
      host,
      paths,
      r.manifest.services.map((s) => s.name),
    );
    // a manifest that lists a path stake never renders is the host's claim: refuse the host, act on none of it
    return refuseProblems({ ...facts, problems: deletionProblems(facts, binaries.get(host.name)!) });
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
  return { plan: result, renders: byHost, failures: outcomes.filter((o) => !o.ok), diffs, pendingNodeIds };
}

/** The exit code for hosts that failed: a refused host key is a guard (4), unreachable 5, anything else 1. */
export function failureExit(failures: HostOutcome<unknown>[]): ExitCode {
  const errors = failures.flatMap((f) => (f.ok ? [] : [f.error]));
  if (errors.some((e) => e.exitCode === EXIT.refused)) return EXIT.refused;
  if (errors.length > 0 && errors.every((e) => e.exitCode === EXIT.unreachable)) return EXIT.unreachable;
  return errors.length ? EXIT.failed : EXIT.ok;
}
