/**
 * The order of a rollout, pure: stages by tier (signers first, then the hosts that face the
 * network, then the validators, then everything else), and within a stage, waves of hosts that
 * may restart together. Two hosts may not share a wave when they serve one identity in one
 * capacity: two upstreams of an identity (its sentries, relays or beacons), its active and a
 * standby, or two members of its signer group. Restarting them together is what takes an
 * identity off the network, or a signer group below its threshold. Nor does a jump host share a
 * wave with a host reached through it (see jumpRivals).
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
 * Each jump host with the hosts reached through it. Changing a jump host's firewall while a
 * command runs through it stalls that command: the first ruleset with connection tracking meets
 * the forwarded connection mid-stream, drops the far host's answers (not `established` to it yet)
 * until the jump host itself sends on it, and the far host's retransmits back off for 13 s (seen
 * in the lab: a witness's and a monitor's stage took 14 s instead of 0.2 s). Apart, the next
 * command through the jump host is what it sends first, and the connection is tracked from it.
 */
export function jumpRivals(inv: ResolvedInventory): { jump: string; behind: string[] }[] {
  const through = new Map<string, string[]>();
  for (const h of inv.hosts) if (h.ssh.jump) through.set(h.ssh.jump, [...(through.get(h.ssh.jump) ?? []), h.name]);
  return [...through].map(([jump, behind]) => ({ jump, behind }));
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
  const rival = (a: string, b: string) => (rivals.get(a) ?? rivals.set(a, new Set()).get(a)!).add(b);
  for (const group of conflictGroups(inv)) {
    for (const a of group) for (const b of group) if (a !== b) rival(a, b);
  }
  // a jump host against each host behind it, not those hosts against each other
  const jumps = new Set<string>();
  for (const { jump, behind } of jumpRivals(inv)) {
    jumps.add(jump);
    for (const b of behind) {
      rival(jump, b);
      rival(b, jump);
    }
  }
  const tierOf = new Map(inv.hosts.map((h) => [h.name, h.tier]));
  const stageOf = (host: string) => STAGES.find((s) => s.tiers.includes(tierOf.get(host)!))?.name ?? LAST_STAGE;
  const order = [...STAGES.map((s) => s.name), LAST_STAGE];
  const stages: Stage[] = [];
  for (const name of order) {
    const members = hosts.filter((h) => stageOf(h) === name);
    if (members.length === 0) continue;
    const waves: string[][] = [];
    // jump hosts first: the first wave is theirs, the hosts behind them come after
    const ordered = [...members.filter((h) => jumps.has(h)), ...members.filter((h) => !jumps.has(h))];
    for (const host of ordered.filter((h) => restarting.has(h))) {
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
