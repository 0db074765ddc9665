/**
 * Facts about a host, gathered over SSH with one shell script per host: each managed file's
 * sha256, mode and owner (or its absence), each service's state, what stake deployed last time
 * (its manifest on the host), and the cometbft node id. The node id is derived on the host from
 * node_key.json with coreutils, so the private key never leaves it.
 */
import { posix } from 'node:path';
import type { ResolvedHost } from '../inventory/resolve.js';
import { COMETBFT_HOME } from '../render/clients/cometbft.js';
import { pidFilePath, unitPath } from '../render/services.js';
import type { Manifest } from '../render/types.js';
import type { SshConnection } from '../ssh/connection.js';
import { DEPLOYED_MANIFEST, PENDING_RESTARTS } from './host-layout.js';
import { hostPath, pidAlive, printFileLine, rootShell, shq as quote } from '../ssh/shell.js';

export interface FileFact {
  sha256: string;
  mode: string;
  owner: string;
}

export interface HostFacts {
  host: string;
  /** By path under the host's root; null when the file does not exist. */
  files: Record<string, FileFact | null>;
  /** By service name: 'active', 'inactive', or 'missing' (never installed). */
  services: Record<string, 'active' | 'inactive' | 'missing'>;
  deployed?: Manifest;
  nodeId?: string;
  /** Services a cut-off deploy left to restart. */
  pending: string[];
}

/**
 * The fact-gathering script for a host. Output: one tab-separated record per line. The files
 * are hashed and stat'ed by one `sha256sum` and one `stat` for all of them (a process per file
 * would cost more than the SSH connection on a host with many files); what neither names is
 * missing.
 */
export function factsScript(
  host: ResolvedHost,
  paths: string[],
  services: string[],
  options: { nodeId?: boolean } = {},
): string {
  const at = (p: string) => hostPath(host.root, p);
  const lines = ['set -u', 'export LC_ALL=C'];
  if (paths.length) {
    const all = paths.map(at).join(' ');
    lines.push(`stat --printf='F\t%n\t%a %U:%G\t%F\n' -- ${all} 2>/dev/null`);
    lines.push(`sha256sum -- ${all} 2>/dev/null`);
  }
  for (const s of services) {
    if (host.init === 'systemd') {
      lines.push(
        `if [ -f ${at(unitPath(s))} ]; then printf 'S\\t%s\\t%s\\n' ${quote(s)} "$(systemctl is-active stake-${s} 2>/dev/null || true)"; else printf 'S\\t%s\\tmissing\\n' ${quote(s)}; fi`,
      );
    } else {
      lines.push(
        `if ${pidAlive(at(pidFilePath(s)), 'read')}; then printf 'S\\t%s\\tactive\\n' ${quote(s)}; else printf 'S\\t%s\\tinactive\\n' ${quote(s)}; fi`,
      );
    }
  }
  lines.push(printFileLine('D', at(DEPLOYED_MANIFEST)));
  lines.push(`if [ -f ${at(PENDING_RESTARTS)} ]; then sed 's/^/P\\t/' ${at(PENDING_RESTARTS)}; fi`);
  // node id = first 20 bytes of SHA-256 of the public half (last 32 bytes) of the ed25519 node key
  const nodeKey = at(`${COMETBFT_HOME}/config/node_key.json`);
  if (options.nodeId !== false)
    lines.push(
      `if [ -f ${nodeKey} ]; then printf 'N\\t%s\\n' "$(sed -n 's/.*"value" *: *"\\([^"]*\\)".*/\\1/p' ${nodeKey} | base64 -d | tail -c 32 | sha256sum | cut -c1-40)"; fi`,
    );
  return `${lines.join('\n')}\n`;
}

/** Facts from the script's output; `paths` are the files asked about (relative to `root`), missing unless found. */
export function parseFacts(hostName: string, output: string, root = '/', paths: readonly string[] = []): HostFacts {
  const facts: HostFacts = { host: hostName, files: {}, services: {}, pending: [] };
  const relative = new Map(paths.map((p) => [posix.join(root, p), p]));
  const stats = new Map<string, string>();
  const hashes = new Map<string, string>();
  for (const p of paths) facts.files[p] = null;
  for (const line of output.split('\n')) {
    const [kind, ...rest] = line.split('\t');
    const hash = /^\\?([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (hash) {
      hashes.set(hash[2]!, hash[1]!);
    } else if (kind === 'F' && rest.length === 3 && rest[2]!.startsWith('regular')) {
      stats.set(rest[0]!, rest[1]!);
    } else if (kind === 'S' && rest.length === 2) {
      const state = rest[1] === 'active' ? 'active' : rest[1] === 'missing' ? 'missing' : 'inactive';
      facts.services[rest[0]!] = state;
    } else if (kind === 'D' && rest[0]) {
      try {
        facts.deployed = JSON.parse(rest.join('\t')) as Manifest;
      } catch {
        // a damaged record of the last deploy: treat as none, the plan then rewrites every file
      }
    } else if (kind === 'P' && /^[a-z0-9-]+$/.test(rest[0] ?? '')) {
      if (!facts.pending.includes(rest[0]!)) facts.pending.push(rest[0]!);
    } else if (kind === 'N' && /^[0-9a-f]{40}$/.test(rest[0] ?? '')) {
      facts.nodeId = rest[0];
    }
  }
  for (const [abs, stat] of stats) {
    const path = relative.get(abs);
    const sha256 = hashes.get(abs);
    if (path === undefined || sha256 === undefined) continue;
    const [mode, owner] = stat.split(' ');
    facts.files[path] = { sha256, mode: (mode ?? '').padStart(4, '0'), owner: owner ?? '' };
  }
  return facts;
}

export async function gatherFacts(
  conn: SshConnection,
  host: ResolvedHost,
  paths: string[],
  services: string[],
): Promise<HostFacts> {
  const output = await conn.run(rootShell(host), { stdin: factsScript(host, paths, services), timeoutMs: 60_000 });
  return parseFacts(host.name, output, host.root, paths);
}
