/**
 * systemd hosts: the key material the lab placed, handed to the users who read it. On a process
 * host every client runs as root; on a systemd host each runs as its own user (the rendered
 * unit's User=), which must own its key and the key's folder, as `stake keys push` leaves them.
 * Sealed material stays root's (mode 0400) until a failover moves it. Pure: the script only.
 */
import { posix } from 'node:path';
import { shq, systemUserLine } from '../ssh/shell.js';
import type { PlacedKey } from './keys.js';

/**
 * The script for one host: the client's user made (as deploy makes it), each active key file and
 * its own folder given to it, and the folders above it that the lab made opened for traversal
 * (0755, root's), so nothing but the key's own folder is the client's.
 */
export function keyOwnersScript(placed: readonly PlacedKey[], user: string): string {
  const out = ['set -eu', systemUserLine(user)];
  const owner = shq(`${user}:${user}`);
  for (const key of placed.filter((k) => !k.sealed)) {
    const folder = posix.dirname(key.path);
    if (key.madeFrom) {
      // every folder the lab made above the key's own: root's, passable
      for (let d = posix.dirname(folder); d.length >= key.madeFrom.length && d !== '/'; d = posix.dirname(d))
        out.push(`chmod 0755 ${shq(d)}`);
      out.push(`chown ${owner} ${shq(folder)}`, `chmod 0700 ${shq(folder)}`);
    }
    out.push(`chown ${owner} ${shq(key.path)}`);
  }
  return out.join('\n');
}
