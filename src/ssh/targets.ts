/** From the resolved inventory to what the SSH layer needs: targets with their jump chains, and the known_hosts file. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import type { SshTarget } from './connection.js';
import { parseKnownHosts, type KnownHostLine } from './known-hosts.js';

const relativeTo = (inventory: string, path: string) => (isAbsolute(path) ? path : join(dirname(inventory), path));

/** The target of a host, with its (validated, loop-free) jump chain. */
export function targetOf(inv: ResolvedInventory, host: ResolvedHost, inventory: string): SshTarget {
  return {
    name: host.name,
    address: host.address,
    port: host.ssh.port,
    user: host.ssh.user,
    ...(host.ssh.identity ? { identity: relativeTo(inventory, host.ssh.identity) } : {}),
    ...(host.ssh.jump ? { jump: targetOf(inv, inv.host(host.ssh.jump), inventory) } : {}),
  };
}

/** The known_hosts file of a host: its `ssh.known_hosts`, relative to the inventory; default `known_hosts` next to it. */
export const knownHostsPath = (host: ResolvedHost, inventory: string) => relativeTo(inventory, host.ssh.knownHosts ?? 'known_hosts');

export function readKnownHosts(path: string): KnownHostLine[] {
  return existsSync(path) ? parseKnownHosts(readFileSync(path, 'utf8')) : [];
}
