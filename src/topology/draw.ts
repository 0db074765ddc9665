/**
 * The topology as a picture: plain text, Graphviz dot, or Mermaid. Datacenters are clusters,
 * tiers are shapes, and edges are the flows between hosts, merged per pair of endpoints. SSH,
 * metrics and loopback flows are left out unless asked for: they connect everything to the
 * bastion and the monitor and would hide the chain's own shape.
 */
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import { sourceKey, sourceLabel, type Flow, type TopologyGraph } from './graph.js';

export type GraphFormat = 'text' | 'dot' | 'mermaid';

/** Graphviz shapes by tier: what an operator recognises in a runbook picture. */
const DOT_SHAPE: Record<string, string> = {
  sentry: 'box',
  relay: 'box',
  beacon: 'box3d',
  validator: 'doubleoctagon',
  signer: 'hexagon',
  witness: 'diamond',
  bastion: 'house',
  monitor: 'note',
};
const MERMAID_SHAPE: Record<string, [string, string]> = {
  sentry: ['[', ']'],
  relay: ['[', ']'],
  beacon: ['[[', ']]'],
  validator: ['{{', '}}'],
  signer: ['[/', '/]'],
  witness: ['{', '}'],
  bastion: ['[(', ')]'],
  monitor: ['>', ']'],
};

interface Edge {
  from: string;
  to: string;
  labels: string[];
  /** Both ends open the same connection to each other (p2p between a validator and its sentries). */
  both: boolean;
}

/** Flows between the same two endpoints become one edge labelled with every service. */
function edges(graph: TopologyGraph, all: boolean): Edge[] {
  const byPair = new Map<string, Edge>();
  const shown = (f: Flow) => all || (!f.local && f.service !== 'ssh' && !f.service.includes('metrics'));
  for (const f of graph.flows.filter(shown)) {
    const key = `${sourceKey(f.from)}>${f.to}`;
    const label = `${f.service} ${f.port}/${f.protocol}`;
    const edge = byPair.get(key) ?? { from: sourceLabel(f.from), to: f.to, labels: [], both: false };
    if (!edge.labels.includes(label)) edge.labels.push(label);
    byPair.set(key, edge);
  }
  // Two opposite edges with the same services are one two-way edge.
  const merged: Edge[] = [];
  const taken = new Set<Edge>();
  for (const e of byPair.values()) {
    if (taken.has(e)) continue;
    const back = byPair.get(`host:${e.to}>${e.from}`);
    if (back && back !== e && !taken.has(back) && back.labels.join() === e.labels.join()) {
      taken.add(back);
      merged.push({ ...e, both: true });
    } else {
      merged.push(e);
    }
  }
  return merged;
}

const byDc = (inv: ResolvedInventory) =>
  Object.keys(inv.datacenters).map((dc) => [dc, inv.hosts.filter((h) => h.dc === dc)] as const);
const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
const hostLabel = (h: ResolvedHost) => `${h.name}\\n${h.tier}${h.client ? ` · ${h.client}` : ''}`;

export function drawGraph(
  inv: ResolvedInventory,
  graph: TopologyGraph,
  format: GraphFormat,
  options: { all?: boolean } = {},
): string {
  const es = edges(graph, options.all ?? false);
  const externals = [...new Set(es.map((e) => e.from).filter((f) => !inv.hosts.some((h) => h.name === f)))].sort();
  if (format === 'dot') {
    const lines = [
      `digraph "${inv.name}" {`,
      '  graph [rankdir=LR, fontname="Helvetica", label="' +
        `${inv.name} (${inv.family} ${inv.chain.network})` +
        '", labelloc=t];',
      '  node [fontname="Helvetica", fontsize=10];',
      '  edge [fontname="Helvetica", fontsize=8, color="#555555"];',
    ];
    for (const ext of externals)
      lines.push(`  "${ext}" [shape=${ext === 'internet' ? 'ellipse, style=dashed' : 'parallelogram'}];`);
    for (const [dc, hosts] of byDc(inv)) {
      const meta = inv.datacenters[dc];
      lines.push(
        `  subgraph cluster_${id(dc)} {`,
        `    label="${dc} (${meta?.provider ?? ''}, ${meta?.country ?? ''})"; style=rounded; color="#888888";`,
      );
      for (const h of hosts) {
        const active = h.roles.some((r) => r.role === 'active');
        lines.push(
          `    "${h.name}" [shape=${DOT_SHAPE[h.tier] ?? 'box'}, label="${hostLabel(h)}"${active ? ', style=filled, fillcolor="#d9f2d9"' : ''}];`,
        );
      }
      lines.push('  }');
    }
    for (const e of es)
      lines.push(`  "${e.from}" -> "${e.to}" [label="${e.labels.join('\\n')}"${e.both ? ', dir=both' : ''}];`);
    lines.push('}');
    return `${lines.join('\n')}\n`;
  }
  if (format === 'mermaid') {
    const lines = ['flowchart LR'];
    for (const ext of externals) lines.push(`  ${id(ext)}((${ext}))`);
    for (const [dc, hosts] of byDc(inv)) {
      lines.push(`  subgraph ${id(dc)}[${dc}]`);
      for (const h of hosts) {
        const [open, close] = MERMAID_SHAPE[h.tier] ?? ['[', ']'];
        lines.push(`    ${id(h.name)}${open}"${h.name}<br/>${h.tier}${h.client ? ` · ${h.client}` : ''}"${close}`);
      }
      lines.push('  end');
    }
    for (const e of es) lines.push(`  ${id(e.from)} ${e.both ? '<-->' : '-->'}|"${e.labels.join(', ')}"| ${id(e.to)}`);
    return `${lines.join('\n')}\n`;
  }
  const lines = [`${inv.name} (${inv.family} ${inv.chain.network})`, ''];
  for (const [dc, hosts] of byDc(inv)) {
    lines.push(`[${dc}]`);
    for (const h of hosts) lines.push(`  ${h.name} (${h.tier}${h.client ? `, ${h.client}` : ''})`);
  }
  lines.push('', 'flows:');
  for (const e of es) lines.push(`  ${e.from} ${e.both ? '<->' : '->'} ${e.to}: ${e.labels.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
