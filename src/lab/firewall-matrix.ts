/**
 * What `lab verify-firewall` expects: for every (source, host, TCP port) pair, whether the
 * topology graph allows that connection. Sources are every lab host, the internet namespace and
 * the operator. Pure, from the lab inventory's graph and the lab's addresses.
 */
import type { ResolvedInventory } from '../inventory/resolve.js';
import type { TopologyGraph } from '../topology/graph.js';
import type { LabAddressing } from './addressing.js';
import { addressesOf } from './addressing.js';

export interface ProbeSource {
  /** A host name, `internet` or `operator`. */
  name: string;
  kind: 'host' | 'internet' | 'operator';
  addresses: string[];
}

export interface ProbeCase {
  from: string;
  to: string;
  port: number;
  /** The address probed: the one this source would use to reach the host. */
  address: string;
  expected: boolean;
  /** The flow that allows it, when one does. */
  because?: string;
}

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
/** Whether an IPv4 address is inside a CIDR (IPv6 CIDRs never match a lab address). */
export function inCidr(address: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  if (!net || net.includes(':') || address.includes(':')) return false;
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toInt(address) & mask) >>> 0 === (toInt(net) & mask) >>> 0;
}

const sameNet = (a: string, b: string) => a.split('.').slice(0, 3).join('.') === b.split('.').slice(0, 3).join('.');
/** The source address the kernel picks: one on the destination's /24 if the source has one, else its first. */
export const sourceAddress = (source: ProbeSource, destination: string) =>
  source.addresses.find((a) => sameNet(a, destination)) ?? source.addresses[0]!;

export function probeSources(inv: ResolvedInventory, a: LabAddressing): ProbeSource[] {
  return [
    ...inv.hosts.map((h): ProbeSource => ({ name: h.name, kind: 'host', addresses: addressesOf(a.hosts[h.name]!) })),
    { name: 'internet', kind: 'internet', addresses: [a.internet!] },
    { name: 'operator', kind: 'operator', addresses: [a.operator] },
  ];
}

/** Every TCP probe and its expected verdict. A host never probes itself (loopback is always open). */
export function expectedMatrix(inv: ResolvedInventory, graph: TopologyGraph, a: LabAddressing): ProbeCase[] {
  const sources = probeSources(inv, a);
  const cases: ProbeCase[] = [];
  for (const target of inv.hosts) {
    const flows = graph.flows.filter((f) => f.to === target.name && f.protocol === 'tcp');
    const ports = [...new Set(flows.map((f) => f.port))].sort((x, y) => x - y);
    const lab = a.hosts[target.name]!;
    for (const source of sources) {
      if (source.name === target.name) continue;
      // The internet reaches a host at its public address; everyone else at the private one.
      const address = source.kind === 'internet' ? lab.address : (lab.privateAddress ?? lab.address);
      const from = sourceAddress(source, address);
      for (const port of ports) {
        const allowing = flows.find(
          (f) =>
            f.port === port &&
            !f.local &&
            (f.from.kind === 'internet' ||
              (f.from.kind === 'host' && f.from.host === source.name) ||
              (f.from.kind === 'cidr' && inCidr(from, f.from.cidr))),
        );
        cases.push({
          from: source.name,
          to: target.name,
          port,
          address,
          expected: allowing !== undefined,
          ...(allowing ? { because: allowing.purpose } : {}),
        });
      }
    }
  }
  return cases;
}
