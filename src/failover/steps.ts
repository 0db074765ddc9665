/**
 * The eight steps of ../shared/spec/failover.md, each idempotent (a resumed failover runs the
 * interrupted step again from its start), plus the rollback that unfences the old host when a
 * step before the generation bump fails. Each returns a line for the journal and the output.
 */
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { majorityOf, parseGenerationRecord, quorumOf, type GenerationRecord } from '../quorum/generation.js';
import { healthScript } from '../apply/scripts.js';
import { rootShell } from '../ssh/shell.js';
import { tryResult } from '../ssh/script-result.js';
import type { HostSession } from '../ssh/session.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { StakeError } from '../errors.js';
import { readIfExists, writeDurably } from '../files.js';
import type { LoadedInventory } from '../inventory/load.js';
import type { ResolvedHost, ResolvedIdentity } from '../inventory/resolve.js';
import type { KeyFile } from '../keys/layout.js';
import { parseLock, preflightChecks, refusals, type Check, type HostView } from './checks.js';
import { rewriteActive } from './inventory-rewrite.js';
import { journalDir, type Journal } from './journal.js';
import { probeQuorum, type Quorum, type RenderedService } from './live.js';
import type { StepHook } from './hooks.js';
import type { ChainObserver, ChainReading } from './observer.js';
import { decideCarry, witnessAsOld } from './protection.js';
import {
  ACTIVATE_RESULT,
  activateScript,
  auditAppendScript,
  FENCE_RESULT,
  LOCK_RESULT,
  fenceScript,
  lockScript,
  recordGenerationScript,
  unlockScript,
  writeFileLines,
} from './scripts.js';

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
}

/** A step that cannot go on: its exit code says why (4 a guard, 5 unreachable, 1 anything else). */
export class StepFailure extends StakeError {
  constructor(message: string, exitCode: ExitCode, hint?: string) {
    super(message, { exitCode, ...(hint ? { hint } : {}) });
    this.name = 'StepFailure';
  }
}

export const operatorName = () => `${userInfo().username}@${hostname()}`;
const hostOf = (ctx: StepContext, name: string): ResolvedHost => ctx.loaded.resolved.host(name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a script on one host; an SSH failure becomes a StepFailure naming the host (exit 5). */
async function onHost(ctx: StepContext, name: string, script: string, timeoutMs = 60_000): Promise<string> {
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
async function onQuorum(
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

const needed = (ctx: StepContext) => majorityOf(quorumOf(ctx.identity).length);

async function readChain(ctx: StepContext): Promise<ChainReading | undefined> {
  if (!ctx.observer) return undefined;
  try {
    return await ctx.observer.read();
  } catch {
    return undefined;
  }
}

// 1. lock
export async function lock(ctx: StepContext): Promise<string> {
  const { journal } = ctx;
  const record = JSON.stringify({
    plan: journal.code,
    by: journal.by,
    since: journal.startedAt,
    from: journal.plan.from,
    to: journal.plan.to,
  });
  const { ok, failed } = await onQuorum(ctx, (h) => lockScript(h.root, ctx.identity.name, record, journal.code));
  const results = [...ok].map(([h, out]) => [h, tryResult(out, LOCK_RESULT)] as const);
  const taken = results.filter(([, r]) => !(r instanceof Error) && r.taken).map(([h]) => h);
  const held = results.flatMap(([h, r]) => (r instanceof Error || r.taken ? [] : [[h, r.holder] as const]));
  if (held.length || taken.length < needed(ctx)) {
    await onQuorum(ctx, (h) => unlockScript(h.root, ctx.identity.name, journal.code));
    if (held.length) {
      const holder = parseLock(Buffer.from(held[0]![1], 'base64').toString('utf8').replace(/\n/g, '').trim());
      throw new StepFailure(
        `the lock of ${ctx.identity.name} is held on ${held.map(([h]) => h).join(', ')} by plan ${holder.plan ?? '?'} of ${holder.by ?? 'someone'} since ${holder.since ?? '?'}`,
        EXIT.refused,
        'another failover is running or was interrupted: finish it with stake failover --resume where it ran',
      );
    }
    throw new StepFailure(
      `took the lock on ${taken.length} of ${quorumOf(ctx.identity).length} quorum hosts, ${needed(ctx)} needed (${[...failed].map(([h, e]) => `${h}: ${e}`).join('; ')})`,
      EXIT.unreachable,
      'bring the quorum hosts back, then plan again',
    );
  }
  journal.lockedOn = taken;
  return `held on ${taken.join(', ')}`;
}

// 2. preflight again, under the lock
export async function preflight(ctx: StepContext): Promise<string> {
  const checks = await currentChecks(ctx);
  const refused = refusals(checks);
  if (refused.length)
    throw new StepFailure(
      `preflight refused under the lock: ${refused.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
      EXIT.refused,
      refused[0]!.hint,
    );
  return `${checks.filter((c) => c.ok).length} checks passed`;
}

/** The preflight's verdicts on the live state: probed now, or the probe the caller just made. */
export async function currentChecks(
  ctx: StepContext,
  ownCode: string | undefined = ctx.journal.code,
  probed?: Quorum,
): Promise<Check[]> {
  const quorum = probed ?? (await probeQuorum(ctx.session, ctx.loaded.resolved, ctx.identity, ctx.services));
  const reading = await readChain(ctx);
  const signer = ctx.identity.signer;
  return preflightChecks({
    plan: ctx.journal.plan,
    identity: ctx.identity,
    views: quorum.views,
    keys: ctx.keys,
    services: ctx.services.get(ctx.journal.plan.to) ?? [],
    ...(ownCode ? { ownCode } : {}),
    ...(reading && ctx.observer
      ? { chain: { reading, blockTimeMs: ctx.observer.blockTimeMs, what: ctx.observer.what } }
      : {}),
    now: new Date(),
    ...(signer
      ? { signerGroup: { client: signer.client, hosts: signer.hosts.length, threshold: signer.threshold } }
      : {}),
  });
}

// 3. fence
export async function fence(ctx: StepContext): Promise<string> {
  const { plan } = ctx.journal;
  const from = hostOf(ctx, plan.from);
  try {
    const out = await onHost(
      ctx,
      plan.from,
      fenceScript(from, ctx.identity.name, ctx.keys, ctx.services.get(plan.from) ?? []),
    );
    const fenced = tryResult(out, FENCE_RESULT);
    if (fenced instanceof Error)
      throw new StepFailure(`${plan.from} did not confirm it is fenced (${fenced.message})`, EXIT.refused);
  } catch (err) {
    if (!(err instanceof StepFailure) || err.exitCode !== EXIT.unreachable || !plan.oldHostDead) {
      if (err instanceof StepFailure && err.exitCode === EXIT.unreachable)
        throw new StepFailure(
          `cannot fence ${plan.from}: ${err.message}`,
          EXIT.unreachable,
          'bring it back and resume (stake failover --resume); if it is gone for good, a new plan with --old-host-dead and two new approvals',
        );
      throw err;
    }
    return waitSilent(ctx);
  }
  const reading = await readChain(ctx);
  const last = reading?.identity(ctx.identity.name)?.lastHeight;
  if (last !== undefined) ctx.journal.lastOldHeight = last;
  return `${plan.from}: signer stopped and disabled, key sealed, nothing listening${last !== undefined ? `; last signature at height ${last}` : ''}`;
}

/** A dead old host counts as fenced once the chain shows the identity silent for the safety window. */
async function waitSilent(ctx: StepContext): Promise<string> {
  const { plan } = ctx.journal;
  if (!ctx.observer)
    throw new StepFailure(
      `${plan.from} is unreachable and stake cannot watch this chain to see it silent`,
      EXIT.refused,
    );
  // time for the window to pass three times over, and a little more: then the host is signing, not dead
  const deadline = Date.now() + (plan.safetyWindow * 3 + 10) * ctx.observer.blockTimeMs + 5_000;
  let said = '';
  while (Date.now() < deadline) {
    const reading = await readChain(ctx);
    if (reading) {
      const last = reading.identity(ctx.identity.name)?.lastHeight ?? 0;
      const silent = reading.head - last;
      if (silent >= plan.safetyWindow) {
        ctx.journal.lastOldHeight = last;
        return `${plan.from} unreachable; the chain shows no signature from ${ctx.identity.name} for ${silent} heights (since ${last}; window ${plan.safetyWindow})`;
      }
      const line = `waiting for ${plan.safetyWindow} silent heights: ${silent} so far (last signature at ${last})`;
      if (line !== said) ctx.note((said = line));
    }
    await sleep(ctx.observer.blockTimeMs);
  }
  throw new StepFailure(
    `the chain still shows signatures from ${ctx.identity.name} while ${plan.from} is unreachable: it is not dead, it is cut off from you`,
    EXIT.refused,
    'do not activate anything: reach the old host (console, provider) and stop it, then resume',
  );
}

// 4. carry slashing protection
export async function carry(ctx: StepContext): Promise<string> {
  const { plan } = ctx.journal;
  const quorum = await probeQuorum(ctx.session, ctx.loaded.resolved, ctx.identity, ctx.services);
  const view = (name: string): HostView | undefined => quorum.views.find((v) => v.host === name);
  const target = view(plan.to);
  if (!target?.probe) throw new StepFailure(`${plan.to}: ${target?.error ?? 'not reachable'}`, EXIT.unreachable);
  const old = view(plan.from);
  const witness = ctx.identity.witness ? view(ctx.identity.witness.name) : undefined;
  let oldFiles = old?.probe?.files;
  if (!oldFiles) {
    if (!plan.oldHostDead) throw new StepFailure(`${plan.from}: ${old?.error ?? 'not reachable'}`, EXIT.unreachable);
    oldFiles = witnessAsOld(plan.family, ctx.identity.name, witness?.probe?.files ?? {});
  }
  const reading = await readChain(ctx);
  const signer = ctx.identity.signer;
  const decision = decideCarry({
    family: plan.family,
    identity: ctx.identity.name,
    old: oldFiles,
    target: target.probe.files,
    oldHostDead: plan.oldHostDead && !old?.probe,
    ...(reading ? { chainHead: reading.head } : {}),
    ...(signer
      ? { signerGroup: { client: signer.client, hosts: signer.hosts.length, threshold: signer.threshold } }
      : {}),
  });
  if (!decision.ok) throw new StepFailure(decision.why, EXIT.refused, decision.hint);
  const to = hostOf(ctx, plan.to);
  if (decision.writes.length) {
    const lines = decision.writes.flatMap((w) => writeFileLines(to.root, w.path, w.content, w.mode));
    await onHost(ctx, plan.to, `{\nset -eu\n${lines.join('\n')}\necho CARRIED\n}\n`);
  }
  if (ctx.identity.witness && witness?.probe && decision.witnessCopy.length) {
    const w = hostOf(ctx, ctx.identity.witness.name);
    const lines = decision.witnessCopy.flatMap((c) => writeFileLines(w.root, c.path, c.content, '0600'));
    await onHost(ctx, w.name, `{\nset -eu\n${lines.join('\n')}\n}\n`).catch(() =>
      ctx.note(`the witness ${w.name} did not take the copy of the signing state; the failover goes on without it`),
    );
  }
  ctx.journal.carried = decision.summary;
  return decision.summary;
}

/** The record the bump writes, the same on every run of the step (a resumed bump rewrites it byte for byte). */
const bumpedRecord = (journal: Journal): GenerationRecord => ({
  generation: journal.plan.generation + 1,
  active: journal.plan.to,
  since: journal.startedAt,
  approvers: journal.approvers,
  plan: journal.code,
});

// 5. bump the generation
export async function bump(ctx: StepContext): Promise<string> {
  const { journal } = ctx;
  const record = bumpedRecord(journal);
  const json = JSON.stringify(record);
  const { ok, failed } = await onQuorum(ctx, (h) => recordGenerationScript(h.root, ctx.identity.name, json));
  const written = [...ok.keys()];
  if (written.length < needed(ctx)) {
    throw new StepFailure(
      `generation ${record.generation} written on ${written.length} of ${quorumOf(ctx.identity).length} quorum hosts, ${needed(ctx)} needed (${[...failed].map(([h, e]) => `${h}: ${e}`).join('; ')})`,
      EXIT.unreachable,
      'bring the quorum hosts back and resume: stake failover --resume',
    );
  }
  return `generation ${record.generation} (active ${record.active}) on ${written.join(', ')}${failed.size ? `; not on ${[...failed.keys()].join(', ')} (unreachable)` : ''}`;
}

// 6. activate the target
export async function activate(ctx: StepContext): Promise<string> {
  const { plan } = ctx.journal;
  return makeSigner(ctx, plan.to);
}

async function makeSigner(ctx: StepContext, name: string): Promise<string> {
  const host = hostOf(ctx, name);
  const services = ctx.services.get(name) ?? [];
  const out = await onHost(ctx, name, activateScript(host, ctx.identity.name, ctx.keys, services));
  const activated = tryResult(out, ACTIVATE_RESULT);
  if (activated instanceof Error)
    throw new StepFailure(`${name} did not confirm its signer started (${activated.message})`, EXIT.failed);
  for (const s of services) {
    await onHost(
      ctx,
      name,
      healthScript(host, { name: s.name, health: { tcp: s.port } }, ctx.healthTimeoutSeconds),
      (ctx.healthTimeoutSeconds + 30) * 1000,
    ).catch((err: Error) => {
      throw new StepFailure(
        `${name}: ${s.name} did not come up: ${err.message}`,
        EXIT.failed,
        `look at its log on the host (${s.name}), then resume`,
      );
    });
  }
  return `${name}: key in place, ${services.map((s) => s.name).join(', ')} started and answering`;
}

// 7. verify
export async function verify(ctx: StepContext): Promise<string> {
  const { plan } = ctx.journal;
  const quorum = await probeQuorum(ctx.session, ctx.loaded.resolved, ctx.identity, ctx.services);
  const old = quorum.views.find((v) => v.host === plan.from);
  if (old?.probe) {
    const leaked = ctx.keys
      .filter((k) => ['active', 'both'].includes(old.probe!.keys[k.name] ?? ''))
      .map((k) => k.name);
    const running = (ctx.services.get(plan.from) ?? [])
      .filter((s) => old.probe!.services[s.name] === 'running')
      .map((s) => s.name);
    if (leaked.length || running.length)
      throw new StepFailure(
        `${plan.from} is no longer fenced: ${[...leaked.map((k) => `${k} back in place`), ...running.map((s) => `${s} running`)].join(', ')}`,
        EXIT.refused,
        'someone or something restarted it: stop it now (the target is signing), then resume',
      );
  }
  if (!ctx.observer)
    return `${plan.to} runs its signer; signing not observed: stake has no chain observer for this inventory, check the chain yourself`;
  const after = ctx.journal.lastOldHeight ?? 0;
  const deadline = Date.now() + ctx.verifyTimeoutMs;
  while (Date.now() < deadline) {
    const reading = await readChain(ctx);
    const id = reading?.identity(ctx.identity.name);
    if (id?.lastSigner === plan.to && (id.lastHeight ?? 0) > after) {
      ctx.journal.firstNewHeight ??= id.lastHeight!;
      return `${plan.to} signed height ${id.lastHeight} (the old host's last: ${after || 'none seen'}); ${plan.from} stays fenced`;
    }
    await sleep(Math.min(500, ctx.observer.blockTimeMs));
  }
  throw new StepFailure(
    `${plan.to} has not signed for ${ctx.identity.name} within ${Math.round(ctx.verifyTimeoutMs / 1000)} s`,
    EXIT.failed,
    `look at the target's signer (its peers, its log), then resume; the generation names ${plan.to}, so do not restart the old host`,
  );
}

// 8. record
export async function record(ctx: StepContext): Promise<string> {
  const { journal, identity } = ctx;
  const { plan } = journal;
  const text = readFileSync(ctx.inventory, 'utf8');
  const next = rewriteActive(text, identity.name, plan.from, plan.to);
  if (next !== text) writeDurably(ctx.inventory, next, 0o644);
  const audit = JSON.stringify({
    time: new Date().toISOString(),
    deployment: plan.deployment,
    identity: identity.name,
    plan: journal.code,
    from: plan.from,
    to: plan.to,
    generation: plan.generation + 1,
    approvers: journal.approvers,
    approval: journal.approval,
    by: journal.by,
    oldHostDead: plan.oldHostDead,
    carried: journal.carried,
    lastOldHeight: journal.lastOldHeight,
    firstNewHeight: journal.firstNewHeight,
    steps: journal.steps.map((s) => ({ name: s.name, ms: s.ms })),
    result: 'done',
  });
  const local = join(journalDir(ctx.inventory), 'audit.ndjson');
  const before = readIfExists(local) ?? '';
  if (!before.includes(`"plan":"${journal.code}"`)) writeDurably(local, `${before}${audit}\n`, 0o644);
  // Quorum hosts the bump could not reach get the record now: every host names the new signer.
  const json = JSON.stringify(bumpedRecord(journal));
  const { failed } = await onQuorum(ctx, (h) => recordGenerationScript(h.root, identity.name, json));
  // a dead old host gets the record when it comes back (stake deploy reads the majority meanwhile)
  if (plan.oldHostDead) failed.delete(plan.from);
  if (failed.size)
    throw new StepFailure(
      `generation ${plan.generation + 1} is not yet on ${[...failed].map(([h, e]) => `${h} (${e})`).join(', ')}`,
      EXIT.unreachable,
      'bring the host back, then stake failover --resume completes the record',
    );
  let where = `${ctx.inventory} rewritten (active ${plan.to}), audit in ${local}`;
  if (identity.witness) {
    await onHost(
      ctx,
      identity.witness.name,
      auditAppendScript(identity.witness.root, identity.name, audit, journal.code),
    );
    where += ` and on ${identity.witness.name}`;
  }
  return `${where}; ${await release(ctx)}`;
}

/**
 * Undoes a failover that failed before the bump: releases nothing until the old host signs
 * again. Refuses to unfence while the target holds an active key (which cannot happen before
 * step 6, and is checked anyway).
 */
export async function rollback(ctx: StepContext): Promise<string> {
  const { journal } = ctx;
  const { plan } = journal;
  const fenced = journal.steps.some((s) => s.name === 'fence' && s.started);
  let detail = 'nothing was fenced';
  if (fenced) {
    const quorum = await probeQuorum(ctx.session, ctx.loaded.resolved, ctx.identity, ctx.services);
    const target = quorum.views.find((v) => v.host === plan.to);
    if (!target?.probe)
      throw new StepFailure(
        `cannot roll back: the target ${plan.to} must be checked first (${target?.error ?? 'not reachable'})`,
        EXIT.unreachable,
        'bring it back, then stake failover --resume finishes the rollback',
      );
    const live = quorum.views
      .map((v) => parseGenerationRecord(v.probe?.generation))
      .filter((r) => r && r.generation > plan.generation);
    if (live.length)
      throw new StepFailure(
        `cannot roll back: generation ${live[0]!.generation} is already recorded on a quorum host`,
        EXIT.refused,
        'resume forward: stake failover --resume',
      );
    const held = ctx.keys
      .filter((k) => ['active', 'both'].includes(target.probe!.keys[k.name] ?? ''))
      .map((k) => k.name);
    if (held.length)
      throw new StepFailure(
        `cannot unfence ${plan.from}: the target ${plan.to} holds ${held.join(', ')} at the client's path`,
        EXIT.refused,
        'find out how the key got there before anything signs',
      );
    if (plan.oldHostDead && !quorum.views.find((v) => v.host === plan.from)?.probe)
      detail = `${plan.from} is unreachable: it stays as it is`;
    else detail = await makeSigner(ctx, plan.from);
  }
  return `${detail}; ${await release(ctx)}`;
}

/**
 * Releases this plan's lock on every quorum host. A host that cannot be reached keeps it, and the
 * step fails: a forgotten lock would refuse every later failover, so --resume finishes the job.
 */
async function release(ctx: StepContext): Promise<string> {
  const { ok, failed } = await onQuorum(ctx, (h) => unlockScript(h.root, ctx.identity.name, ctx.journal.code));
  // only the hosts the lock step took it on can hold it
  for (const host of [...failed.keys()])
    if (ctx.journal.lockedOn && !ctx.journal.lockedOn.includes(host)) failed.delete(host);
  if (failed.size)
    throw new StepFailure(
      `the lock stays on ${[...failed].map(([h, e]) => `${h} (${e})`).join(', ')}`,
      EXIT.unreachable,
      'bring the host back, then stake failover --resume releases it',
    );
  return `lock released on ${[...ok.keys()].join(', ')}`;
}

export const STEP_RUNNERS = { lock, preflight, fence, carry, bump, activate, verify, record } as const;
