/**
 * Asking a client's local API on its own host: a batch of HTTP requests made by bash (its /dev/tcp,
 * so the host needs no curl) in one SSH round trip, each answer sent back whole in base64 on one
 * line so nothing in it can pass for the next section. Everything a host sends back is untrusted:
 * answers are bounded in size and time on the host, and parsed here into a status and a body, or
 * an error naming what was wrong. Pure.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import { devTcp, shq } from '../ssh/shell.js';
import { splitHttpAnswers } from './http-stream.js';

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
/** What one pipelined connection may send back in all: under the round's bound once in base64. */
const MAX_PIPELINE_BYTES = 8 * 1024 * 1024;
/** Seconds a pipelined connection may take: an answer's, and a second more for every 8 requests. */
const pipelineSeconds = (count: number) => Math.min(12, ANSWER_SECONDS + Math.ceil(count / 8));

/**
 * How the requests travel. `separate` (the default): a connection each, HTTP/1.0, the answer
 * ending where the API closes it; any HTTP server answers that. `pipelined`: the requests to a
 * port all sent at once on one HTTP/1.1 connection, the last with `Connection: close`, and the
 * answers told apart by their framing (./http-stream.ts): a few processes on the host for the
 * whole batch rather than four per request. Only for an API whose server answers pipelined
 * requests in order (Go's net/http, CometBFT's RPC server, does: net/http/server.go serves a
 * connection's requests one after another).
 */
export type Delivery = 'separate' | 'pipelined';

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

function requestBytes(r: ApiRequest, http11?: { last: boolean }): string {
  const head = http11
    ? [`${r.method} ${r.path} HTTP/1.1`, 'Host: localhost', 'Accept: application/json']
    : [`${r.method} ${r.path} HTTP/1.0`, 'Accept: application/json'];
  if (http11?.last) head.push('Connection: close');
  if (r.method === 'POST')
    head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(r.body ?? '')}`);
  return `${head.join('\r\n')}\r\n\r\n${r.body ?? ''}`;
}

function checkRequest(r: ApiRequest): void {
  if (!TAG.test(r.tag)) throw new Error(`apiScript: bad tag ${JSON.stringify(r.tag)}`);
  if (!PATH.test(r.path)) throw new Error(`apiScript: bad path ${JSON.stringify(r.path)}`);
  if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) throw new Error(`apiScript: bad port ${r.port}`);
}

/** Pipelined requests by port, in the order each port first appears: one connection each. */
export function pipelineGroups(requests: readonly ApiRequest[]): ApiRequest[][] {
  const byPort = new Map<number, ApiRequest[]>();
  for (const r of requests) byPort.set(r.port, [...(byPort.get(r.port) ?? []), r]);
  return [...byPort.values()];
}

/** Tries the host's addresses for a connection on fd 3, then runs `body`; `missing` when none connects. */
function onConnection(
  host: Pick<ResolvedHost, 'address' | 'privateAddress'>,
  port: number,
  body: string[],
  missing: string,
): string[] {
  return [
    'stake_found=no',
    `for a in ${localAddresses(host).join(' ')}; do`,
    `  if exec 3<>"${devTcp('$a', port)}"; then`,
    ...body.map((line) => `    ${line}`),
    '    exec 3<&-; stake_found=yes; break',
    '  fi',
    'done 2>/dev/null',
    `[ "$stake_found" = yes ] || ${missing}`,
  ];
}

/**
 * The bash script that makes the requests. Separate: `=== api TAG` then the answer in base64, or
 * `=== api TAG -`. Pipelined: `=== pipe K` then the connection's bytes in base64, or
 * `=== pipe K -`, for the K-th of pipelineGroups.
 */
export function apiScript(
  host: Pick<ResolvedHost, 'address' | 'privateAddress'>,
  requests: readonly ApiRequest[],
  delivery: Delivery = 'separate',
): string {
  requests.forEach(checkRequest);
  const lines: string[] = [];
  if (delivery === 'pipelined')
    pipelineGroups(requests).forEach((group, k) => {
      const bytes = group.map((r, i) => requestBytes(r, { last: i === group.length - 1 })).join('');
      const limit = Math.min(MAX_PIPELINE_BYTES, group.length * (MAX_ANSWER_BYTES + 16 * 1024));
      lines.push(
        ...onConnection(
          host,
          group[0]!.port,
          [
            `printf '%s' ${shq(Buffer.from(bytes).toString('base64'))} | base64 -d >&3`,
            `printf '=== pipe\\t%s\\n' ${k}`,
            `timeout ${pipelineSeconds(group.length)} head -c ${limit + 1} <&3 | base64 -w0; printf '\\n'`,
          ],
          `printf '=== pipe\\t%s\\t-\\n' ${k}`,
        ),
      );
    });
  else
    for (const r of requests)
      lines.push(
        ...onConnection(
          host,
          r.port,
          [
            `printf '%s' ${shq(Buffer.from(requestBytes(r)).toString('base64'))} | base64 -d >&3`,
            `printf '=== api\\t%s\\n' ${shq(r.tag)}`,
            `timeout ${ANSWER_SECONDS} head -c ${MAX_ANSWER_BYTES + 1} <&3 | base64 -w0; printf '\\n'`,
          ],
          `printf '=== api\\t%s\\t-\\n' ${shq(r.tag)}`,
        ),
      );
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

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The answers by tag; a request with no section (the script cut short) is an error too. */
export function parseApiAnswers(
  output: string,
  requests: readonly ApiRequest[],
  delivery: Delivery = 'separate',
): Map<string, ApiAnswer> {
  const answers = new Map<string, ApiAnswer>();
  const groups = delivery === 'pipelined' ? pipelineGroups(requests) : [];
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const [kind, name, dash] = line.split('\t');
    if (kind === '=== api' && delivery === 'separate') {
      if (!name || !requests.some((r) => r.tag === name) || answers.has(name)) continue;
      if (dash === '-') {
        answers.set(name, { error: 'nothing answers on its port' });
        continue;
      }
      const encoded = lines[++i] ?? '';
      answers.set(
        name,
        BASE64.test(encoded)
          ? parseHttpAnswer(Buffer.from(encoded, 'base64'))
          : { error: 'the answer did not come back intact' },
      );
    } else if (kind === '=== pipe' && delivery === 'pipelined') {
      const group = /^\d{1,4}$/.test(name ?? '') ? groups[Number(name)] : undefined;
      if (!group || answers.has(group[0]!.tag)) continue;
      if (dash === '-') {
        for (const r of group) answers.set(r.tag, { error: 'nothing answers on its port' });
        continue;
      }
      const encoded = lines[++i] ?? '';
      const split = BASE64.test(encoded)
        ? splitHttpAnswers(Buffer.from(encoded, 'base64'), group.length, MAX_ANSWER_BYTES)
        : group.map(() => ({ error: 'the answer did not come back intact' }));
      group.forEach((r, k) => answers.set(r.tag, split[k]!));
    }
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
