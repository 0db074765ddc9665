/** From the resolved inventory to what the SSH layer needs: targets with their jump chains, and the known_hosts file. */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import type { SshTarget } from './connection.js';
import {
  fingerprint,
  knownHostName,
  knownHostsLine,
  parseKnownHosts,
  patternsMatch,
  type KnownHostLine,
} from './known-hosts.js';

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
export const knownHostsPath = (host: ResolvedHost, inventory: string) =>
  relativeTo(inventory, host.ssh.knownHosts ?? 'known_hosts');

export function readKnownHosts(path: string): KnownHostLine[] {
  return existsSync(path) ? parseKnownHosts(readFileSync(path, 'utf8')) : [];
}

/** Appends a host key to a known_hosts file (starting a new line if the file does not end with one). */
export function appendKnownHost(path: string, address: string, port: number, key: Buffer): void {
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const prefix = existing.length > 0 && !existing.endsWith('\n') ? '\n' : '';
  appendFileSync(path, `${prefix}${knownHostsLine(address, port, key)}\n`);
}

/** The fingerprints of the host keys a host's known_hosts trusts for it (revoked and CA lines are not trust in a key). */
export function knownHostFingerprints(host: ResolvedHost, inventory: string): string[] {
  const name = knownHostName(host.address, host.ssh.port);
  return readKnownHosts(knownHostsPath(host, inventory))
    .filter((l) => !l.marker && patternsMatch(l.patterns, name))
    .map((l) => fingerprint(Buffer.from(l.key, 'base64')));
}
