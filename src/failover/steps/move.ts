/** Steps 4 to 7: carry the slashing protection, bump the generation, activate the target, verify it signs. */

import { quorumOf, type GenerationRecord } from '../../quorum/generation.js';
import { healthScript } from '../../apply/scripts.js';
import { tryResult } from '../../ssh/script-result.js';
import { EXIT } from '../../exit-codes.js';
import { type HostView } from '../checks.js';
import { type Journal } from '../journal.js';
import { probeQuorum } from '../live.js';
import { decideCarry } from '../protection.js';
import { neverLowerWriteLines, WOULD_LOWER } from '../floor-script.js';
import { ACTIVATE_RESULT, activateScript, keysLoadedScript, LOADED_RESULT } from '../scripts.js';
import { recordGenerationScript } from '../quorum-scripts.js';
import { hostOf, needed, onHost, onQuorum, readChain, sleep, StepFailure, type StepContext } from '../context.js';
import { braceGroup } from '../../ssh/shell.js';
import { waitForLookBack } from '../../observe/look-back.js';
import { CHAIN_POLL_MS } from '../../observe/limits.js';

// 4. carry slashing protection
export async function carry(ctx: StepContext): Promise<string> {
  const { plan } = ctx.journal;
  const quorum = await probeQuorum(ctx.session, ctx.loaded.resolved, ctx.identity, ctx.services);
  const view = (name: string): HostView | undefined => quorum.views.find((v) => v.host === name);
  const target = view(plan.to);
  if (!target?.probe) throw new StepFailure(`${plan.to}: ${target?.error ?? 'not reachable'}`, EXIT.unreachable);
  const old = view(plan.from);
  const witness = ctx.identity.witness ? view(ctx.identity.witness.name) : undefined;
  if (!old?.probe && !plan.oldHostDead)
    throw new StepFailure(`${plan.from}: ${old?.error ?? 'not reachable'}`, EXIT.unreachable);
  const reading = await readChain(ctx);
  const signedNow = reading?.identity(ctx.identity.name)?.lastHeight;
  // the highest signature the chain showed: at the fence (journalled, so a resumed run keeps it) or now
  const chainSigned = Math.max(ctx.journal.lastOldHeight ?? 0, signedNow ?? 0);
  const signer = ctx.identity.signer;
  const decision = decideCarry({
    family: plan.family,
    identity: ctx.identity.name,
    old: old?.probe?.files ?? {},
    target: target.probe.files,
    witness: witness?.probe?.files ?? {},
    hosts: { old: plan.from, target: plan.to, ...(ctx.identity.witness ? { witness: ctx.identity.witness.name } : {}) },
    oldHostDead: plan.oldHostDead && !old?.probe,
    ...(reading ? { chainHead: reading.head } : {}),
    ...(chainSigned > 0 ? { chainSigned } : {}),
    ...(ctx.journal.carriedFloor ? { journal: ctx.journal.carriedFloor } : {}),
    ...(signer
      ? { signerGroup: { client: signer.client, hosts: signer.hosts.length, threshold: signer.threshold } }
      : {}),
  });
  if (!decision.ok) throw new StepFailure(decision.why, EXIT.refused, decision.hint);
  if (decision.floor) {
    // remembered before anything is written: a run killed between the two writes resumes from at least this
    ctx.journal.carriedFloor = decision.floor;
    ctx.checkpoint?.();
  }
  const to = hostOf(ctx, plan.to);
  if (decision.writes.length) {
    // on a host of its own (root /) the carried state is the signing client's, which advances it
    const user = to.root === '/' ? ctx.services.get(plan.to)?.[0]?.user : undefined;
    const owner = user ? `${user}:${user}` : undefined;
    const lines = decision.writes.flatMap((w) =>
      neverLowerWriteLines(plan.family, to.root, w.path, w.content, w.mode, owner),
    );
    await onHost(ctx, plan.to, braceGroup(['set -eu', ...lines])).catch((err: Error) => {
      if (!err.message.includes(WOULD_LOWER)) throw err;
      throw new StepFailure(
        `${plan.to} now holds a higher signing state than the one read a moment ago: nothing was lowered, and it is not activated`,
        EXIT.refused,
        'something on the target signs or writes the state: find out what, then plan again',
      );
    });
  }
  if (ctx.identity.witness && witness?.probe && decision.witnessCopy.length) {
    const w = hostOf(ctx, ctx.identity.witness.name);
    const lines = decision.witnessCopy.flatMap((c) =>
      neverLowerWriteLines(plan.family, w.root, c.path, c.content, '0600'),
    );
    await onHost(ctx, w.name, braceGroup(['set -eu', ...lines])).catch(() =>
      ctx.note(`the witness ${w.name} did not take the copy of the signing state; the failover goes on without it`),
    );
  }
  ctx.journal.carried = decision.summary;
  return decision.summary;
}

/** The record the bump writes, the same on every run of the step (a resumed bump rewrites it byte for byte). */
export const bumpedRecord = (journal: Journal): GenerationRecord => ({
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

export async function makeSigner(ctx: StepContext, name: string): Promise<string> {
  const host = hostOf(ctx, name);
  const services = ctx.services.get(name) ?? [];
  // a CometBFT validator started within its look-back of the key's last signature panics; one
  // that has run with its keys since before (an old host never fenced) is not started again
  const loaded =
    ctx.journal.plan.family === 'cosmos' && ctx.observer
      ? tryResult(await onHost(ctx, name, keysLoadedScript(host, ctx.identity.name, ctx.keys, services)), LOADED_RESULT)
      : undefined;
  const waited =
    ctx.observer && loaded !== undefined && (loaded instanceof Error || !loaded.loaded)
      ? await waitForLookBack({
          observer: ctx.observer,
          identity: ctx.identity.name,
          ...(ctx.journal.lastOldHeight !== undefined ? { lastKnown: ctx.journal.lastOldHeight } : {}),
          note: (t) => ctx.note(t),
          sleep,
        })
      : undefined;
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
  return `${waited ? `${waited}; ` : ''}${name}: key in place, ${services.map((s) => s.name).join(', ')} started and answering`;
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
    const doubled = id?.equivocations.slice(ctx.journal.doubleSignsBefore ?? 0) ?? [];
    if (doubled.length > 0) {
      const d = doubled[0]!;
      throw new StepFailure(
        `the chain shows ${ctx.identity.name} signed twice since the failover began: height ${d.height}${d.round ? ` round ${d.round}` : ''} (${d.what}, seen by ${d.sources.join(', ')})${doubled.length > 1 ? ` and ${doubled.length - 1} more` : ''}`,
        EXIT.failed,
        `stop the signer on ${plan.to} now and keep its state file and logs: it signed below what ${plan.from} had signed, so the carried watermark was lower than the chain's`,
      );
    }
    // The chain names the key, not the host: a new height signed after the fence, with the old
    // host proven fenced above, is the target's signature.
    if (id?.lastHeight !== undefined && id.lastHeight > after) {
      ctx.journal.firstNewHeight ??= id.lastHeight;
      return `${ctx.identity.name} signed height ${id.lastHeight} on ${ctx.observer.what} (the last before the fence: ${after || 'none seen'}); ${plan.from} stays fenced, so the signer is ${plan.to}`;
    }
    await sleep(CHAIN_POLL_MS);
  }
  throw new StepFailure(
    `${plan.to} has not signed for ${ctx.identity.name} within ${Math.round(ctx.verifyTimeoutMs / 1000)} s`,
    EXIT.failed,
    `look at the target's signer (its peers, its log), then resume; the generation names ${plan.to}, so do not restart the old host`,
  );
}
