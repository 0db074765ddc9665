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
import type { ManifestEntry } from '../render/types.js';
import type { SshConnection } from '../ssh/connection.js';
import { HostRecordError } from '../ssh/errors.js';
import {
  isListOf,
  isMode,
  isOwner,
  isRecordOf,
  isServiceName,
  isSha256,
  isShortString,
  parseRecord,
  pathProblem,
  RECORD_LIMITS,
  type Guard,
} from '../ssh/host-records.js';
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
  /** What the host's record of the last deploy says stake put there (checked: ./deployed-record below). */
  deployed?: DeployedRecord;
  nodeId?: string;
  /** Services a cut-off deploy left to restart. */
  pending: string[];
  /** What the host reported that stake refuses to act on (a forged or damaged record): a finding for the host. */
  problems: string[];
}

/** The part of the deployed manifest that deploy acts on: the files stake put there last time. */
export interface DeployedRecord {
  host: string;
  files: ManifestEntry[];
}

const isManifestEntry: Guard<ManifestEntry> = isRecordOf<ManifestEntry>({
  path: isShortString(RECORD_LIMITS.path),
  mode: isMode,
  owner: isOwner,
  sha256: isSha256,
  restarts: isListOf(isServiceName, 64),
});
const anything = (_: unknown): _ is unknown => true;
/** The manifest's shape (../render/manifest.ts); `services` is not acted on, so only bounded. */
const isDeployedManifest = isRecordOf<DeployedRecord & { version: 1 }>({
  version: (v): v is 1 => v === 1,
  host: isShortString(),
  deployment: isShortString(),
  tier: isShortString(),
  root: isShortString(RECORD_LIMITS.path),
  init: isShortString(),
  firewall: isShortString(),
  services: isListOf(anything, 1000),
  files: isListOf(isManifestEntry, RECORD_LIMITS.manifestFiles),
});

/**
 * The host's record of the last deploy, checked: its shape, its size, and every path canonical
 * and inside the host's root. Anything else is a problem for the host, and no record at all:
 * deploy then deletes nothing.
 */
export function parseDeployed(text: string, root: string): { deployed?: DeployedRecord; problems: string[] } {
  const record = parseRecord(text, isDeployedManifest, RECORD_LIMITS.manifest);
  if (!record)
    return {
      problems: [
        `${DEPLOYED_MANIFEST} is not a manifest stake wrote (damaged, oversized, or of another shape); remove it on the host after checking it, and the next deploy rewrites every file`,
      ],
    };
  const problems = record.files.flatMap((f) => {
    const why = pathProblem(root, f.path);
    return why ? [`${DEPLOYED_MANIFEST} lists ${why}; stake acts on no path outside what it renders`] : [];
  });
  return problems.length ? { problems } : { deployed: { host: record.host, files: record.files }, problems };
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
  const facts: HostFacts = { host: hostName, files: {}, services: {}, pending: [], problems: [] };
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
    } else if (kind === 'S' && rest.length === 2 && isServiceName(rest[0])) {
      const state = rest[1] === 'active' ? 'active' : rest[1] === 'missing' ? 'missing' : 'inactive';
      facts.services[rest[0]!] = state;
    } else if (kind === 'D' && rest[0]) {
      const { deployed, problems } = parseDeployed(rest.join('\t'), root);
      if (deployed) facts.deployed = deployed;
      facts.problems.push(...problems);
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

/** A host whose facts hold a problem is refused (exit 4): stake does not act on a record it cannot trust. */
export function refuseProblems(facts: HostFacts): HostFacts {
  if (facts.problems.length) throw new HostRecordError(facts.host, facts.problems);
  return facts;
}

export async function gatherFacts(
  conn: SshConnection,
  host: ResolvedHost,
  paths: string[],
  services: string[],
): Promise<HostFacts> {
  const output = await conn.run(rootShell(host), { stdin: factsScript(host, paths, services), timeoutMs: 60_000 });
  return refuseProblems(parseFacts(host.name, output, host.root, paths));
}
