/**
 * Shell text for host scripts, written once: quoting, running as root. Every script stake sends
 * to a host is built from these pieces, so a quoting rule fixed here is fixed everywhere.
 */
import type { ResolvedHost } from '../inventory/resolve.js';

/** One shell word, whatever the string holds: single quotes, with each `'` closed, escaped and reopened. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A command run as root: as it is, or through `sudo -n` when the host says `become: sudo`. */
export function asRoot(host: Pick<ResolvedHost, 'ssh'>, command: string): string {
  return host.ssh.become === 'sudo' ? `sudo -n -- sh -c ${shq(command)}` : command;
}

/** The shell for a script on stdin, as root. */
export const rootShell = (host: Pick<ResolvedHost, 'ssh'>) =>
  host.ssh.become === 'sudo' ? 'sudo -n -- sh -s' : 'sh -s';
