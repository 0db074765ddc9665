/**
 * What one drill round shows: the failover's steps on a clock, the heights the identity signed
 * around it (the old host's until its fence, the target's after), the signing gap, and whether the
 * chain showed anything signed twice. Pure: the failover's events (with their times) and the
 * chain's signatures and evidence in; the round's record out.
 */

export interface TimedEvent {
  /** ISO time the event was seen. */
  time: string;
  event: string;
  step?: string;
  phase?: string;
  detail?: string;
  ms?: number;
  result?: string;
  exitCode?: number;
}

/** One height the chain shows the identity's key signed, with the chain's time of it. */
export interface SignatureRecord {
  height: number;
  at: string;
}

export interface StepSpan {
  step: string;
  /** Milliseconds from the round's start. */
  startMs: number;
  endMs: number;
  ok: boolean;
  detail?: string;
}

export interface RoundRecord {
  round: number;
  from: string;
  to: string;
  /** ISO times of the failover's start (confirmation) and end. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  objectiveMs: number;
  result: string;
  exitCode: number;
  steps: StepSpan[];
  /** Heights signed around the round, by host: [height, ms from the round's start]. */
  signed: Record<string, [number, number][]>;
  lastOld?: number;
  firstNew?: number;
  /** Heights between the old host's last signature and the new host's first; and the time between them. */
  gapHeights?: number;
  gapMs?: number;
  /** Heights the chain showed signed twice during the round (its equivocation evidence). */
  doubleSigned: number[];
  /** Why the round failed; empty when it passed. */
  failures: string[];
}

export interface RoundInput {
  round: number;
  from: string;
  to: string;
  objectiveMs: number;
  events: TimedEvent[];
  /** The identity's signatures from a little before the round to a little after. */
  signatures: SignatureRecord[];
  /** The heights the chain showed signed twice during the round (new equivocation evidence). */
  doubleSigned: number[];
}

export function roundRecord(input: RoundInput): RoundRecord {
  const t = (iso: string) => Date.parse(iso);
  const first = input.events[0];
  const end = [...input.events].reverse().find((e) => e.event === 'end');
  const start = first ? t(first.time) : Date.now();
  const finish = end ? t(end.time) : input.events.length ? t(input.events[input.events.length - 1]!.time) : start;
  const steps: StepSpan[] = [];
  const open = new Map<string, number>();
  for (const e of input.events) {
    if (e.event !== 'step' || !e.step) continue;
    if (e.phase === 'start') open.set(e.step, t(e.time) - start);
    else {
      const endMs = t(e.time) - start;
      steps.push({
        step: e.step,
        startMs: open.get(e.step) ?? endMs - (e.ms ?? 0),
        endMs,
        ok: e.phase === 'done',
        ...(e.detail ? { detail: e.detail } : {}),
      });
      open.delete(e.step);
    }
  }
  // The chain names the key, not the host: until the old host is fenced it is the only one that
  // signs; after, the target (a third signer would be a key in the wrong place, which the chain's
  // evidence and stake keys scan catch, not this chart).
  const fenced = input.events.find((e) => e.event === 'step' && e.step === 'fence' && e.phase === 'done');
  const fencedAt = fenced ? t(fenced.time) : Number.POSITIVE_INFINITY;
  const signed: Record<string, [number, number][]> = {};
  const sorted = [...input.signatures].sort((a, b) => a.height - b.height);
  const byOld = sorted.filter((s) => t(s.at) <= Math.min(fencedAt, finish));
  const lastOld = byOld.at(-1);
  const byNew = sorted.filter((s) => t(s.at) > fencedAt && (!lastOld || s.height > lastOld.height));
  const firstNew = byNew[0];
  for (const s of byOld) (signed[input.from] ??= []).push([s.height, t(s.at) - start]);
  for (const s of byNew) (signed[input.to] ??= []).push([s.height, t(s.at) - start]);
  const doubleSigned = [...new Set(input.doubleSigned)].sort((a, b) => a - b);
  const failures: string[] = [];
  const durationMs = finish - start;
  const result = end?.result ?? 'no end';
  if (result !== 'done') failures.push(`the failover ended ${result} (exit ${end?.exitCode ?? '?'})`);
  if (durationMs > input.objectiveMs)
    failures.push(
      `took ${(durationMs / 1000).toFixed(1)} s, over the objective of ${(input.objectiveMs / 1000).toFixed(0)} s`,
    );
  if (doubleSigned.length > 0)
    failures.push(
      `${doubleSigned.length} double sign${doubleSigned.length === 1 ? '' : 's'} at height ${doubleSigned.join(', ')}`,
    );
  if (result === 'done' && !firstNew) failures.push(`${input.to} signed nothing after the failover`);
  return {
    round: input.round,
    from: input.from,
    to: input.to,
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(finish).toISOString(),
    durationMs,
    objectiveMs: input.objectiveMs,
    result,
    exitCode: end?.exitCode ?? -1,
    steps,
    signed,
    ...(lastOld ? { lastOld: lastOld.height } : {}),
    ...(firstNew ? { firstNew: firstNew.height } : {}),
    ...(lastOld && firstNew
      ? { gapHeights: firstNew.height - lastOld.height - 1, gapMs: t(firstNew.at) - t(lastOld.at) }
      : {}),
    doubleSigned,
    failures,
  };
}
