/** Renders the selected hosts of an inventory. Pure: templates and node ids come in as data. */
import type { ResolvedInventory } from '../inventory/resolve.js';
import type { TopologyGraph } from '../topology/graph.js';
import type { TemplateEngine } from './engine.js';
import { renderHost, type HostRender } from './host.js';

export interface RenderSelection {
  hosts?: string[];
  tiers?: string[];
}

export function renderInventory(
  inv: ResolvedInventory,
  graph: TopologyGraph,
  engine: TemplateEngine,
  nodeIds: Readonly<Record<string, string>>,
  selection: RenderSelection = {},
): HostRender[] {
  return inv.hosts
    .filter(
      (h) =>
        (!selection.hosts?.length || selection.hosts.includes(h.name)) &&
        (!selection.tiers?.length || selection.tiers.includes(h.tier)),
    )
    .map((host) => renderHost({ inv, graph, host, engine, nodeIds }));
}
