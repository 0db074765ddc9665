/**
 * A failover drill: rounds of real failovers back and forth, each approved by signatures made
 * with two operators' keys, each old host brought back by a normal deploy before the next
 * round. It runs the same failover and deploy code an operator's commands run (prepare,
 * approve, confirm with the approval files, then deploy --limit OLDHOST), recording the
 * failover's events with their times, so a drill exercises exactly what a 3 a.m. failover
 * would. The judging is timeline.ts, the writing report.ts.
 */
import { join } from 'node:path';
import { runDeploy } from '../apply/deploy.js';
import { StakeError } from '../errors.js';
import { DEFAULT_FIREWALL_REVERT_SECONDS } from '../defaults.js';
import { EXIT } from '../exit-codes.js';
import { approveFailover } from '../failover/approve.js';
import { approvalsFromFiles, recordApproval, refuseBlocked, refuseUnfinished } from '../failover/confirm.js';
import { readLive } from '../failover/live.js';
import type { ChainObserver } from '../failover/observer.js';
import {
  DEFAULT_SAFETY_WINDOW,
  prepareFailover,
  type FailoverRequest,
  type FailoverWorld,
} from '../failover/prepare.js';
import { runFailover, type FailoverEvent } from '../failover/run.js';
import type { StepHook } from '../failover/hooks.js';
import { loadInventory } from '../inventory/load.js';
import { identityNamed } from '../inventory/lookup.js';
import { liveActive } from '../quorum/live.js';
import { openSession } from '../ssh/session.js';
import { summarize, type DrillReport } from './report.js';
import { roundRecord, type RoundRecord, type TimedEvent } from './timeline.js';
import { maxValidityMs } from '../inventory/policy.js';
import { waitFor, WaitTimeout } from '../wait.js';

export interface OperatorKey {
  name: string;
  file: string;
}

export interface DrillOptions {
  inventory: string;
  identity: string;
  operators: [OperatorKey, OperatorKey];
  rounds: number;
  objectiveMs: number;
  /** Where approvals are written (the report folder). */
  workDir: string;
  verifyTimeoutMs: number;
  healthTimeoutSeconds: number;
  /** The chain's judge of every signature; without one, only steps and times are recorded. */
  observer: ChainObserver | undefined;
  /** The tests' seam into each round's failover steps. */
  hook?: StepHook;
}

/**
 * Waits until the chain is `heights` past where it is now, so a round's chart shows the new host
 * signing on and a double sign just after the failover is counted. Bounded (three times their
 * time): a chain that stalls ends the wait, and the round's verdict says what the chain showed.
 */
async function heightsMore(observer: ChainObserver | undefined, heights: number): Promise<void> {
  if (!observer) return; // no chain to chart
  const from = (await observer.read()).head;
  await waitFor(async () => (await observer.read()).head >= from + heights, {
    timeoutMs: heights * observer.blockTimeMs * 3,
    what: `${heights} more heights on ${observer.what}`,
    intervalMs: Math.max(50, observer.blockTimeMs / 2),
  }).catch((err: unknown) => {
    if (!(err instanceof WaitTimeout)) throw err;
  });
}

/** Runs `work` against the inventory as it is now (each failover rewrites it), closing the session after. */
async function withWorld<T>(options: DrillOptions, work: (world: FailoverWorld) => Promise<T>): Promise<T> {
  const loaded = await loadInventory(options.inventory);
  const world = {
    loaded,
    session: openSession(loaded.resolved, options.inventory, 'failover'),
    observer: options.observer,
    ...(options.hook ? { hook: options.hook } : {}),
  };
  try {
    return await work(world);
  } finally {
    await world.session.close();
  }
}

/** The live active host and the standby the next round moves to. */
async function nextMove(inventory: string, identityName: string): Promise<{ from: string; to: string }> {
  const loaded = await loadInventory(inventory);
  const identity = identityNamed(loaded.resolved, identityName, inventory);
  const session = openSession(loaded.resolved, inventory, 'probe');
  try {
    const { verdict } = await readLive(session, loaded.resolved, inventory, identity);
    if (verdict.kind === 'unknown')
      throw new StakeError(`cannot tell which host is live for ${identityName}: ${verdict.why}`, {
        exitCode: EXIT.refused,
        hint: 'stake status shows the quorum; a drill starts from a healthy deployment',
      });
    const from = liveActive(verdict, identity)!.host; // unknown was refused above
    const to = [identity.active, ...identity.standby].map((h) => h.name).find((h) => h !== from);
    if (!to)
      throw new StakeError(`${identityName} has no standby to fail over to`, {
        exitCode: EXIT.refused,
        hint: 'add a standby validator host to the identity',
      });
    return { from, to };
  } finally {
    await session.close();
  }
}

/** The chain's head, and the heights (and rounds) its evidence shows signed twice so far. */
async function chainNow(
  observer: ChainObserver | undefined,
  identity: string,
): Promise<{ head: number; doubles: Map<string, number> }> {
  if (!observer) return { head: 0, doubles: new Map() };
  const reading = await observer.read();
  const doubles = (reading.identity(identity)?.equivocations ?? []).map(
    (e) => [`${e.height}/${e.round ?? 0}`, e.height] as const,
  );
  return { head: reading.head, doubles: new Map(doubles) };
}

/** One failover confirmed with the two approval files, as `stake failover --confirm --approval A --approval B` runs it. */
async function confirmRound(
  options: DrillOptions,
  request: FailoverRequest,
  approvals: string[],
  events: TimedEvent[],
): Promise<number> {
  const emit = (e: FailoverEvent) =>
    events.push({ time: new Date().toISOString(), ...(e as Omit<TimedEvent, 'time'>) });
  try {
    return await withWorld(options, async (world) => {
      const path = refuseUnfinished(request.inventory, request.identity);
      const { ctx, checks } = await prepareFailover(request, world);
      const approved = await approvalsFromFiles(ctx.journal.plan, approvals, world);
      refuseBlocked(checks);
      ctx.note = (text) => emit({ event: 'note', text });
      recordApproval(ctx, path, { ...approved, approval: 'signatures' });
      return await runFailover(ctx, { journalPath: path, emit, interrupted: () => false });
    });
  } catch (err) {
    // a refusal before anything changed: the round failed, the drill stops here
    const message =
      err instanceof StakeError ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : (err as Error).message;
    const exitCode = err instanceof StakeError ? err.exitCode : EXIT.failed;
    events.push({ time: new Date().toISOString(), event: 'end', result: `refused: ${message}`, exitCode });
    return exitCode;
  }
}

/** The fenced old host back as a standby (key sealed, client running): `stake deploy --limit HOST`. */
async function revive(options: DrillOptions, host: string): Promise<number> {
  const loaded = await loadInventory(options.inventory);
  const session = openSession(loaded.resolved, options.inventory, 'rollout', { parallel: 8 });
  try {
    const report = await runDeploy(
      {
        inventory: options.inventory,
        limit: [host],
        parallel: 8,
        acceptNew: false,
        dryRun: false,
        healthTimeoutSeconds: options.healthTimeoutSeconds,
        firewallRevertSeconds: DEFAULT_FIREWALL_REVERT_SECONDS,
      },
      session,
      loaded.resolved,
      () => undefined,
    );
    return report.exitCode;
  } finally {
    await session.close();
  }
}

export interface DrillProgress {
  (line: string): void;
}

export async function runDrill(options: DrillOptions, progress: DrillProgress): Promise<DrillReport> {
  const loaded = await loadInventory(options.inventory);
  const { observer } = options;
  const startedAt = new Date().toISOString();
  const rounds: RoundRecord[] = [];
  for (let n = 1; n <= options.rounds; n++) {
    const { from, to } = await nextMove(options.inventory, options.identity);
    progress(`round ${n}/${options.rounds}: ${options.identity} from ${from} to ${to}`);
    const request: FailoverRequest = {
      inventory: options.inventory,
      identity: options.identity,
      to,
      oldHostDead: false,
      safetyWindow: DEFAULT_SAFETY_WINDOW,
      // a quarter of an hour covers a round; a policy that allows less bounds it
      validForMs: Math.min(15 * 60_000, maxValidityMs(loaded.resolved.policy)),
      verifyTimeoutMs: options.verifyTimeoutMs,
      healthTimeoutSeconds: options.healthTimeoutSeconds,
    };
    const approvals: string[] = [];
    for (const op of options.operators) {
      const out = join(options.workDir, `round-${n}-${op.name}.approval`);
      await withWorld(options, (world) => approveFailover({ ...request, as: op.name, key: op.file, out }, world));
      approvals.push(out);
    }
    const before = await chainNow(observer, options.identity);
    const events: TimedEvent[] = [];
    const exitCode = await confirmRound(options, request, approvals, events);
    await heightsMore(observer, 4);
    const after = await chainNow(observer, options.identity);
    const record = roundRecord({
      round: n,
      from,
      to,
      objectiveMs: options.objectiveMs,
      events,
      signatures: observer?.signatures(options.identity, Math.max(1, before.head - 3)) ?? [],
      doubleSigned: [...after.doubles].filter(([key]) => !before.doubles.has(key)).map(([, height]) => height),
    });
    if (!observer) record.failures = record.failures.filter((f) => !f.endsWith('signed nothing after the failover'));
    rounds.push(record);
    progress(
      `  ${record.failures.length ? `FAILED: ${record.failures.join('; ')}` : 'ok'}: ${(record.durationMs / 1000).toFixed(1)} s${record.gapHeights !== undefined ? `, signing gap ${record.gapHeights} heights` : ''}`,
    );
    if (exitCode !== EXIT.ok) break;
    const revived = await revive(options, from);
    if (revived !== EXIT.ok) {
      record.failures.push(`reviving ${from} with stake deploy --limit ${from} failed (exit ${revived})`);
      break;
    }
    progress(`  ${from} back as a standby (stake deploy --limit ${from})`);
  }
  const summary = summarize(rounds);
  return {
    version: 1,
    deployment: loaded.resolved.name,
    identity: options.identity,
    family: loaded.resolved.family,
    inventory: options.inventory,
    operators: options.operators.map((o) => o.name),
    startedAt,
    endedAt: new Date().toISOString(),
    objectiveMs: options.objectiveMs,
    rounds,
    summary,
    observer: observer
      ? `${observer.what}: every height judged by the chain's own record (its commits and evidence)`
      : 'no chain observer for this inventory: steps and times only; double signs not judged here (check the chain)',
    passed: rounds.length === options.rounds && summary.failed === 0,
  };
}
