/**
 * What one drill round shows: the failover's steps on a clock, which host signed which height
 * around it, the signing gap, and whether anything was signed twice. Pure: the failover's
 * events (with their times) and the chain's signatures in; the round's record out.
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

export interface SignatureRecord {
  identity: string;
  height: number;
  host: string;
  signer: string;
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
  /** Heights signed by more than one signing process in this round's window. */
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
  /** Double signs the chain counted for the identity during the round (its own verdict). */
  chainDoubleSigns: number;
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
  const signed: Record<string, [number, number][]> = {};
  const byHeight = new Map<number, Set<string>>();
  for (const s of [...input.signatures].sort((a, b) => a.height - b.height)) {
    (signed[s.host] ??= []).push([s.height, t(s.at) - start]);
    const signers = byHeight.get(s.height) ?? new Set<string>();
    signers.add(s.signer);
    byHeight.set(s.height, signers);
  }
  const doubleSigned = [...byHeight].filter(([, signers]) => signers.size > 1).map(([h]) => h);
  const oldSigs = input.signatures.filter((s) => s.host === input.from && t(s.at) <= finish);
  const lastOld = oldSigs.length ? oldSigs.reduce((a, b) => (b.height > a.height ? b : a)) : undefined;
  const newSigs = input.signatures.filter((s) => s.host === input.to && (!lastOld || s.height > lastOld.height));
  const firstNew = newSigs.length ? newSigs.reduce((a, b) => (b.height < a.height ? b : a)) : undefined;
  const failures: string[] = [];
  const durationMs = finish - start;
  const result = end?.result ?? 'no end';
  if (result !== 'done') failures.push(`the failover ended ${result} (exit ${end?.exitCode ?? '?'})`);
  if (durationMs > input.objectiveMs)
    failures.push(
      `took ${(durationMs / 1000).toFixed(1)} s, over the objective of ${(input.objectiveMs / 1000).toFixed(0)} s`,
    );
  const doubles = Math.max(doubleSigned.length, input.chainDoubleSigns);
  if (doubles > 0)
    failures.push(
      `${doubles} double sign${doubles === 1 ? '' : 's'}${doubleSigned.length ? ` at height ${doubleSigned.join(', ')}` : ''}`,
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
