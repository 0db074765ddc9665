/** Step 8 (record the move in the inventory, the audit log and the quorum) and the rollback before the bump. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { posix } from 'node:path';
import { parseSignState } from '../../chain/cometbft-sign-state.js';
import { COMETBFT_SIGN_STATE, witnessStateDir } from '../../keys/layout.js';
import { parseGenerationRecord } from '../../quorum/generation.js';
import { EXIT } from '../../exit-codes.js';
import { readIfExists, writeDurably } from '../../files.js';
import { rewriteActive } from '../inventory-rewrite.js';
import { journalDir } from '../journal.js';
import { probeQuorum } from '../live.js';
import { unreleased } from '../lock.js';
import { auditAppendScript, recordGenerationScript, unlockScript } from '../quorum-scripts.js';
import { bumpedRecord, makeSigner } from './move.js';
import { onHost, onQuorum, StepFailure, type StepContext } from '../context.js';

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
    const old = quorum.views.find((v) => v.host === plan.from);
    if (plan.oldHostDead && !old?.probe) detail = `${plan.from} is unreachable: it stays as it is`;
    else {
      if (old?.probe) refuseUnreadableState(ctx, old.probe.files);
      detail = await makeSigner(ctx, plan.from);
    }
  }
  return `${detail}; ${await release(ctx)}`;
}

/**
 * A CometBFT signer whose priv_validator_state.json is missing or unreadable is not started again:
 * CometBFT itself refuses to start so (privval/file.go loadFilePV exits), and a fresh state would
 * sign the heights it signed before. The old host stays fenced until the file is restored.
 */
function refuseUnreadableState(ctx: StepContext, files: Record<string, string>): void {
  if (ctx.loaded.resolved.family !== 'cosmos') return;
  const { plan } = ctx.journal;
  const text = files[COMETBFT_SIGN_STATE];
  let why: string | undefined = text === undefined ? 'missing' : undefined;
  if (text !== undefined) {
    try {
      parseSignState(text);
    } catch (err) {
      why = `unreadable (${(err as Error).message})`;
    }
  }
  if (!why) return;
  const copy = ctx.identity.witness
    ? ` (the witness copy is ${posix.join(witnessStateDir(ctx.identity.name), 'priv_validator_state.json')} on ${ctx.identity.witness.name})`
    : '';
  throw new StepFailure(
    `cannot unfence ${plan.from}: its ${COMETBFT_SIGN_STATE} is ${why}; CometBFT does not start so, and a fresh state would sign its last heights again`,
    EXIT.refused,
    `${plan.from} stays fenced: restore the file from the last state you trust${copy}, then stake failover --resume finishes the rollback`,
  );
}

/**
 * Releases this plan's lock on every quorum host. A host that cannot be reached keeps it, and the
 * step fails: a forgotten lock would refuse every later failover, so --resume finishes the job.
 */
async function release(ctx: StepContext): Promise<string> {
  const { ok, failed } = await onQuorum(ctx, (h) => unlockScript(h.root, ctx.identity.name, ctx.journal.code));
  const left = unreleased(failed, ctx.journal.lockedOn);
  if (left.length)
    throw new StepFailure(
      `the lock stays on ${left.map(([h, e]) => `${h} (${e})`).join(', ')}`,
      EXIT.unreachable,
      'bring the host back, then stake failover --resume releases it',
    );
  return `lock released on ${[...ok.keys()].join(', ')}`;
}
