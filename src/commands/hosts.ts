import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadInventory } from '../inventory/load.js';
import type { ResolvedHost } from '../inventory/resolve.js';
import { plural } from '../output/diagnostics.js';
import { formatTable } from '../output/table.js';
import type { Terminal } from '../output/terminal.js';

export interface HostsOptions {
  inventory: string;
}

/** Outside in: the order an operator reads a topology in. */
const TIER_ORDER = ['bastion', 'sentry', 'relay', 'beacon', 'validator', 'signer', 'witness', 'monitor'];

export interface HostRow {
  name: string;
  tier: string;
  dc: string;
  address: string;
  private_address: string;
  client: string | null;
  execution: string | null;
  public: boolean;
  roles: { identity: string; role: string }[];
}

/** `stake hosts`: every host by tier and datacenter, with the role it plays for each identity. */
export async function hosts(options: HostsOptions, term: Terminal): Promise<ExitCode> {
  const { resolved, warnings } = await loadInventory(options.inventory);
  const rows = [...resolved.hosts].sort(
    (a, b) =>
      TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) ||
      a.dc.localeCompare(b.dc) ||
      a.name.localeCompare(b.name),
  );
  if (term.options.json) {
    term.document({
      inventory: options.inventory,
      name: resolved.name,
      family: resolved.family,
      hosts: rows.map(toRow),
    });
    return EXIT.ok;
  }
  const { style } = term;
  const table = formatTable(
    ['NAME', 'TIER', 'DC', 'ADDRESS', 'CLIENT', 'ROLE'],
    rows.map((h) => [
      h.name,
      h.tier,
      h.dc,
      h.address,
      [h.client, h.execution].filter(Boolean).join('+') || '-',
      roleText(h),
    ]),
  );
  term.print(style.bold(table[0] ?? ''));
  for (const [i, line] of table.slice(1).entries()) {
    const host = rows[i]!;
    term.print(host.roles.some((r) => r.role === 'active') ? line.replace(/active\b/, style.green('active')) : line);
  }
  term.print(
    style.dim(
      `${plural(rows.length, 'host')} in ${plural(Object.keys(resolved.datacenters).length, 'datacenter')}, ${resolved.family} ${resolved.chain.network}`,
    ),
  );
  if (warnings.length)
    term.note(style.yellow(`${plural(warnings.length, 'warning')}: run 'stake validate -i ${options.inventory}'`));
  return EXIT.ok;
}

function roleText(h: ResolvedHost): string {
  const own = h.roles.filter((r) => r.role !== 'monitor');
  if (own.length === 0) return h.roles.length ? 'monitor' : '-';
  return own.map((r) => `${r.role} ${r.identity}`).join(', ');
}

function toRow(h: ResolvedHost): HostRow {
  return {
    name: h.name,
    tier: h.tier,
    dc: h.dc,
    address: h.address,
    private_address: h.privateAddress,
    client: h.client ?? null,
    execution: h.execution ?? null,
    public: h.public,
    roles: h.roles,
  };
}
