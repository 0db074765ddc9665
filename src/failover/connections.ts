/**
 * What an approval binds besides the plan: every connection parameter of the hosts the
 * failover acts on (its quorum, and each one's jump chain, recursively): address, port, user,
 * how it gains root, the host it jumps through, and the host key fingerprints known_hosts
 * trusts for it. Each host is one line of the signed text, and the lines' digest is in it too,
 * so an inventory or known_hosts edited after the approval cannot point an approved fence at
 * another machine: `--confirm` derives the lines again and names what changed. Pure.
 */
import { createHash } from 'node:crypto';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';

/** The fields of a connection line, in the order they are written. */
export const CONNECTION_FIELDS = ['address', 'port', 'user', 'become', 'jump', 'host-keys'] as const;
type Field = (typeof CONNECTION_FIELDS)[number];

/**
 * The connection lines of these hosts and of every host on their jump chains, sorted by name.
 * `hostKeys(host)` gives the fingerprints known_hosts trusts for the host (I/O is the caller's).
 */
export function connectionLines(
  inv: ResolvedInventory,
  hosts: readonly ResolvedHost[],
  hostKeys: (host: ResolvedHost) => readonly string[],
): string[] {
  const seen = new Map<string, ResolvedHost>();
  const visit = (h: ResolvedHost) => {
    if (seen.has(h.name)) return;
    seen.set(h.name, h);
    if (h.ssh.jump) visit(inv.host(h.ssh.jump));
  };
  hosts.forEach(visit);
  return [...seen.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((h) => {
      const values: Record<Field, string> = {
        address: h.address,
        port: String(h.ssh.port),
        user: h.ssh.user,
        become: h.ssh.become,
        jump: h.ssh.jump ?? '-',
        'host-keys': [...new Set(hostKeys(h))].sort().join(',') || '-',
      };
      return `${h.name} ${CONNECTION_FIELDS.map((f) => `${f}=${values[f]}`).join(' ')}`;
    });
}

/** The digest of the connection lines, as the plan text carries it. */
export const connectionsDigest = (lines: readonly string[]) =>
  `sha256:${createHash('sha256').update(lines.join('\n')).digest('hex')}`;

function parseLine(line: string): { host: string; values: Map<string, string> } {
  const [host = '', ...pairs] = line.split(' ');
  return {
    host,
    values: new Map(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as [string, string])),
  };
}

/** What changed between the lines an approval signed and the lines derived now, one phrase per change. */
export function connectionChanges(signed: readonly string[], now: readonly string[]): string[] {
  const before = new Map(signed.map((l) => [parseLine(l).host, parseLine(l).values]));
  const after = new Map(now.map((l) => [parseLine(l).host, parseLine(l).values]));
  const changes: string[] = [];
  for (const [host, values] of after) {
    const old = before.get(host);
    if (!old) {
      changes.push(`host ${host} is new to the failover's connections`);
      continue;
    }
    for (const field of CONNECTION_FIELDS)
      if (old.get(field) !== values.get(field))
        changes.push(`host ${host}: ${field} was ${old.get(field) ?? '(none)'}, is now ${values.get(field)}`);
  }
  for (const host of before.keys()) if (!after.has(host)) changes.push(`host ${host} is no longer on the path`);
  return changes;
}
