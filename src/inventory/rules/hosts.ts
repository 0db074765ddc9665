import { CLIENTLESS_TIERS, CLIENTS, FAMILY_TIERS, clientsFor, defaultPorts, type PortSpec } from '../clients.js';
import type { DataPath } from '../locate.js';
import type { Host } from '../schema.js';
import { canonicalAddress } from '../addresses.js';
import type { Rule, RuleContext } from './context.js';

/** `duplicate-address`: no two hosts share an address or a private address, in whatever spelling. */
export const checkAddresses: Rule = (ctx) => {
  const owner = new Map<string, string>();
  for (const [name, host] of Object.entries(ctx.inv.hosts)) {
    const addresses: ['address' | 'private_address', string][] = [['address', host.address]];
    if (host.private_address && canonicalAddress(host.private_address) !== canonicalAddress(host.address))
      addresses.push(['private_address', host.private_address]);
    for (const [key, addr] of addresses) {
      // 010.1.0.10, ::ffff:10.1.0.10 and 10.1.0.10 are one host; DNS names compare case-insensitively
      const normal = canonicalAddress(addr);
      const first = owner.get(normal);
      if (first !== undefined && first !== name) {
        ctx.report(
          'duplicate-address',
          ['hosts', name, key],
          `host "${name}" ${key} ${addr} is already used by host "${first}"`,
          "give every host its own address; two hosts on one address receive each other's traffic and firewall rules",
        );
      } else {
        owner.set(normal, name);
      }
    }
  }
};

/** `tier-client-mismatch`: the client (and execution client, node id) fits the tier and the family. */
export const checkTierClients: Rule = (ctx) => {
  const family = ctx.inv.chain.family;
  for (const [name, host] of Object.entries(ctx.inv.hosts)) {
    const at = ['hosts', name];
    const clientless = CLIENTLESS_TIERS.includes(host.tier);
    if (!clientless && !FAMILY_TIERS[family].includes(host.tier)) {
      ctx.report(
        'tier-client-mismatch',
        [...at, 'tier'],
        `host "${name}" is a ${host.tier}, a tier that ${family} deployments do not have`,
        `${family} tiers: ${[...FAMILY_TIERS[family], ...CLIENTLESS_TIERS].join(', ')}`,
      );
      continue;
    }
    if (clientless) {
      if (host.client)
        ctx.report(
          'tier-client-mismatch',
          [...at, 'client'],
          `host "${name}" is a ${host.tier} and runs no chain client, but names client "${host.client}"`,
          `remove client:, or change the tier`,
        );
    } else if (!host.client) {
      ctx.report(
        'tier-client-mismatch',
        [...at, 'tier'],
        `${family} ${host.tier} "${name}" names no client`,
        `add client: one of ${clientsFor(family, host.tier).join(', ')}`,
        'key',
      );
    } else {
      const spec = CLIENTS[host.client];
      if (spec && (spec.family !== family || !spec.tiers.includes(host.tier))) {
        ctx.report(
          'tier-client-mismatch',
          [...at, 'client'],
          `${host.client} is not a ${family} ${host.tier} client (host "${name}")`,
          `use one of: ${clientsFor(family, host.tier).join(', ') || '(none: this tier runs no client)'}`,
        );
      }
    }
    if (host.tier === 'beacon' && !host.execution) {
      ctx.report(
        'tier-client-mismatch',
        [...at, 'tier'],
        `beacon "${name}" names no execution client`,
        'add execution: geth, nethermind, besu, erigon or reth',
        'key',
      );
    }
    if (host.execution && host.tier !== 'beacon') {
      ctx.report(
        'tier-client-mismatch',
        [...at, 'execution'],
        `host "${name}" is a ${host.tier}; only beacon hosts pair with an execution client`,
        'remove execution:',
        'key',
      );
    }
    if (host.node_id && host.client !== 'cometbft') {
      ctx.report(
        'tier-client-mismatch',
        [...at, 'node_id'],
        `host "${name}" runs ${host.client ?? 'no client'}; node_id is for cometbft hosts`,
        'remove node_id:',
        'key',
      );
    }
  }
};

/** `validator-public`: validators and signers never face the internet. */
export const checkPublic: Rule = (ctx) => {
  for (const [name, host] of Object.entries(ctx.inv.hosts)) {
    if (host.public === true && (host.tier === 'validator' || host.tier === 'signer')) {
      ctx.report(
        'validator-public',
        ['hosts', name, 'public'],
        `${host.tier} "${name}" is public: true; it must have no public exposure`,
        'remove public: (validators reach the network only through their sentries, relays or beacons)',
        'key',
      );
    }
  }
};

interface Listener {
  service: string;
  spec: PortSpec;
  /** Where the user set this port, when they did; a conflict is reported there. */
  setAt?: DataPath;
}

/** The ports a host listens on: its client's (and execution client's) with overrides applied, plus SSH. */
function listeners(ctx: RuleContext, name: string, host: Host): Listener[] {
  const defaults = host.client ? defaultPorts(host.client, host.tier, host.execution) : {};
  const result: Listener[] = Object.entries(defaults).map(([service, spec]) => {
    const override = host.ports?.[service];
    return override === undefined
      ? { service, spec }
      : { service, spec: { ...spec, port: override }, setAt: ['hosts', name, 'ports', service] };
  });
  const sshPort = ctx.ssh(name).port;
  const sshAt = host.ssh?.port !== undefined ? ['hosts', name, 'ssh', 'port'] : ['ssh', 'port'];
  result.push({
    service: 'ssh',
    spec: { port: sshPort ?? 22, protocol: 'tcp', exposure: 'api' },
    ...(sshPort !== undefined ? { setAt: sshAt } : {}),
  });
  return result;
}

const overlaps = (a: PortSpec, b: PortSpec) =>
  a.port === b.port && (a.protocol === b.protocol || a.protocol === 'tcp+udp' || b.protocol === 'tcp+udp');

/** `port-conflict` and `unknown-port`: services of one host never share a port; overrides name real ports. */
export const checkPorts: Rule = (ctx) => {
  for (const [name, host] of Object.entries(ctx.inv.hosts)) {
    const known = host.client ? Object.keys(defaultPorts(host.client, host.tier, host.execution)) : [];
    for (const service of Object.keys(host.ports ?? {})) {
      if (!known.includes(service)) {
        ctx.report(
          'unknown-port',
          ['hosts', name, 'ports', service],
          `host "${name}" has no port named "${service}"`,
          known.length
            ? `ports of ${[host.client, host.execution].filter(Boolean).join(' + ')}: ${known.join(', ')}`
            : 'this host runs no client with ports',
          'key',
        );
      }
    }
    const all = listeners(ctx, name, host);
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const a = all[i]!;
        const b = all[j]!;
        if (!overlaps(a.spec, b.spec)) continue;
        const culprit = b.setAt ? b : a.setAt ? a : undefined;
        const movable =
          culprit && culprit.service !== 'ssh' ? culprit.service : a.service === 'ssh' ? b.service : a.service;
        ctx.report(
          'port-conflict',
          culprit?.setAt ?? ['hosts', name, 'client'],
          `host "${name}": ${a.service} and ${b.service} both use port ${a.spec.port}`,
          `move one of them, e.g. ports: { ${movable}: <free port> }`,
          culprit ? 'value' : 'key',
        );
      }
    }
  }
};
