/**
 * The one script `stake status` runs on each host, as a plain string (pure, unit-tested), and
 * the reading of its output. Sections, each after a `=== ` line:
 * - `facts`: deploy's facts (file hashes, service states, the last deploy's manifest), for drift;
 * - `probe IDENTITY`: failover's probe (keys, generation, lock, signing state files);
 * - `metrics SERVICE ADDRESS:PORT` (or `-` when nothing answered): the client's own Prometheus
 *   samples that status reads, fetched with bash's /dev/tcp so the host needs no curl.
 * It runs under bash (for /dev/tcp) and costs a handful of processes whatever the host holds:
 * status must answer for hundreds of hosts in seconds.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import { factsScript, parseFacts, type HostFacts } from '../plan/facts.js';
import { parseProbe, probeScript, type Probe } from '../failover/scripts.js';
import type { KeyFile } from '../keys/layout.js';
import { parseMetrics, type Sample } from './metrics.js';
import { devTcp, shq } from '../ssh/shell.js';
import { localAddresses } from '../observe/http-on-host.js';

export interface MetricsEndpoint {
  /** The client that serves it (a beacon host has the consensus client's and the execution client's). */
  client: string;
  port: number;
  /** The HTTP path the client serves them at (geth: /debug/metrics/prometheus). */
  path: string;
  /** The sample names worth sending back. */
  names: string[];
}

export interface ProbeRequest {
  identity: string;
  keys: readonly KeyFile[];
  files: readonly string[];
}

export interface StatusRequest {
  /** Files deploy manages here (rendered and binaries), relative to the host's root. */
  paths: string[];
  services: string[];
  probes: ProbeRequest[];
  metrics: MetricsEndpoint[];
}

/** The shell to run it with, as root. */
export const statusShell = (host: Pick<ResolvedHost, 'ssh'>) =>
  host.ssh.become === 'sudo' ? 'sudo -n -- bash --norc --noprofile -s' : 'bash --norc --noprofile -s';

/** Fetches the client's metrics path from the first address that answers; prints only the wanted samples. */
function metricsLines(host: Pick<ResolvedHost, 'address' | 'privateAddress'>, e: MetricsEndpoint): string[] {
  const wanted = e.names.length ? e.names.map((n) => `${n}|${n}{*|${n}\\ *`).join('|') : '__none__';
  return [
    `stake_found=no`,
    `for a in ${localAddresses(host).join(' ')}; do`,
    `  if exec 3<>"${devTcp('$a', e.port)}"; then`,
    `    printf 'GET %s HTTP/1.0\\r\\n\\r\\n' ${shq(e.path)} >&3`,
    // an answer other than 200 (a 404 at a wrong path) is no metrics: reported as nothing answering
    `    IFS= read -r -t 3 stake_status <&3 || stake_status=`,
    `    case "$stake_status" in`,
    `      HTTP/*' 200'*)`,
    `        printf '=== metrics\\t%s\\t%s\\n' '${e.client}' "$a:${e.port}"`,
    `        while IFS= read -r -t 3 line <&3; do case "$line" in ${wanted}) printf '%s\\n' "$line" ;; esac; done ;;`,
    `      *) printf '=== metrics\\t%s\\t-\\n' '${e.client}' ;;`,
    `    esac`,
    `    exec 3<&-; stake_found=yes; break`,
    `  fi`,
    `done 2>/dev/null`,
    `[ "$stake_found" = yes ] || printf '=== metrics\\t%s\\t-\\n' '${e.client}'`,
  ];
}

export function statusScript(host: ResolvedHost, request: StatusRequest): string {
  const parts = ["printf '=== facts\\n'", factsScript(host, request.paths, request.services, { nodeId: false })];
  for (const p of request.probes)
    parts.push(`printf '=== probe\\t%s\\n' '${p.identity}'`, probeScript(host, p.identity, p.keys, [], p.files));
  for (const e of request.metrics) parts.push(...metricsLines(host, e));
  return `${parts.join('\n')}\ntrue\n`;
}

export interface HostAnswer {
  facts: HostFacts;
  probes: Record<string, Probe>;
  /** By client: its samples, or null when its endpoint did not answer. */
  metrics: Record<string, Sample[] | null>;
}

export function parseStatus(
  host: Pick<ResolvedHost, 'name' | 'root'>,
  request: StatusRequest,
  output: string,
): HostAnswer {
  const answer: HostAnswer = { facts: parseFacts(host.name, '', host.root, request.paths), probes: {}, metrics: {} };
  let section: string[] = [];
  let body: string[] = [];
  const close = () => {
    const text = body.join('\n');
    if (section[0] === 'facts') answer.facts = parseFacts(host.name, text, host.root, request.paths);
    else if (section[0] === 'probe' && section[1])
      answer.probes[section[1]] = parseProbe(text, request.probes.find((p) => p.identity === section[1])?.files ?? []);
    else if (section[0] === 'metrics' && section[1])
      answer.metrics[section[1]] = section[2] === '-' ? null : parseMetrics(text);
    body = [];
  };
  for (const line of output.split('\n')) {
    if (line.startsWith('=== ')) {
      close();
      section = line.slice(4).split('\t');
    } else body.push(line);
  }
  close();
  return answer;
}
