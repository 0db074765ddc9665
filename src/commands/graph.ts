import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadInventory } from '../inventory/load.js';
import type { Terminal } from '../output/terminal.js';
import { drawGraph, type GraphFormat } from '../topology/draw.js';
import { computeGraph } from '../topology/graph.js';

export interface GraphOptions {
  inventory: string;
  format: GraphFormat;
  all: boolean;
}

/** `stake graph`: the topology as text, dot or mermaid; `--json` gives the flows as data. */
export async function graph(options: GraphOptions, term: Terminal): Promise<ExitCode> {
  const { resolved } = await loadInventory(options.inventory);
  const topology = computeGraph(resolved);
  if (term.options.json) term.document({ inventory: options.inventory, name: resolved.name, flows: topology.flows });
  else term.print(drawGraph(resolved, topology, options.format, { all: options.all }).trimEnd());
  return EXIT.ok;
}
