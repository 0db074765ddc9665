/**
 * The resolved model: what every later stage (graph, render, plan, failover) consumes.
 * Defaults are merged into each host, ports are the client's defaults with overrides applied,
 * identities hold host objects instead of names, and addresses and networks are canonical
 * (./addresses.ts). Built only from a valid inventory.
 */
import { canonicalAddress, canonicalCidr } from './addresses.js';
import { PUBLIC_TIERS, defaultPorts, type Family, type PortSpec, type Tier } from './clients.js';
import { canonicalUrl } from './check-fields.js';
import type { Inventory } from './schema.js';
import { effectiveSsh } from './ssh-settings.js';

export interface ResolvedSsh {
  user: string;
  port: number;
  identity?: string;
  knownHosts?: string;
  /** Name of the host to jump through, when any. */
  jump?: string;
  /** True when the jump comes from the top-level `ssh:` defaults rather than the host's own. */
  jumpFromDefault?: boolean;
  become: 'none' | 'sudo';
}

export type Role = 'active' | 'standby' | 'upstream' | 'witness' | 'signer' | 'monitor';

export interface ResolvedHost {
  name: string;
  tier: Tier;
  dc: string;
  address: string;
  /** The address other tiers use: `private_address`, else `address`. */
  privateAddress: string;
  client?: string;
  execution?: string;
  nodeId?: string;
  /** p2p open to the internet: default true for sentries, relays and beacons, false elsewhere. */
  public: boolean;
  ports: Record<string, PortSpec>;
  ssh: ResolvedSsh;
  root: string;
  init: 'systemd' | 'direct';
  firewall: 'enforce' | 'render';
  /** Which parts of the hardening profile to render (the host's setting over the top-level one, default on). */
  hardening: { sshd: boolean; sysctl: boolean; unattendedUpgrades: boolean };
  labels: Record<string, string>;
  /** The identities this host serves and how, sorted by identity. */
  roles: { identity: string; role: Role }[];
}

export interface ResolvedIdentity {
  name: string;
  active: ResolvedHost;
  standby: ResolvedHost[];
  upstream: ResolvedHost[];
  witness?: ResolvedHost;
  signer?: { client: string; threshold: number; hosts: ResolvedHost[] };
  /** cosmos: the key's consensus address (upper-case hex), how the chain names the identity. */
  consensusAddress?: string;
  /** cardano: the pool's bech32 id. */
  poolId?: string;
  /** ethereum: its validators' indices on the beacon chain. */
  validatorIndices?: number[];
}

export interface ResolvedInventory {
  name: string;
  family: Family;
  chain: Inventory['chain'];
  clients: NonNullable<Inventory['clients']>;
  datacenters: Inventory['datacenters'];
  access: { adminCidrs: string[]; monitor?: ResolvedHost };
  operators: NonNullable<Inventory['operators']>;
  policy: NonNullable<Inventory['policy']>;
  /** Hosts in inventory order. */
  hosts: ResolvedHost[];
  identities: ResolvedIdentity[];
  host(name: string): ResolvedHost;
}

/**
 * An identity's validator hosts, the active one and its standbys, in name order. A failover swaps
 * `active` with a standby, so whatever a host that did not change role gets from these (peers,
 * firewall rules, signer permissions, local roots) is built from this list, never from
 * `[active, ...standby]`: the render of those hosts is then the same whichever member is active.
 * Names compare by code unit, so the order does not depend on the machine's locale.
 */
export const validatorHostsOf = (id: ResolvedIdentity): ResolvedHost[] =>
  [id.active, ...id.standby].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** Resolves a schema-valid inventory whose rules report no errors (references all exist). */
export function resolveInventory(inv: Inventory): ResolvedInventory {
  const hosts = Object.entries(inv.hosts).map(([name, h]): ResolvedHost => {
    const ssh = effectiveSsh(inv, name);
    const ports = h.client ? defaultPorts(h.client, h.tier, h.execution) : {};
    for (const [service, port] of Object.entries(h.ports ?? {})) {
      if (ports[service]) ports[service] = { ...ports[service], port };
    }
    return {
      name,
      tier: h.tier,
      dc: h.dc,
      // one spelling per address from here on: the firewall, sshd, SSH and known_hosts all see it
      address: canonicalAddress(h.address),
      privateAddress: canonicalAddress(h.private_address ?? h.address),
      ...(h.client ? { client: h.client } : {}),
      ...(h.execution ? { execution: h.execution } : {}),
      ...(h.node_id ? { nodeId: h.node_id } : {}),
      public: PUBLIC_TIERS.includes(h.tier) ? (h.public ?? true) : false,
      ports,
      ssh: {
        user: ssh.user ?? 'root',
        port: ssh.port ?? 22,
        ...(ssh.identity ? { identity: ssh.identity } : {}),
        ...(ssh.known_hosts ? { knownHosts: ssh.known_hosts } : {}),
        ...(ssh.jump ? { jump: ssh.jump, ...(h.ssh?.jump === undefined ? { jumpFromDefault: true } : {}) } : {}),
        become: ssh.become ?? 'none',
      },
      root: h.root ?? '/',
      init: h.init ?? 'systemd',
      firewall: h.firewall ?? 'enforce',
      hardening: {
        sshd: h.hardening?.sshd ?? inv.hardening?.sshd ?? true,
        sysctl: h.hardening?.sysctl ?? inv.hardening?.sysctl ?? true,
        unattendedUpgrades: h.hardening?.unattended_upgrades ?? inv.hardening?.unattended_upgrades ?? true,
      },
      labels: { ...h.labels },
      roles: [],
    };
  });
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const host = (name: string): ResolvedHost => {
    const found = byName.get(name);
    if (!found) throw new Error(`resolveInventory: unknown host "${name}" (validate first)`);
    return found;
  };
  const assign = (h: ResolvedHost, identity: string, role: Role) => h.roles.push({ identity, role });

  const identities = Object.entries(inv.validators).map(([name, v]): ResolvedIdentity => {
    const id: ResolvedIdentity = {
      name,
      active: host(v.active),
      standby: (v.standby ?? []).map(host),
      upstream: v.upstream.map(host),
      ...(v.witness ? { witness: host(v.witness) } : {}),
      ...(v.signer
        ? {
            signer: {
              client: v.signer.client,
              threshold: v.signer.threshold ?? v.signer.hosts.length,
              hosts: v.signer.hosts.map(host),
            },
          }
        : {}),
      ...(v.consensus_address ? { consensusAddress: v.consensus_address.toUpperCase() } : {}),
      ...(v.pool_id ? { poolId: v.pool_id } : {}),
      ...(v.validator_indices ? { validatorIndices: [...v.validator_indices] } : {}),
    };
    assign(id.active, name, 'active');
    id.standby.forEach((h) => assign(h, name, 'standby'));
    id.upstream.forEach((h) => assign(h, name, 'upstream'));
    if (id.witness) assign(id.witness, name, 'witness');
    id.signer?.hosts.forEach((h) => assign(h, name, 'signer'));
    return id;
  });
  const monitor = inv.access?.monitor ? host(inv.access.monitor) : undefined;
  if (monitor) for (const id of identities) assign(monitor, id.name, 'monitor');

  return {
    name: inv.name,
    family: inv.chain.family,
    // URLs are rendered as the WHATWG parser serialises them, never as typed.
    chain: {
      ...inv.chain,
      ...(inv.chain.checkpoint_sync_url ? { checkpoint_sync_url: canonicalUrl(inv.chain.checkpoint_sync_url) } : {}),
    },
    clients: inv.clients ?? {},
    datacenters: inv.datacenters,
    access: {
      // canonical networks (host bits cleared, mapped IPv6 as IPv4); the graph merges equal ones
      adminCidrs: (inv.access?.admin_cidrs ?? []).map(canonicalCidr),
      ...(monitor ? { monitor } : {}),
    },
    operators: inv.operators ?? {},
    policy: inv.policy ?? {},
    hosts,
    identities,
    host,
  };
}
