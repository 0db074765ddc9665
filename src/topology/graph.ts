/**
 * The topology graph: every connection the deployment needs, as data, computed once from the
 * resolved inventory. Client configs, firewall rulesets, `stake graph` and
 * `stake firewall explain` all read these flows, so the configs and the firewall can never
 * disagree about who talks to whom. Anything not listed here is blocked.
 */
import type { DataPath } from '../inventory/locate.js';
import {
  validatorHostsOf,
  type ResolvedHost,
  type ResolvedIdentity,
  type ResolvedInventory,
} from '../inventory/resolve.js';
import type { PortSpec } from '../inventory/clients.js';

/** Who opens a connection: a host of the inventory, anyone on the internet, or an admin network. */
export type Source = { kind: 'host'; host: string } | { kind: 'internet' } | { kind: 'cidr'; cidr: string };

export interface Flow {
  from: Source;
  /** The host that accepts the connection. */
  to: string;
  /** The port's name on the target (`p2p`, `http`, `ssh`, `engine`, ...). */
  service: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** Why it exists, as a short phrase: "p2p from validator val-fra (cosmoshub)". */
  purpose: string;
  /** Inventory paths whose values cause this flow, for `stake firewall explain`. */
  because: DataPath[];
  /** Only over loopback on the target itself (engine API, local RPC). */
  local: boolean;
}

export interface TopologyGraph {
  flows: Flow[];
}

export const sourceKey = (s: Source) =>
  s.kind === 'host' ? `host:${s.host}` : s.kind === 'cidr' ? `cidr:${s.cidr}` : 'internet';
export const sourceLabel = (s: Source) => (s.kind === 'host' ? s.host : s.kind === 'cidr' ? s.cidr : 'internet');

class FlowSet {
  private readonly byKey = new Map<string, Flow>();

  /** Adds one flow per protocol of the port; the same connection for two reasons is one flow with both causes. */
  add(
    from: Source,
    to: ResolvedHost,
    service: string,
    spec: PortSpec,
    purpose: string,
    because: DataPath[],
    local = false,
  ): void {
    const protocols: ('tcp' | 'udp')[] = spec.protocol === 'tcp+udp' ? ['tcp', 'udp'] : [spec.protocol];
    for (const protocol of protocols) {
      const key = `${sourceKey(from)}>${to.name}:${spec.port}/${protocol}`;
      const existing = this.byKey.get(key);
      if (existing) {
        for (const b of because)
          if (!existing.because.some((x) => x.join('.') === b.join('.'))) existing.because.push(b);
        continue;
      }
      this.byKey.set(key, {
        from,
        to: to.name,
        service,
        port: spec.port,
        protocol,
        purpose,
        because: [...because],
        local,
      });
    }
  }

  /** Flows sorted by target, then port, then source: stable output for rendering. */
  sorted(): Flow[] {
    return [...this.byKey.values()].sort(
      (a, b) =>
        a.to.localeCompare(b.to) ||
        a.port - b.port ||
        a.protocol.localeCompare(b.protocol) ||
        sourceKey(a.from).localeCompare(sourceKey(b.from)),
    );
  }
}

const host = (h: ResolvedHost): Source => ({ kind: 'host', host: h.name });
/** Prometheus's node exporter, on every host when the inventory names a monitor (Debian: prometheus-node-exporter). */
export const NODE_EXPORTER: PortSpec = { port: 9100, protocol: 'tcp', exposure: 'metrics' };

const portsOf = (h: ResolvedHost, exposure: PortSpec['exposure']) =>
  Object.entries(h.ports).filter(([, p]) => p.exposure === exposure);
const at = (...path: (string | number)[]): DataPath => path;
/**
 * An identity's validator hosts by name, each with the inventory line that names it. A flow
 * says "validator", never "active" or "standby": which member is active is the failover's
 * business, and a flow that carried it would change the firewall of every sentry, relay, beacon
 * and signer each time the identity moved. Only `because` points at the line, for `stake
 * firewall explain`.
 */
const members = (id: ResolvedIdentity, base: string[]) =>
  validatorHostsOf(id).map((v) => ({
    v,
    path: v === id.active ? at(...base, 'active') : at(...base, 'standby', id.standby.indexOf(v)),
  }));

/** Computes every allowed flow of a resolved inventory. Pure. */
export function computeGraph(inv: ResolvedInventory): TopologyGraph {
  const flows = new FlowSet();

  // Public p2p: the internet reaches public sentries, relays and beacons (and their execution clients).
  for (const h of inv.hosts.filter((x) => x.public)) {
    for (const [service, spec] of portsOf(h, 'p2p')) {
      flows.add({ kind: 'internet' }, h, service, spec, `${service} from the internet`, [
        at('hosts', h.name, h.tier === 'beacon' ? 'tier' : 'public'),
      ]);
    }
  }

  for (const id of inv.identities) {
    const base = ['validators', id.name];
    const upstreamKind = inv.family === 'ethereum' ? 'beacon' : inv.family === 'cardano' ? 'relay' : 'sentry';

    for (const [ui, up] of id.upstream.entries()) {
      for (const { v, path: vPath } of members(id, base)) {
        const upPath = at(...base, 'upstream', ui);
        if (inv.family === 'ethereum') {
          // The validator client calls its beacons' HTTP API (prysm also its gRPC).
          for (const [service, spec] of portsOf(up, 'api')) {
            flows.add(host(v), up, service, spec, `beacon API for validator client ${v.name} (${id.name})`, [
              vPath,
              upPath,
            ]);
          }
        } else {
          // Validator and its own sentries/relays dial each other over the private network.
          for (const [service, spec] of portsOf(up, 'p2p'))
            flows.add(host(v), up, service, spec, `${service} from ${v.tier} ${v.name} (${id.name})`, [vPath, upPath]);
          for (const [service, spec] of portsOf(v, 'p2p'))
            flows.add(host(up), v, service, spec, `${service} from ${upstreamKind} ${up.name} (${id.name})`, [
              upPath,
              vPath,
            ]);
        }
      }
      // A validator's sentries or relays peer with each other (cardano: relays are each other's local roots).
      if (inv.family !== 'ethereum') {
        for (const [oi, other] of id.upstream.entries()) {
          if (other === up) continue;
          for (const [service, spec] of portsOf(up, 'p2p'))
            flows.add(host(other), up, service, spec, `${service} from ${upstreamKind} ${other.name} (${id.name})`, [
              at(...base, 'upstream', oi),
              at(...base, 'upstream', ui),
            ]);
        }
      }
    }

    if (id.signer) {
      const signerPath = at(...base, 'signer', 'hosts');
      for (const [si, s] of id.signer.hosts.entries()) {
        for (const { v, path: vPath } of members(id, base)) {
          if (inv.family === 'cosmos') {
            // tmkms and horcrux dial the validator's privval port; the validator never calls them.
            const privval = v.ports.privval;
            if (privval)
              flows.add(host(s), v, 'privval', privval, `remote signer ${s.name} dials ${v.name} (${id.name})`, [
                at(...signerPath, si),
                vPath,
              ]);
          } else {
            for (const [service, spec] of portsOf(s, 'api'))
              flows.add(host(v), s, service, spec, `signing requests from validator client ${v.name} (${id.name})`, [
                vPath,
                at(...signerPath, si),
              ]);
          }
        }
        // Threshold signers talk to each other (dirk peers, horcrux cosigners).
        for (const [oi, other] of id.signer.hosts.entries()) {
          if (other === s) continue;
          for (const [service, spec] of portsOf(s, 'api'))
            flows.add(host(other), s, service, spec, `${service} from signer peer ${other.name} (${id.name})`, [
              at(...signerPath, oi),
              at(...signerPath, si),
            ]);
        }
      }
    }
  }

  // Loopback-only services: the engine API between a beacon and its execution client, local RPCs.
  for (const h of inv.hosts) {
    for (const [service, spec] of portsOf(h, 'local')) {
      flows.add(
        host(h),
        h,
        service,
        spec,
        service === 'engine'
          ? `engine API from ${h.client} to ${h.execution} (loopback)`
          : `${service} on loopback only`,
        [at('hosts', h.name, service === 'engine' ? 'execution' : 'client')],
        true,
      );
    }
  }

  // Metrics: the monitor scrapes every metrics port.
  const monitor = inv.access.monitor;
  if (monitor) {
    for (const h of inv.hosts) {
      for (const [service, spec] of portsOf(h, 'metrics'))
        flows.add(host(monitor), h, service, spec, `${service} scraped by monitor ${monitor.name}`, [
          at('access', 'monitor'),
        ]);
      // every host's node exporter (disk, clock, load): the host's own health, whatever it runs
      flows.add(host(monitor), h, 'node-exporter', NODE_EXPORTER, `node exporter scraped by monitor ${monitor.name}`, [
        at('access', 'monitor'),
      ]);
    }
  }

  // SSH: bastions from the admin networks; every other host from the bastions, the admin networks,
  // and the host it jumps through.
  const bastions = inv.hosts.filter((h) => h.tier === 'bastion');
  for (const h of inv.hosts) {
    const ssh: PortSpec = { port: h.ssh.port, protocol: 'tcp', exposure: 'api' };
    for (const [i, cidr] of inv.access.adminCidrs.entries())
      flows.add({ kind: 'cidr', cidr }, h, 'ssh', ssh, 'ssh from an admin network', [at('access', 'admin_cidrs', i)]);
    if (h.tier !== 'bastion') {
      for (const b of bastions)
        flows.add(host(b), h, 'ssh', ssh, `ssh from bastion ${b.name}`, [at('hosts', b.name, 'tier')]);
    }
    if (h.ssh.jump && !bastions.some((b) => b.name === h.ssh.jump)) {
      flows.add(host(inv.host(h.ssh.jump)), h, 'ssh', ssh, `ssh through jump host ${h.ssh.jump}`, [
        h.ssh.jumpFromDefault ? at('ssh', 'jump') : at('hosts', h.name, 'ssh', 'jump'),
      ]);
    }
  }

  return { flows: flows.sorted() };
}

const byTarget = new WeakMap<TopologyGraph, Map<string, Flow[]>>();

/** The flows a host accepts, in rule order. Indexed once per graph: rendering asks for every host. */
export function flowsInto(graph: TopologyGraph, hostName: string): Flow[] {
  let index = byTarget.get(graph);
  if (!index) {
    index = new Map();
    for (const f of graph.flows) {
      const list = index.get(f.to);
      if (list) list.push(f);
      else index.set(f.to, [f]);
    }
    byTarget.set(graph, index);
  }
  return index.get(hostName) ?? [];
}
