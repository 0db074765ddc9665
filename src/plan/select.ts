import { UsageError } from '../errors.js';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';

/**
 * `--limit`: hosts whose name, tier or datacenter is one of the terms (comma-separated, like
 * Ansible's --limit). No terms: every host. A term that matches nothing is a usage error.
 */
export function selectHosts(inv: ResolvedInventory, terms: string[]): ResolvedHost[] {
  if (terms.length === 0) return inv.hosts;
  for (const t of terms) {
    if (!inv.hosts.some((h) => h.name === t || h.tier === t || h.dc === t)) {
      throw new UsageError(
        `--limit ${t} matches no host, tier or datacenter`,
        `hosts: ${inv.hosts.map((h) => h.name).join(', ')}`,
      );
    }
  }
  return inv.hosts.filter((h) => terms.includes(h.name) || terms.includes(h.tier) || terms.includes(h.dc));
}
