/**
 * Asking a client's local API on its own host: a batch of HTTP requests made by bash (its /dev/tcp,
 * so the host needs no curl) in one SSH round trip, each answer sent back whole in base64 on one
 * line so nothing in it can pass for the next section. Everything a host sends back is untrusted:
 * answers are bounded in size and time on the host, and parsed here into a status and a body, or
 * an error naming what was wrong. Pure.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import { devTcp, shq } from '../ssh/shell.js';

export interface ApiRequest {
  /** Names the answer: letters, digits, `.` `_` `-` `/` only. */
  tag: string;
  port: number;
  method: 'GET' | 'POST';
  /** Path and query string, as sent. */
  path: string;
  /** A POST's JSON body. */
  body?: string;
}

export type ApiAnswer = { status: number; body: string } | { error: string };

/** An answer larger than this is not one the observer asks for: cut on the host, refused here. */
export const MAX_ANSWER_BYTES = 1024 * 1024;
/** Seconds an API may take to answer one request before the host gives up on it. */
const ANSWER_SECONDS = 5;

const TAG = /^[A-Za-z0-9._/-]{1,128}$/;
const PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,1000}$/;

/**
 * The addresses a host's own services may listen on, tried in order (as `stake status` does): its
 * own addresses first (a lab on loopback gives each host its own, and 127.0.0.1 there is the
 * machine's), then loopback, where a real node's RPC listens by default.
 */
export function localAddresses(host: Pick<ResolvedHost, 'address' | 'privateAddress'>): string[] {
  return [...new Set([host.privateAddress, host.address, '127.0.0.1'])].filter((a) =>
    /^[0-9.]+$|^[0-9a-fA-F:]+$/.test(a),
  );
}

function requestBytes(r: ApiRequest): string {
  const head = [`${r.method} ${r.path} HTTP/1.0`, 'Accept: application/json'];
  if (r.method === 'POST')
    head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(r.body ?? '')}`);
  return `${head.join('\r\n')}\r\n\r\n${r.body ?? ''}`;
}

/** The bash script that makes the requests: `=== api TAG` then the answer in base64, or `=== api TAG -`. */
export function apiScript(
  host: Pick<ResolvedHost, 'address' | 'privateAddress'>,
  requests: readonly ApiRequest[],
): string {
  const lines: string[] = [];
  for (const r of requests) {
    if (!TAG.test(r.tag)) throw new Error(`apiScript: bad tag ${JSON.stringify(r.tag)}`);
    if (!PATH.test(r.path)) throw new Error(`apiScript: bad path ${JSON.stringify(r.path)}`);
    if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) throw new Error(`apiScript: bad port ${r.port}`);
    const request = Buffer.from(requestBytes(r)).toString('base64');
    lines.push(
      'stake_found=no',
      `for a in ${localAddresses(host).join(' ')}; do`,
      `  if exec 3<>"${devTcp('$a', r.port)}"; then`,
      `    printf '%s' ${shq(request)} | base64 -d >&3`,
      `    printf '=== api\\t%s\\n' ${shq(r.tag)}`,
      `    timeout ${ANSWER_SECONDS} head -c ${MAX_ANSWER_BYTES + 1} <&3 | base64 -w0; printf '\\n'`,
      '    exec 3<&-; stake_found=yes; break',
      '  fi',
      'done 2>/dev/null',
      `[ "$stake_found" = yes ] || printf '=== api\\t%s\\t-\\n' ${shq(r.tag)}`,
    );
  }
  lines.push('true', '');
  return lines.join('\n');
}

/** One answer's bytes: the status line, the headers (dropped) and the body. */
export function parseHttpAnswer(bytes: Buffer): ApiAnswer {
  if (bytes.length === 0) return { error: 'the API closed the connection without answering' };
  if (bytes.length > MAX_ANSWER_BYTES) return { error: `the answer is over ${MAX_ANSWER_BYTES} bytes` };
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return { error: 'the answer has no end of headers (cut off?)' };
  const head = bytes.subarray(0, end).toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |\r|$)/.exec(head);
  if (!status) return { error: `not an HTTP answer: ${JSON.stringify(head.slice(0, 40))}` };
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return { error: 'a chunked answer to an HTTP/1.0 request' };
  return { status: Number(status[1]), body: bytes.subarray(end + 4).toString('utf8') };
}

/** The answers by tag; a request with no section (the script cut short) is an error too. */
export function parseApiAnswers(output: string, requests: readonly ApiRequest[]): Map<string, ApiAnswer> {
  const answers = new Map<string, ApiAnswer>();
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('=== api\t')) continue;
    const [, tag, dash] = line.split('\t');
    if (!tag || !requests.some((r) => r.tag === tag) || answers.has(tag)) continue;
    if (dash === '-') {
      answers.set(tag, { error: 'nothing answers on its port' });
      continue;
    }
    const encoded = lines[i + 1] ?? '';
    i++;
    answers.set(
      tag,
      /^[A-Za-z0-9+/]*={0,2}$/.test(encoded)
        ? parseHttpAnswer(Buffer.from(encoded, 'base64'))
        : { error: 'the answer did not come back intact' },
    );
  }
  for (const r of requests) if (!answers.has(r.tag)) answers.set(r.tag, { error: 'no answer came back' });
  return answers;
}

/** The JSON of a 200 answer, or why there is none. */
export function jsonOf(answer: ApiAnswer | undefined): { value: unknown } | { error: string } {
  if (!answer) return { error: 'not asked' };
  if ('error' in answer) return answer;
  if (answer.status !== 200) {
    const detail = /"data"\s*:\s*"([^"]{0,200})"/.exec(answer.body)?.[1] ?? answer.body.slice(0, 120).trim();
    return { error: `HTTP ${answer.status}${detail ? `: ${detail}` : ''}` };
  }
  try {
    return { value: JSON.parse(answer.body) as unknown };
  } catch {
    return { error: 'the answer is not JSON' };
  }
}
