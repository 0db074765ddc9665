import { EXIT, type ExitCode } from '../exit-codes.js';
import { UsageError } from '../errors.js';
import { loadInventory } from '../inventory/load.js';
import type { Terminal } from '../output/terminal.js';
import { firewallEntries } from '../render/nftables.js';
import { computeGraph, sourceLabel } from '../topology/graph.js';

export interface FirewallExplainOptions {
  inventory: string;
  host: string;
}

/** `stake firewall explain HOST`: each rule of the host's ruleset with the flow and the inventory lines behind it. */
export async function firewallExplain(options: FirewallExplainOptions, term: Terminal): Promise<ExitCode> {
  const { resolved, locate, text } = await loadInventory(options.inventory);
  const host = resolved.hosts.find((h) => h.name === options.host);
  if (!host)
    throw new UsageError(
      `no host "${options.host}" in ${options.inventory}`,
      `hosts: ${resolved.hosts.map((h) => h.name).join(', ')}`,
    );
  const entries = firewallEntries(resolved, computeGraph(resolved), host);
  const lines = text.split('\n');
  const cite = (path: readonly (string | number)[]) => {
    const at = locate(path, 'value');
    return { path: path.join('.'), file: at.file, line: at.line, text: (lines[at.line - 1] ?? '').trim() };
  };
  const explained = entries.map((e) => ({
    rule: e.rule ?? null,
    covered_by: e.coveredBy ?? null,
    from: sourceLabel(e.flow.from),
    service: e.flow.service,
    port: e.flow.port,
    protocol: e.flow.protocol,
    purpose: e.flow.purpose,
    because: e.flow.because.map(cite).filter((b, i, all) => all.findIndex((x) => x.line === b.line) === i),
  }));
  if (term.options.json) {
    term.document({ host: host.name, policy: 'drop', enforced: host.firewall === 'enforce', entries: explained });
    return EXIT.ok;
  }
  const { style } = term;
  term.print(style.bold(`${host.name}: input policy drop; established, loopback and ICMP errors accepted; then:`));
  if (host.firewall === 'render')
    term.print(style.yellow(`  (firewall: render: this ruleset is shipped but never loaded on ${host.name})`));
  for (const e of explained) {
    term.print('');
    term.print(
      e.rule
        ? style.green(`  ${e.rule}`)
        : style.dim(
            `  (no rule of its own: ${e.covered_by === 'loopback' ? 'loopback is accepted whole' : 'the internet rule on this port covers it'})`,
          ),
    );
    term.print(`    ${e.from} -> ${host.name} ${e.service} ${e.port}/${e.protocol}: ${e.purpose}`);
    for (const b of e.because) term.print(style.dim(`    ${b.file}:${b.line}  ${b.text}`));
  }
  return EXIT.ok;
}
