import { createInterface } from 'node:readline/promises';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { StakeError, UsageError } from '../errors.js';
import { loadInventory } from '../inventory/load.js';
import type { Terminal } from '../output/terminal.js';
import { SshConnection } from '../ssh/connection.js';
import { fingerprint, keyTypeOf, verifyHostKey } from '../ssh/known-hosts.js';
import { appendKnownHost, knownHostsPath, readKnownHosts, targetOf } from '../ssh/targets.js';

export interface TrustOptions {
  inventory: string;
  host: string;
  yes: boolean;
}

/**
 * `stake trust HOST`: shows the key the host presents and, once confirmed, appends its line to the
 * inventory's known_hosts. A host already trusted is left alone; a changed key is refused (exit 4).
 */
export async function trust(options: TrustOptions, term: Terminal): Promise<ExitCode> {
  const { resolved } = await loadInventory(options.inventory);
  const host = resolved.hosts.find((h) => h.name === options.host);
  if (!host)
    throw new UsageError(
      `no host "${options.host}" in ${options.inventory}`,
      `hosts: ${resolved.hosts.map((h) => h.name).join(', ')}`,
    );
  const path = knownHostsPath(host, options.inventory);
  const known = readKnownHosts(path);
  const target = targetOf(resolved, host, options.inventory);
  const key = await SshConnection.hostKeyOf(target, { knownHosts: known, connectTimeoutMs: 15_000 });
  const fp = fingerprint(key);
  const verdict = verifyHostKey(known, host.address, host.ssh.port, key);
  const report = {
    host: host.name,
    address: `${host.address}:${host.ssh.port}`,
    type: keyTypeOf(key),
    fingerprint: fp,
    known_hosts: path,
  };

  if (verdict.status === 'trusted') {
    if (term.options.json) term.document({ ...report, trusted: true, written: false });
    else
      term.print(`${host.name} (${report.address}) is already trusted: ${report.type} ${fp} (${path}:${verdict.line})`);
    return EXIT.ok;
  }
  if (verdict.status === 'changed' || verdict.status === 'revoked') {
    throw new StakeError(
      `${host.name} presents ${report.type} ${fp}, but ${path} ${verdict.status === 'revoked' ? 'REVOKES that key' : 'holds another key for it: the host key CHANGED'}`,
      {
        exitCode: EXIT.refused,
        hint: `stake never replaces a known key. If the host was really rebuilt, verify the new fingerprint out of band, remove the old line (ssh-keygen -R "[${host.address}]:${host.ssh.port}" -f ${path}), then run stake trust again`,
      },
    );
  }

  if (!term.options.json) term.print(`${host.name} (${report.address}) presents ${report.type} ${fp}`);
  if (!options.yes) {
    if (!process.stdin.isTTY)
      throw new UsageError(
        'not a terminal: cannot ask whether to trust this key',
        `compare the fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${report.type.replace('ssh-', '').split('-')[0]}_key.pub on it), then run again with --yes`,
      );
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = (await rl.question('Does this fingerprint match the one on the host? Trust it [y/N] '))
      .trim()
      .toLowerCase();
    rl.close();
    if (answer !== 'y' && answer !== 'yes') {
      term.note('not trusted; nothing written');
      return EXIT.refused;
    }
  }
  appendKnownHost(path, host.address, host.ssh.port, key);
  if (term.options.json) term.document({ ...report, trusted: true, written: true });
  else term.print(term.style.green(`✓ trusted ${host.name}: added to ${path}`));
  return EXIT.ok;
}
