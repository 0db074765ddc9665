/**
 * Where each host of a lab lives on the network. Pure: the same inventory, mode and slot always
 * give the same addresses.
 *
 * A lab never uses the inventory's own addresses: they may be real machines. With network
 * namespaces every lab takes a /23 of 198.18.0.0/15 (RFC 2544's benchmarking range, unused on
 * real networks): one /24 for public addresses, one for private ones, so a host with both picks
 * the right source address as it would between its real networks, and the firewall rules that
 * name private addresses match. Without namespaces every host is a 127.x address on loopback.
 */
import type { ResolvedInventory } from '../inventory/resolve.js';

export type LabMode = 'netns' | 'loopback';

/** Labs that can exist at once on one machine: 256 /23s in 198.18.0.0/15. */
export const LAB_SLOTS = 256;
/** Hosts per lab: one /24 holds .1 to .252 (.253 is the internet, .254 the operator). */
export const MAX_LAB_HOSTS = 252;

export interface LabHostAddresses {
  /** What the lab inventory's `address` becomes. */
  address: string;
  /** What `private_address` becomes, for hosts that have one. */
  privateAddress?: string;
}

export interface LabAddressing {
  mode: LabMode;
  slot: number;
  hosts: Record<string, LabHostAddresses>;
  /** The /24 networks (CIDR) public and private addresses come from. */
  publicNet: string;
  privateNet: string;
  /** Where stake itself connects from: the lab's admin network. */
  operator: string;
  /** The address of "anyone on the internet" (namespaces only). */
  internet?: string;
}

/** The first three octets of a lab /24: the n-th /24 of the range. */
function netPrefix(mode: LabMode, slot: number, which: 'public' | 'private'): string {
  if (mode === 'loopback') return `127.${which === 'public' ? 78 : 77}.${slot}`;
  const n = slot * 2 + (which === 'public' ? 0 : 1);
  return `198.${18 + (n >> 8)}.${n & 255}`;
}

export function planAddresses(inv: ResolvedInventory, mode: LabMode, slot: number): LabAddressing {
  if (!Number.isInteger(slot) || slot < 0 || slot >= LAB_SLOTS)
    throw new RangeError(`lab slot ${slot} is outside 0..${LAB_SLOTS - 1}`);
  if (inv.hosts.length > MAX_LAB_HOSTS)
    throw new RangeError(`a lab holds at most ${MAX_LAB_HOSTS} hosts; this inventory has ${inv.hosts.length}`);
  const pub = netPrefix(mode, slot, 'public');
  const priv = netPrefix(mode, slot, 'private');
  const hosts: Record<string, LabHostAddresses> = {};
  inv.hosts.forEach((h, i) => {
    const n = i + 1;
    // A host with one address keeps one, in the private network every tier reaches.
    hosts[h.name] =
      h.privateAddress !== h.address
        ? { address: `${pub}.${n}`, privateAddress: `${priv}.${n}` }
        : { address: `${priv}.${n}` };
  });
  return {
    mode,
    slot,
    hosts,
    publicNet: `${pub}.0/24`,
    privateNet: `${priv}.0/24`,
    operator: `${priv}.254`,
    ...(mode === 'netns' ? { internet: `${pub}.253` } : {}),
  };
}

/** Every lab address of a host, the one other tiers use first. */
export const addressesOf = (a: LabHostAddresses): string[] =>
  a.privateAddress ? [a.privateAddress, a.address] : [a.address];
