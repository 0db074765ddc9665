/**
 * What every failover step acts with (the context), the one failure type of the failover stage,
 * and the ways a step reaches hosts: one host, or every quorum host that answers.
 */

import { hostname, userInfo } from 'node:os';
import { majorityOf, quorumOf } from '../quorum/generation.js';
import { rootShell } from '../ssh/shell.js';
import type { HostSession } from '../ssh/session.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { StakeError } from '../errors.js';
import type { LoadedInventory } from '../inventory/load.js';
import type { ResolvedHost, ResolvedIdentity } from '../inventory/resolve.js';
import type { KeyFile } from '../keys/layout.js';
import { type Journal } from './journal.js';
import { type RenderedService } from './live.js';
import type { StepHook } from './hooks.js';
import type { ChainObserver, ChainReading } from './observer.js';

/** Everything the steps act with. */
export interface StepContext {
  inventory: string;
  loaded: LoadedInventory;
  identity: ResolvedIdentity;
  session: HostSession;
  observer: ChainObserver | undefined;
  services: Map<string, RenderedService[]>;
  keys: KeyFile[];
  journal: Journal;
  verifyTimeoutMs: number;
  healthTimeoutSeconds: number;
  /** Progress inside a long step (the safety window, waiting for a signature). */
  note(text: string): void;
  /** Called at each step boundary: the tests' seam for faults; real use has none. */
  hook?: StepHook;
  /** Writes the journal now, for a step that must remember something before it acts on a host (the run loop sets it). */
  checkpoint?: () => void;
}

/** A step that cannot go on: its exit code says why (4 a guard, 5 unreachable, 1 anything else). */
export class StepFailure extends StakeError {
  constructor(message: string, exitCode: ExitCode, hint?: string) {
    super(message, { exitCode, ...(hint ? { hint } : {}) });
    this.name = 'StepFailure';
  }
}

export const operatorName = () => `${userInfo().username}@${hostname()}`;
export const hostOf = (ctx: StepContext, name: string): ResolvedHost => ctx.loaded.resolved.host(name);
/** The pause between two looks at the chain: a poll interval, only ever inside a loop that checks its condition against a deadline. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a script on one host; an SSH failure becomes a StepFailure naming the host (exit 5). */
export async function onHost(ctx: StepContext, name: string, script: string, timeoutMs = 60_000): Promise<string> {
  const host = hostOf(ctx, name);
  const [outcome] = await ctx.session.each([host], (conn) => conn.run(rootShell(host), { stdin: script, timeoutMs }));
  if (!outcome!.ok)
    throw new StepFailure(
      `${name}: ${outcome!.error.detail}`,
      outcome!.error.exitCode === EXIT.refused ? EXIT.refused : EXIT.unreachable,
      outcome!.error.hint,
    );
  return outcome!.value;
}

/** Runs a script on every quorum host that answers; returns which hosts succeeded and why the others did not. */
export async function onQuorum(
  ctx: StepContext,
  script: (host: ResolvedHost) => string,
): Promise<{ ok: Map<string, string>; failed: Map<string, string> }> {
  const outcomes = await ctx.session.each(quorumOf(ctx.identity), (conn, host) =>
    conn.run(rootShell(host), { stdin: script(host), timeoutMs: 30_000 }),
  );
  const ok = new Map<string, string>();
  const failed = new Map<string, string>();
  for (const o of outcomes) {
    if (o.ok) ok.set(o.host, o.value);
    else failed.set(o.host, o.error.detail);
  }
  return { ok, failed };
}

export const needed = (ctx: StepContext) => majorityOf(quorumOf(ctx.identity).length);

export async function readChain(ctx: StepContext): Promise<ChainReading | undefined> {
  if (!ctx.observer) return undefined;
  try {
    return await ctx.observer.read();
  } catch {
    return undefined;
  }
}
