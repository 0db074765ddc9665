/** Steps 1 to 3: take the lock, check again under it, fence the old host (or wait until the chain shows it silent). */

import { quorumOf } from '../../quorum/generation.js';
import { tryResult } from '../../ssh/script-result.js';
import { EXIT } from '../../exit-codes.js';
import { preflightChecks, refusals, type Check } from '../checks.js';
import { judgeLock } from '../lock.js';
import { probeQuorum, type Quorum } from '../live.js';
import { FENCE_RESULT, fenceScript } from '../scripts.js';
import { LOCK_RESULT, lockScript, unlockScript } from '../quorum-scripts.js';
import { CHAIN_POLL_MS } from '../../observe/limits.js';
import { hostOf, needed, onHost, onQuorum, readChain, sleep, StepFailure, type StepContext } from '../context.js';
import { printable } from '../../output/untrusted.js';
import type { ChainReading, TargetHead } from '../observer.js';
import { handoverSlots, safeWindowVerdict, USUAL_SLOT_MS } from '../safe-window.js';

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
  const answers = [...ok].map(([host, out]) => {
    const r = tryResult(out, LOCK_RESULT);
    return r instanceof Error ? { host } : { host, taken: r.taken, holder: r.holder };
  });
  const outcome = judgeLock(answers, needed(ctx));
  if (outcome.kind !== 'taken') {
    await onQuorum(ctx, (h) => unlockScript(h.root, ctx.identity.name, journal.code));
    if (outcome.kind === 'held') {
      const { holder } = outcome;
      throw new StepFailure(
        `the lock of ${ctx.identity.name} is held on ${outcome.hosts.join(', ')} by plan ${printable(String(holder.plan ?? '?'))} of ${printable(String(holder.by ?? 'someone'))} since ${printable(String(holder.since ?? '?'))}`,
        EXIT.refused,
        'another failover is running or was interrupted: finish it with stake failover --resume where it ran',
      );
    }
    throw new StepFailure(
      `took the lock on ${outcome.taken.length} of ${quorumOf(ctx.identity).length} quorum hosts, ${needed(ctx)} needed (${[...failed].map(([h, e]) => `${h}: ${e}`).join('; ')})`,
      EXIT.unreachable,
      'bring the quorum hosts back, then plan again',
    );
  }
  journal.lockedOn = outcome.on;
  return `held on ${outcome.on.join(', ')}`;
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

/**
 * The preflight's verdicts on the live state: probed now, or the probe (and the chain reading)
 * the caller just made.
 */
export async function currentChecks(
  ctx: StepContext,
  ownCode: string | undefined = ctx.journal.code,
  probed?: Quorum,
  read?: { reading: ChainReading | undefined },
): Promise<Check[]> {
  const quorum = probed ?? (await probeQuorum(ctx.session, ctx.loaded.resolved, ctx.identity, ctx.services));
  // the chain first, then the target: a target read later can only look less behind, never more
  const reading = read ? read.reading : await readChain(ctx);
  const target = await targetHead(ctx);
  const signer = ctx.identity.signer;
  return preflightChecks({
    plan: ctx.journal.plan,
    identity: ctx.identity,
    views: quorum.views,
    keys: ctx.keys,
    services: ctx.services.get(ctx.journal.plan.to) ?? [],
    ...(ownCode ? { ownCode } : {}),
    ...(reading && ctx.observer && target
      ? { chain: { reading, what: ctx.observer.what, target, blockTimeMs: ctx.observer.blockTimeMs } }
      : {}),
    now: new Date(),
    ...(signer
      ? { signerGroup: { client: signer.client, hosts: signer.hosts.length, threshold: signer.threshold } }
      : {}),
  });
}

/** The target's head, from its own client's API (undefined without an observer). */
async function targetHead(ctx: StepContext): Promise<TargetHead | undefined> {
  if (!ctx.observer) return undefined;
  try {
    return await ctx.observer.headOf(ctx.loaded.resolved.host(ctx.journal.plan.to));
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** --at-safe-window: until no proposal of the identity falls in the handover, within the plan's validity. */
async function waitForSafeWindow(ctx: StepContext): Promise<string> {
  const { plan } = ctx.journal;
  const observer = ctx.observer;
  if (!observer?.proposals)
    throw new StepFailure(
      `--at-safe-window: stake cannot read ${plan.identity}'s proposal duties on this chain`,
      EXIT.refused,
      'plan again without --at-safe-window, or on an ethereum inventory with validator_indices',
    );
  const until = Date.parse(ctx.journal.expires) || Date.now();
  let said = '';
  for (;;) {
    const p = await observer.proposals(plan.identity).catch(() => undefined);
    if (!p)
      throw new StepFailure(
        `--at-safe-window: the beacon nodes did not give ${plan.identity}'s proposal duties`,
        EXIT.refused,
      );
    const verdict = safeWindowVerdict({ headSlot: p.headSlot, duties: p.duties, slots: handoverSlots(p.slotMs) });
    if (verdict.safe) return verdict.detail;
    if (verdict.detail !== said) ctx.note((said = verdict.detail));
    if (Date.now() >= until)
      throw new StepFailure(
        `--at-safe-window: no window without a proposal of ${plan.identity} before the plan expired (${ctx.journal.expires})`,
        EXIT.refused,
        'plan again, with a longer --valid-for if the proposals are close together',
      );
    await sleep(Math.max(100, Math.floor((p.slotMs ?? USUAL_SLOT_MS) / 2))); // poll interval: half a slot
  }
}

// 3. fence
export async function fence(ctx: StepContext): Promise<string> {
  const { plan } = ctx.journal;
  const window = plan.atSafeWindow ? `${await waitForSafeWindow(ctx)}; ` : '';
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
  noteDoubleSigns(ctx, reading);
  return `${window}${plan.from}: signer stopped and disabled, key sealed, nothing listening${last !== undefined ? `; last signature at height ${last}` : ''}`;
}

/** The double signs already on the chain when the old host went quiet: verify judges only new ones. */
function noteDoubleSigns(ctx: StepContext, reading: ChainReading | undefined): void {
  const seen = reading?.identity(ctx.identity.name)?.equivocations.length;
  if (seen !== undefined) ctx.journal.doubleSignsBefore ??= seen;
}

/**
 * A dead old host counts as fenced once the chain shows the identity silent for the safety window.
 * A signature at a height above the chain's head when the wait began was made after the old host
 * stopped answering: it is alive and cut off, and the failover is refused at once. Waiting on for
 * another silent stretch would be wrong where signatures are sparse: a Cardano pool forges only
 * in its leader slots, so a live one is often silent for a few slots.
 */
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
  let headAtStart: number | undefined;
  while (Date.now() < deadline) {
    const reading = await readChain(ctx);
    if (reading) {
      const last = reading.identity(ctx.identity.name)?.lastHeight ?? 0;
      headAtStart ??= reading.head;
      if (last > headAtStart)
        throw new StepFailure(
          `${ctx.observer.what} shows ${ctx.identity.name} signing at height ${last}, after ${plan.from} stopped answering (the chain was at ${headAtStart}): it is not dead, it is cut off from you`,
          EXIT.refused,
          'do not activate anything: reach the old host (console, provider) and stop it, then resume',
        );
      const silent = reading.head - last;
      if (silent >= plan.safetyWindow) {
        ctx.journal.lastOldHeight = last;
        noteDoubleSigns(ctx, reading);
        return `${plan.from} unreachable; the chain shows no signature from ${ctx.identity.name} for ${silent} heights (since ${last}; window ${plan.safetyWindow})`;
      }
      const line = `waiting for ${plan.safetyWindow} silent heights: ${silent} so far (last signature at ${last})`;
      if (line !== said) ctx.note((said = line));
    }
    await sleep(Math.max(CHAIN_POLL_MS, ctx.observer.blockTimeMs)); // the chain changes once a height
  }
  throw new StepFailure(
    `${ctx.observer.what} still shows signatures from ${ctx.identity.name} while ${plan.from} is unreachable: it is not dead, it is cut off from you`,
    EXIT.refused,
    'do not activate anything: reach the old host (console, provider) and stop it, then resume',
  );
}
