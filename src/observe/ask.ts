/**
 * One round of requests to one source: the script sent over the command's SSH session to the
 * login user's bash on the host (the APIs are local: no root needed), the answers parsed. A
 * source that cannot be reached is an error of that source, never of the read.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import type { HostSession } from '../ssh/session.js';
import {
  apiScript,
  MAX_ANSWER_BYTES,
  parseApiAnswers,
  type ApiAnswer,
  type ApiRequest,
  type Delivery,
} from './http-on-host.js';
import { SshError } from '../ssh/errors.js';
import { judge, type JudgeOptions } from './judge.js';
import { MAX_WS_ANSWER_BYTES, parseWsConversation, wsScript, type WsConversation } from './ws-on-host.js';
import { LAG_LIMIT, OBSERVED_WINDOW } from './limits.js';
import type { ChainReading, SourceView } from './model.js';

const API_SHELL = 'bash --norc --noprofile -s';
const ROUND_TIMEOUT_MS = 15_000;
/** What one round may send back in all: a host sending more is cut off, not believed. */
const MAX_ROUND_BYTES = 16 * 1024 * 1024;

export async function ask(
  session: HostSession,
  host: ResolvedHost,
  requests: ApiRequest[],
  delivery: Delivery = 'separate',
): Promise<Map<string, ApiAnswer> | { error: string }> {
  const [outcome] = await session.each([host], (conn) =>
    conn.run(API_SHELL, {
      stdin: apiScript(host, requests, delivery),
      timeoutMs: ROUND_TIMEOUT_MS,
      maxOutputBytes: Math.min(MAX_ROUND_BYTES, requests.length * Math.ceil((MAX_ANSWER_BYTES * 4) / 3 + 64)),
    }),
  );
  if (!outcome) return { error: 'not asked' };
  if (!outcome.ok) return { error: outcome.error.detail };
  return parseApiAnswers(outcome.value, requests, delivery);
}

/** A source's view before its first round. */
export const freshView = (host: Pick<ResolvedHost, 'name' | 'client'>): SourceView => ({
  source: host.name,
  client: host.client ?? '?',
  heights: new Map(),
  blockTimes: new Map(),
  equivocations: [],
  flags: new Map(),
  notes: [],
});

/** One round on every source side by side, then the verdict across them (a source that cannot be reached is an error of that source). */
export async function readRound<S extends { view: SourceView }>(
  sources: readonly S[],
  round: (source: S) => Promise<void>,
  identities: readonly string[],
  judging: Partial<Pick<JudgeOptions, 'countsMissed' | 'lagLimit'>> = {},
): Promise<ChainReading> {
  await Promise.all(
    sources.map((s) =>
      round(s).catch((err: unknown) => {
        if (!(err instanceof SshError)) throw err;
        s.view.error = `unreachable: ${err.detail}`;
      }),
    ),
  );
  return judge(
    sources.map((s) => s.view),
    { identities, lagLimit: LAG_LIMIT, window: OBSERVED_WINDOW, ...judging },
  );
}

/** The identity's signed heights the sources showed, from a height on, each with its earliest time. */
export function signaturesIn(
  views: readonly SourceView[],
  identity: string,
  fromHeight: number,
): { height: number; at: string }[] {
  const out = new Map<number, string>();
  for (const v of views)
    for (const [h, r] of v.heights) {
      if (h < fromHeight || !r.signed.has(identity)) continue;
      const at = r.at.get(identity) ?? '';
      if (!out.has(h) || (at && at < out.get(h)!)) out.set(h, at);
    }
  return [...out.entries()].sort(([a], [b]) => a - b).map(([height, at]) => ({ height, at }));
}

/** One WebSocket conversation with a source's local API (chain-sync), in one round trip. */
export async function converse(
  session: HostSession,
  host: ResolvedHost,
  port: number,
  messages: string[],
  seconds: number,
): Promise<WsConversation> {
  const [outcome] = await session.each([host], (conn) =>
    conn.run(API_SHELL, {
      stdin: wsScript(host, port, messages, seconds),
      timeoutMs: (seconds + 5) * 1000,
      maxOutputBytes: Math.min(MAX_ROUND_BYTES, messages.length * (MAX_WS_ANSWER_BYTES * 2 + 64)),
    }),
  );
  if (!outcome) return { error: 'not asked' };
  if (!outcome.ok) return { error: outcome.error.detail };
  return parseWsConversation(outcome.value, messages.length);
}
