/**
 * The order of a rollout, pure: stages by tier (signers first, then the hosts that face the
 * network, then the validators, then everything else), and within a stage, waves of hosts that
 * may restart together. Two hosts may not share a wave when they serve one identity in one
 * capacity: two upstreams of an identity (its sentries, relays or beacons), its active and a
 * standby, or two members of its signer group. Restarting them together is what takes an
 * identity off the network, or a signer group below its threshold.
 */
import type { ResolvedInventory } from '../inventory/resolve.js';
import type { Tier } from '../inventory/clients.js';

export const STAGES: { name: string; tiers: Tier[] }[] = [
  { name: 'signers', tiers: ['signer'] },
  { name: 'sentries, relays and beacons', tiers: ['sentry', 'relay', 'beacon'] },
  { name: 'validators', tiers: ['validator'] },
];
export const LAST_STAGE = 'other hosts';

export interface Stage {
  name: string;
  /** Hosts with nothing to restart: all at once. */
  quiet: string[];
  /** Hosts that restart something, wave by wave. */
  waves: string[][];
}

/** The groups of hosts no two of which may restart at once. */
export function conflictGroups(inv: ResolvedInventory): string[][] {
  const groups: string[][] = [];
  for (const id of inv.identities) {
    groups.push(id.upstream.map((h) => h.name));
    groups.push([id.active.name, ...id.standby.map((h) => h.name)]);
    if (id.signer) groups.push(id.signer.hosts.map((h) => h.name));
  }
  return groups.filter((g) => g.length > 1);
}

/**
 * Stages and waves for the hosts that have something to do. `restarting` says which of them
 * restart a service. Greedy: each host joins the first wave holding none of its rivals, so
 * hosts of unrelated identities still restart in parallel.
 */
export function rolloutStages(
  inv: ResolvedInventory,
  hosts: readonly string[],
  restarting: ReadonlySet<string>,
): Stage[] {
  const rivals = new Map<string, Set<string>>();
  for (const group of conflictGroups(inv)) {
    for (const a of group)
      for (const b of group) if (a !== b) (rivals.get(a) ?? rivals.set(a, new Set()).get(a)!).add(b);
  }
  const tierOf = new Map(inv.hosts.map((h) => [h.name, h.tier]));
  const stageOf = (host: string) => STAGES.find((s) => s.tiers.includes(tierOf.get(host)!))?.name ?? LAST_STAGE;
  const order = [...STAGES.map((s) => s.name), LAST_STAGE];
  const stages: Stage[] = [];
  for (const name of order) {
    const members = hosts.filter((h) => stageOf(h) === name);
    if (members.length === 0) continue;
    const waves: string[][] = [];
    for (const host of members.filter((h) => restarting.has(h))) {
      const mine = rivals.get(host) ?? new Set<string>();
      const wave = waves.find((w) => !w.some((other) => mine.has(other)));
      if (wave) wave.push(host);
      else waves.push([host]);
    }
    stages.push({ name, quiet: members.filter((h) => !restarting.has(h)), waves });
  }
  return stages;
}

/**
 * The hosts with nothing to restart, in the groups they are applied in: the jump hosts others are
 * reached through first, then the rest together. A host's firewall is proven by a new SSH
 * connection, which for a host behind a jump host passes through it: changing the jump host's
 * firewall at the same moment would make that proof race its load.
 */
export function quietGroups(inv: ResolvedInventory, quiet: readonly string[]): string[][] {
  const jumps = new Set(inv.hosts.flatMap((h) => (h.ssh.jump ? [h.ssh.jump] : [])));
  const first = quiet.filter((h) => jumps.has(h));
  const rest = quiet.filter((h) => !jumps.has(h));
  return [first, rest].filter((g) => g.length > 0);
}
