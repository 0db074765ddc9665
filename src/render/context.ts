import { posix } from 'node:path';
import type { ResolvedHost, ResolvedIdentity, ResolvedInventory } from '../inventory/resolve.js';
import type { TopologyGraph } from '../topology/graph.js';
import type { TemplateEngine } from './engine.js';
import { RenderError } from './errors.js';

/** Everything rendering one host needs. Pure data plus the template engine. */
export interface HostContext {
  inv: ResolvedInventory;
  graph: TopologyGraph;
  host: ResolvedHost;
  engine: TemplateEngine;
  /** CometBFT node ids by host: the inventory's `node_id`s, then those gathered from hosts. */
  nodeIds: Readonly<Record<string, string>>;
}

/** A path as the processes on the host see it: under the host's `root`. */
export const onHost = (host: ResolvedHost, path: string) => posix.join(host.root, path);

/** Where a client's binary lives, relative to the host's root: `clients.<name>.binary`, default /usr/local/bin/<name>. */
export const binaryPath = (inv: ResolvedInventory, client: string) =>
  inv.clients[client]?.binary ?? `/usr/local/bin/${client}`;

/** The identities a host serves in a role. */
export const identitiesOf = (ctx: HostContext, ...roles: string[]): ResolvedIdentity[] =>
  ctx.inv.identities.filter((id) => ctx.host.roles.some((r) => r.identity === id.name && roles.includes(r.role)));

/** The node id of a cometbft host, or a RenderError that says how to provide it. */
export function nodeIdOf(ctx: HostContext, host: ResolvedHost): string {
  const id = host.nodeId ?? ctx.nodeIds[host.name];
  if (id) return id;
  throw new RenderError(
    `the cometbft node id of "${host.name}" is unknown (${ctx.host.name}'s config needs it)`,
    `\`stake deploy\` makes the node key on a host that has none and learns its id in the same run: deploy with "${host.name}" among the hosts (without --limit, or --limit ${host.name},${ctx.host.name}); a host already keyed gives its id to plan and render once reached (kept in .stake/node-ids.json beside the inventory)`,
  );
}

/** Each item once, first occurrence first (a host can serve several identities). */
export const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** Shared template data: who rendered what for whom. */
export const baseData = (ctx: HostContext) => ({
  deployment: ctx.inv.name,
  host: { name: ctx.host.name, tier: ctx.host.tier, dc: ctx.host.dc },
});
