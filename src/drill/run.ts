/**
 * A failover drill: rounds of real failovers back and forth, each approved by signatures made
 * with two operators' keys, each old host brought back by a normal deploy before the next
 * round. It calls the same command code an operator runs (`failover approve`, `failover
 * --confirm --approval`, `deploy --limit`), through a terminal that records their events with
 * the time, so a drill exercises exactly what a 3 a.m. failover would. The edge of the drill:
 * the judging is timeline.ts, the writing report.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Chalk } from 'chalk';
import { DEFAULT_FIREWALL_REVERT_SECONDS, deploy } from '../commands/deploy.js';
import {
  DEFAULT_SAFETY_WINDOW,
  failoverApproveCommand,
  failoverConfirmCommand,
  type FailoverOptions,
} from '../commands/failover.js';
import { HostSession } from '../ssh/session.js';
import { StakeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { liveVerdict } from '../failover/checks.js';
import { probeQuorum, signingServices } from '../failover/live.js';
import { observerFor, type ChainObserver } from '../failover/observer.js';
import { loadInventory } from '../inventory/load.js';
import { labPaths } from '../lab/layout.js';
import type { Terminal } from '../output/terminal.js';
import { summarize, type DrillReport } from './report.js';
import { roundRecord, type RoundRecord, type SignatureRecord, type TimedEvent } from './timeline.js';

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
}

/** A terminal that keeps what a command says instead of printing it: its JSON events, timed. */
export function recordingTerminal(): Terminal & { events: TimedEvent[]; documents: unknown[]; notes: string[] } {
  const events: TimedEvent[] = [];
  const documents: unknown[] = [];
  const notes: string[] = [];
  return {
    options: { json: true, color: false, verbose: 0 },
    style: new Chalk({ level: 0 }),
    print: () => undefined,
    note: (text) => notes.push(text),
    document: (value) => documents.push(value),
    event: (value) => events.push({ time: new Date().toISOString(), ...(value as Omit<TimedEvent, 'time'>) }),
    events,
    documents,
    notes,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The live active host and the standby the next round moves to. */
async function nextMove(inventory: string, identityName: string): Promise<{ from: string; to: string }> {
  const loaded = await loadInventory(inventory);
  const identity = loaded.resolved.identities.find((i) => i.name === identityName);
  if (!identity)
    throw new StakeError(`no identity "${identityName}" in ${inventory}`, {
      exitCode: EXIT.usage,
      hint: `identities: ${loaded.resolved.identities.map((i) => i.name).join(', ')}`,
    });
  const session = new HostSession(loaded.resolved, {
    inventory,
    parallel: 8,
    acceptNew: false,
    connectTimeoutMs: 10_000,
  });
  try {
    const quorum = await probeQuorum(
      session,
      loaded.resolved,
      identity,
      signingServices(inventory, loaded.resolved, identity),
    );
    const verdict = liveVerdict(identity, quorum.views);
    if (verdict.kind === 'unknown')
      throw new StakeError(`cannot tell which host is live for ${identityName}: ${verdict.why}`, {
        exitCode: EXIT.refused,
        hint: 'stake status shows the quorum; a drill starts from a healthy deployment',
      });
    const from = verdict.kind === 'first' ? identity.active.name : verdict.record.active;
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

/** The identity's signatures the lab chain recorded after `since`. */
function signaturesSince(inventory: string, identity: string, since: number): SignatureRecord[] {
  const path = labPaths(dirname(inventory)).signatures;
  if (!existsSync(path)) return [];
  const out: SignatureRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes(`"${identity}"`)) continue;
    try {
      const s = JSON.parse(line) as SignatureRecord;
      if (s.identity === identity && Date.parse(s.at) >= since) out.push(s);
    } catch {
      // a line still being written
    }
  }
  return out;
}

async function doubleSignsOf(observer: ChainObserver | undefined, identity: string): Promise<number> {
  if (!observer) return 0;
  const reading = await observer.read();
  return reading.identity(identity)?.doubleSigns.length ?? 0;
}

export interface DrillProgress {
  (line: string): void;
}

export async function runDrill(options: DrillOptions, progress: DrillProgress): Promise<DrillReport> {
  const loaded = await loadInventory(options.inventory);
  const observer = observerFor(options.inventory);
  const startedAt = new Date().toISOString();
  const rounds: RoundRecord[] = [];
  const blockMs = observer?.blockTimeMs ?? 1000;
  for (let n = 1; n <= options.rounds; n++) {
    const { from, to } = await nextMove(options.inventory, options.identity);
    progress(`round ${n}/${options.rounds}: ${options.identity} from ${from} to ${to}`);
    const base: FailoverOptions = {
      inventory: options.inventory,
      identity: options.identity,
      to,
      oldHostDead: false,
      safetyWindow: DEFAULT_SAFETY_WINDOW,
      validForMs: 15 * 60_000,
      verifyTimeoutMs: options.verifyTimeoutMs,
      healthTimeoutSeconds: options.healthTimeoutSeconds,
    };
    const approvals: string[] = [];
    for (const op of options.operators) {
      const out = join(options.workDir, `round-${n}-${op.name}.approval`);
      const term = recordingTerminal();
      const code = await failoverApproveCommand({ ...base, as: op.name, key: op.file, out }, term);
      if (code !== EXIT.ok)
        throw new StakeError(`round ${n}: ${op.name}'s approval failed (exit ${code})`, {
          exitCode: code,
          hint: term.notes.join(' ') || 'run stake failover approve by hand to see why',
        });
      approvals.push(out);
    }
    const doublesBefore = await doubleSignsOf(observer, options.identity);
    const windowStart = Date.now() - 3 * blockMs;
    const term = recordingTerminal();
    let exitCode: number;
    try {
      exitCode = await failoverConfirmCommand({ ...base, approvals }, term, () => false);
    } catch (err) {
      // a refusal before anything changed: the round failed, the drill stops here
      const message =
        err instanceof StakeError ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : (err as Error).message;
      term.events.push({
        time: new Date().toISOString(),
        event: 'end',
        result: `refused: ${message}`,
        exitCode: err instanceof StakeError ? err.exitCode : EXIT.failed,
      });
      exitCode = err instanceof StakeError ? err.exitCode : EXIT.failed;
    }
    // a few heights more, so the chart shows the new host signing on
    await sleep(4 * blockMs);
    const doublesAfter = await doubleSignsOf(observer, options.identity);
    const record = roundRecord({
      round: n,
      from,
      to,
      objectiveMs: options.objectiveMs,
      events: term.events,
      signatures: signaturesSince(options.inventory, options.identity, windowStart),
      chainDoubleSigns: Math.max(0, doublesAfter - doublesBefore),
    });
    if (!observer) record.failures = record.failures.filter((f) => !f.endsWith('signed nothing after the failover'));
    rounds.push(record);
    progress(
      `  ${record.failures.length ? `FAILED: ${record.failures.join('; ')}` : 'ok'}: ${(record.durationMs / 1000).toFixed(1)} s${record.gapHeights !== undefined ? `, signing gap ${record.gapHeights} heights` : ''}`,
    );
    if (exitCode !== EXIT.ok) break;
    // the old host was fenced: a normal deploy brings it back as a standby (key sealed, client running)
    const revive = recordingTerminal();
    const revived = await deploy(
      {
        inventory: options.inventory,
        limit: [from],
        parallel: 8,
        acceptNew: false,
        dryRun: false,
        healthTimeoutSeconds: options.healthTimeoutSeconds,
        firewallRevertSeconds: DEFAULT_FIREWALL_REVERT_SECONDS,
      },
      revive,
    );
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
      ? `${observer.what}: every signature, judged per height`
      : 'no chain observer for this inventory: steps and times only; double signs not judged here (check the chain)',
    passed: rounds.length === options.rounds && summary.failed === 0,
  };
}
