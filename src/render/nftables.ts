/**
 * The nftables ruleset of one host, from the topology graph: an `inet` table (IPv4 and IPv6)
 * whose input policy is drop, with established/related and loopback traffic accepted and one
 * rule per flow into the host, commented with its purpose. Validator and signer hosts get no
 * rule from the internet because the graph has no such flow.
 *
 * The file replaces the `stake` table atomically when loaded with `nft -f`: it declares the
 * table, deletes it, and creates it anew in one transaction.
 */
import { isIP } from 'node:net';
import { isWorldWide, parseCidr } from '../inventory/addresses.js';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import { flowsInto, type Flow, type TopologyGraph } from '../topology/graph.js';
import { RenderError } from './errors.js';

export const NFT_TABLE = 'stake';

/** nftables comments are at most 128 bytes. */
const comment = (text: string) => JSON.stringify(text.replace(/"/g, "'").slice(0, 120));

/** The match on the source of a flow: `ip saddr 10.1.0.10`, `ip6 saddr 2001:db8::/48`, or nothing for the internet. */
function sourceMatch(flow: Flow, inv: ResolvedInventory): string {
  if (flow.from.kind === 'internet') return '';
  const address = flow.from.kind === 'cidr' ? flow.from.cidr : inv.host(flow.from.host).privateAddress;
  const bare = address.split('/')[0] ?? address;
  const family = isIP(bare);
  if (family === 0) {
    const who = flow.from.kind === 'host' ? `host "${flow.from.host}"` : `admin network ${address}`;
    throw new RenderError(
      `the firewall of "${flow.to}" needs the IP address of ${who}, but it is "${address}"`,
      'give that host an IP private_address (firewall rules cannot match DNS names)',
    );
  }
  return `${family === 4 ? 'ip' : 'ip6'} saddr ${address} `;
}

/**
 * The last line of defence of the signing hosts: whatever flow the graph grows, a validator or
 * signer never gets a rule that admits the internet or a world-wide network (`world-open-ssh`
 * refuses the inventory first; this holds even for a flow no rule knows about).
 */
function refuseWorldIntoSigners(host: ResolvedHost, flow: Flow): void {
  if (host.tier !== 'validator' && host.tier !== 'signer') return;
  const cidr = flow.from.kind === 'cidr' ? parseCidr(flow.from.cidr) : undefined;
  const world = flow.from.kind === 'internet' || (cidr !== undefined && (!cidr.ok || isWorldWide(cidr.cidr)));
  if (world && !flow.local)
    throw new RenderError(
      `the firewall of ${host.tier} "${host.name}" would admit ${flow.from.kind === 'cidr' ? flow.from.cidr : 'the internet'} on ${flow.service} port ${flow.port} (${flow.purpose})`,
      'validators and signers accept only the hosts of their deployment and narrow admin networks: narrow access.admin_cidrs',
    );
}

/** How one flow into a host appears in its ruleset. */
export interface FirewallEntry {
  flow: Flow;
  /** The rule line, or undefined when the flow needs none of its own (see `coveredBy`). */
  rule?: string;
  /** Why there is no rule of its own: loopback is accepted whole; an internet rule on the same port covers it. */
  coveredBy?: 'loopback' | 'internet';
}

/** Every flow into a host with the rule it becomes, in ruleset order. The ruleset and `stake firewall explain` both read this. */
export function firewallEntries(inv: ResolvedInventory, graph: TopologyGraph, host: ResolvedHost): FirewallEntry[] {
  const flows = flowsInto(graph, host.name);
  const open = new Set(flows.filter((f) => f.from.kind === 'internet').map((f) => `${f.port}/${f.protocol}`));
  return flows.map((flow): FirewallEntry => {
    refuseWorldIntoSigners(host, flow);
    if (flow.local) return { flow, coveredBy: 'loopback' };
    if (flow.from.kind !== 'internet' && open.has(`${flow.port}/${flow.protocol}`))
      return { flow, coveredBy: 'internet' };
    return {
      flow,
      rule: `${sourceMatch(flow, inv)}${flow.protocol} dport ${flow.port} accept comment ${comment(flow.purpose)}`,
    };
  });
}

export function renderNftables(inv: ResolvedInventory, graph: TopologyGraph, host: ResolvedHost): string {
  const entries = firewallEntries(inv, graph, host);
  const flows = entries.map((e) => e.flow);
  const local = flows.filter((f) => f.local).map((f) => `${f.service} ${f.port}/${f.protocol}`);
  const indent = (xs: string[]) => xs.map((x) => `\t\t${x}`).join('\n');
  return `#!/usr/sbin/nft -f
# Rendered by stake for ${host.name} (${host.tier} in ${host.dc}) of ${inv.name}; do not edit:
# \`stake render\` rewrites it from the inventory. \`stake firewall explain ${host.name}\` says why each rule exists.
${local.length ? `# Loopback only (accepted with lo): ${local.join(', ')}\n` : ''}
table inet ${NFT_TABLE}
delete table inet ${NFT_TABLE}

table inet ${NFT_TABLE} {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tct state established,related accept
\t\tct state invalid drop
\t\tiif "lo" accept
\t\t# ICMP errors and IPv6 neighbour discovery keep the network working; echo is rate-limited.
\t\tip protocol icmp icmp type { destination-unreachable, time-exceeded, parameter-problem } accept
\t\tip protocol icmp icmp type echo-request limit rate 5/second accept
\t\tip6 nexthdr icmpv6 icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept
\t\tip6 nexthdr icmpv6 icmpv6 type echo-request limit rate 5/second accept
${indent(entries.flatMap((e) => (e.rule ? [e.rule] : [])))}
\t}

\tchain forward {
\t\ttype filter hook forward priority filter; policy drop;
\t}

\tchain output {
\t\ttype filter hook output priority filter; policy accept;
\t}
}
`;
}
