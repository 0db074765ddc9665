/**
 * The chain's word from several sources: the highest head any usable source shows, each
 * identity's last signed height, the heights of the last window it missed, every equivocation any
 * source shows, and, listed apart, everything the sources disagree on (a source far behind, a
 * height one shows signed and another not, two different blocks at one height). Nothing is
 * averaged: one source's evidence of a double sign is an alarm, whatever the others show. Pure.
 */
import type { ChainReading, Equivocation, IdentityOnChain, SourceView } from './model.js';

export interface JudgeOptions {
  identities: readonly string[];
  /** A source more heights behind the highest head than this is reported. */
  lagLimit: number;
  /** How many of the latest read heights the missed count covers. */
  window: number;
  /**
   * false where the chain cannot show a miss (cardano: a pool leads slots no one else can see,
   * and a slot it did not lead has no block of its): no window and no missed count then.
   */
  countsMissed?: boolean;
}

const usable = (v: SourceView): v is SourceView & { head: number } => !v.error && v.head !== undefined;

function paceOf(views: readonly SourceView[]): number | undefined {
  const said = views.find((v) => v.paceMs !== undefined)?.paceMs;
  if (said !== undefined) return said;
  let best: number | undefined;
  let most = 0;
  for (const v of views) {
    const heights = [...v.blockTimes.keys()].sort((a, b) => a - b);
    if (heights.length < 2 || heights.length <= most) continue;
    const first = heights[0]!;
    const last = heights.at(-1)!;
    const ms = Date.parse(v.blockTimes.get(last)!) - Date.parse(v.blockTimes.get(first)!);
    if (!(ms > 0)) continue;
    most = heights.length;
    best = Math.round(ms / (last - first));
  }
  return best;
}

function disagreementsOf(views: readonly (SourceView & { head: number })[], head: number, options: JudgeOptions) {
  const out: string[] = [];
  for (const v of views)
    if (head - v.head > options.lagLimit)
      out.push(`${v.source} is ${head - v.head} heights behind the others (its head ${v.head}, the highest ${head})`);
  const heights = new Set(views.flatMap((v) => [...v.heights.keys()]));
  for (const h of [...heights].sort((a, b) => a - b)) {
    const seen = views.filter((v) => v.heights.has(h));
    if (seen.length < 2) continue;
    const [first, ...rest] = seen;
    const a = first!.heights.get(h)!;
    for (const other of rest) {
      const b = other.heights.get(h)!;
      if (a.hash && b.hash && a.hash !== b.hash)
        out.push(`height ${h}: ${first!.source} and ${other.source} show different blocks (a fork, or another chain)`);
      for (const id of options.identities)
        if (a.signed.has(id) !== b.signed.has(id)) {
          const [yes, no] = a.signed.has(id) ? [first!.source, other.source] : [other.source, first!.source];
          out.push(`height ${h}: ${yes} shows ${id} signed, ${no} does not`);
        }
    }
  }
  for (const id of options.identities) {
    const flagged = views.filter((v) => v.flags.has(id));
    if (flagged.length && flagged.length < views.length)
      out.push(
        `${id}: ${flagged.map((v) => `${v.source} says ${v.flags.get(id)}`).join('; ')}; ${views
          .filter((v) => !v.flags.has(id))
          .map((v) => v.source)
          .join(', ')} do not`,
      );
  }
  return out;
}

function identityOf(
  views: readonly (SourceView & { head: number })[],
  id: string,
  window: number,
  countsMissed: boolean,
): IdentityOnChain {
  let lastHeight: number | undefined;
  const read = new Set<number>();
  const signedAt = new Set<number>();
  for (const v of views)
    for (const [h, r] of v.heights) {
      read.add(h);
      if (r.signed.has(id)) {
        signedAt.add(h);
        if (lastHeight === undefined || h > lastHeight) lastHeight = h;
      }
    }
  const top = read.size ? Math.max(...read) : undefined;
  const missed: number[] = [];
  let signed = 0;
  let from: number | undefined;
  if (top !== undefined && countsMissed) {
    from = Math.max(Math.min(...read), top - window + 1);
    for (let h = from; h <= top; h++) {
      if (!read.has(h)) continue;
      if (signedAt.has(h)) signed++;
      else missed.push(h);
    }
  }
  const byKey = new Map<string, Equivocation>();
  for (const v of views)
    for (const e of v.equivocations) {
      if (e.identity !== id) continue;
      const key = `${e.height}/${e.round ?? 0}`;
      const known = byKey.get(key);
      if (known) known.sources = [...new Set([...known.sources, ...e.sources])];
      else byKey.set(key, { ...e, sources: [...e.sources] });
    }
  const flags = [...new Set(views.flatMap((v) => (v.flags.has(id) ? [`${v.flags.get(id)} (${v.source})`] : [])))];
  const counters = views.flatMap((v) => (v.counters?.has(id) ? [v.counters.get(id)!] : []));
  return {
    identity: id,
    ...(lastHeight !== undefined ? { lastHeight } : {}),
    ...(top !== undefined && from !== undefined ? { window: { from, to: top } } : {}),
    signed: countsMissed ? signed : signedAt.size,
    missed: missed.length,
    ...(countsMissed ? { missedHeights: missed } : {}),
    equivocations: [...byKey.values()].sort((a, b) => a.height - b.height || (a.round ?? 0) - (b.round ?? 0)),
    flags,
    ...(counters.length ? { opcertCounter: Math.max(...counters) } : {}),
  };
}

export function judge(views: readonly SourceView[], options: JudgeOptions): ChainReading {
  const good = views.filter(usable);
  const head = good.length ? Math.max(...good.map((v) => v.head)) : 0;
  const finals = good.flatMap((v) => (v.finalized !== undefined ? [v.finalized] : []));
  const identities = new Map(
    options.identities.map((id) => [id, identityOf(good, id, options.window, options.countsMissed ?? true)]),
  );
  const pace = paceOf(good);
  return {
    head,
    ...(finals.length ? { finalized: Math.max(...finals) } : {}),
    ...(pace !== undefined ? { observedBlockMs: pace } : {}),
    sources: views.map((v) => ({
      source: v.source,
      client: v.client,
      ...(v.head !== undefined ? { head: v.head } : {}),
      ...(v.syncing !== undefined ? { syncing: v.syncing } : {}),
      ...(v.error ? { error: v.error } : {}),
    })),
    disagreements: disagreementsOf(good, head, options),
    ...(options.countsMissed === false ? { showsMisses: false as const } : {}),
    identity: (name) => identities.get(name),
  };
}
