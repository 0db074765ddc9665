/**
 * The one way a command renders a deployment: templates loaded (built-in, then the user's),
 * the topology graph computed, node ids from the inventory's cache unless given, and the
 * selected hosts rendered. render, plan, status and failover all call this, so they all see
 * the same files deploy would write.
 */
import type { ResolvedInventory } from '../inventory/resolve.js';
import { computeGraph } from '../topology/graph.js';
import { TemplateEngine } from './engine.js';
import type { HostRender } from './host.js';
import { readNodeIdCache, withPendingNodeIds } from './node-ids.js';
import { renderInventory, type RenderSelection } from './render.js';
import { loadTemplates } from './templates.js';

export interface DeploymentRender {
  /** The inventory file: templates/ and the node id cache are found beside it. */
  inventory: string;
  /** The user's templates folder (`--templates`). */
  templates?: string | undefined;
  /** Node ids by host; default: the cache beside the inventory. */
  nodeIds?: Readonly<Record<string, string>>;
  /** Render and plan, which change nothing: a node id not known yet shows as pending instead of refusing. */
  pendingNodeIds?: boolean;
  selection?: RenderSelection;
}

export interface RenderedDeployment {
  renders: HostRender[];
  /** The user's templates that replaced built-in ones. */
  overrides: string[];
  /** With pendingNodeIds: the hosts whose node id is not known yet (their first deploy makes the key). */
  pendingNodeIds: string[];
}

export function renderDeployment(inv: ResolvedInventory, options: DeploymentRender): RenderedDeployment {
  const { sources, overrides } = loadTemplates({
    inventory: options.inventory,
    ...(options.templates ? { templates: options.templates } : {}),
  });
  const known = options.nodeIds ?? readNodeIdCache(options.inventory);
  const { ids: nodeIds, pending } = options.pendingNodeIds
    ? withPendingNodeIds(inv, known)
    : { ids: known, pending: [] };
  const renders = renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), nodeIds, options.selection);
  return { renders, overrides, pendingNodeIds: pending };
}
