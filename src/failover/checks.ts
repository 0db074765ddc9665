/**
 * The preflight: what must hold before a failover may start (and again right after it took the
 * lock). Pure: it judges what the quorum hosts and the chain said; ./live.ts asks them.
 * A check that fails with `refuses` stops the failover (exit 4) before anything is touched.
 */
import { decideGeneration, parseGenerationRecord, type GenerationVerdict } from '../quorum/generation.js';
import type { ResolvedIdentity } from '../inventory/resolve.js';
import type { KeyFile } from '../keys/layout.js';
import { decideCarry, stateFiles } from './protection.js';
import type { ChainReading, TargetHead } from './observer.js';
import { maxBehindAt, syncedVerdict } from './observer.js';
import type { FailoverPlan } from './plan.js';
import type { Probe, SigningService } from './scripts.js';
import { printable } from '../output/untrusted.js';
import { foreignLock } from './lock.js';

/** What one quorum host answered, or why it did not. */
export interface HostView {
  host: string;
  probe?: Probe;
  error?: string;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A failed check that refuses the failover; otherwise it is a warning. */
  refuses: boolean;
  /** What to do about it, for a failed check. */
  hint?: string;
}

export function liveVerdict(identity: ResolvedIdentity, views: readonly HostView[]): GenerationVerdict {
  return decideGeneration(
    identity,
    views.filter((v) => v.probe).map((v) => ({ host: v.host, record: parseGenerationRecord(v.probe!.generation) })),
  );
}

export interface PreflightInput {
  plan: FailoverPlan;
  identity: ResolvedIdentity;
  views: readonly HostView[];
  keys: readonly KeyFile[];
  services: readonly SigningService[];
  /** Our own plan code: its lock is ours (a resumed failover). */
  ownCode?: string;
  /** The chain's reading, its pace (ms per height), and the target's own head as its client gives it. */
  chain?: { reading: ChainReading; what: string; target: TargetHead; blockTimeMs: number };
  now: Date;
  signerGroup?: { client: string; hosts: number; threshold: number };
}

export function preflightChecks(input: PreflightInput): Check[] {
  const { plan, identity, views } = input;
  const view = (name: string) => views.find((v) => v.host === name);
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string, hint?: string, refuses = true) =>
    checks.push({ name, ok, detail, refuses, ...(ok || !hint ? {} : { hint }) });

  const verdict = liveVerdict(identity, views);
  if (verdict.kind === 'stale') {
    add(
      'inventory current',
      false,
      `this inventory says ${identity.active.name} is active, but the quorum says ${verdict.record.active} (generation ${verdict.record.generation}, ${verdict.record.since})`,
      'pull the inventory that the last failover recorded, then plan again',
    );
  }
  if (verdict.kind === 'live' || verdict.kind === 'stale') {
    add(
      'live generation',
      verdict.record.generation === plan.generation && verdict.record.active === plan.from,
      `generation ${verdict.record.generation}, active ${verdict.record.active} (held by ${verdict.holders.join(', ')})`,
      'the plan is older than the live state: someone failed over since; plan again',
    );
  } else {
    add(
      'live generation',
      false,
      verdict.kind === 'first'
        ? `${identity.name} was never deployed (no generation record on its quorum hosts)`
        : verdict.why,
      verdict.kind === 'first'
        ? 'deploy it first: stake deploy'
        : 'bring the quorum hosts back, or finish the failover in progress (stake failover --resume)',
    );
  }

  const locks = views.map((v) => ({ host: v.host, lock: foreignLock(v, input.ownCode) })).filter((l) => l.lock);
  add(
    'lock',
    locks.length === 0,
    locks.length
      ? `held on ${locks.map((l) => l.host).join(', ')} by plan ${printable(String(locks[0]!.lock!.plan ?? '?'))} of ${printable(String(locks[0]!.lock!.by ?? 'someone'))} since ${printable(String(locks[0]!.lock!.since ?? '?'))}`
      : 'free',
    'another failover is running or was interrupted: finish it with stake failover --resume where it ran, or break the lock with two approvals',
  );

  const target = view(plan.to);
  if (!target?.probe) {
    add(
      'target reachable',
      false,
      `${plan.to}: ${target?.error ?? 'not asked'}`,
      'bring the target back, or choose another standby',
    );
  } else {
    add('target reachable', true, `${plan.to} answered over SSH`);
    const held = Object.entries(target.probe.keys)
      .filter(([, s]) => s === 'active' || s === 'both')
      .map(([k]) => k);
    add(
      'target holds no active key',
      held.length === 0,
      held.length ? `${plan.to} already holds ${held.join(', ')} at the client's path` : "no key at the client's path",
      'a standby must hold its key sealed only: find out how it got there before anything else (stake keys status)',
    );
    const missing = input.keys
      .filter((k) => !['sealed', 'both', 'other'].includes(target.probe!.keys[k.name] ?? 'missing'))
      .map((k) => k.name);
    add(
      'target holds the sealed key',
      missing.length === 0,
      missing.length
        ? `${plan.to} has no sealed ${missing.join(', ')}`
        : `sealed ${input.keys.map((k) => k.name).join(', ')}`,
      `push the key first: stake keys push ${identity.name} --dir EXPORT`,
    );
    const down = input.services.filter(
      (s) => target.probe!.services[s.name] !== 'running' || !target.probe!.listening[s.port],
    );
    add(
      'target client healthy',
      down.length === 0,
      down.length
        ? down
            .map(
              (s) =>
                `${s.name} ${target.probe!.services[s.name] ?? 'unknown'}${target.probe!.listening[s.port] ? '' : `, nothing on port ${s.port}`}`,
            )
            .join('; ')
        : input.services.map((s) => `${s.name} running, answering on ${s.port}`).join('; '),
      'deploy the target (stake deploy --limit HOST) and let it sync',
    );
    const record = parseGenerationRecord(target.probe.generation);
    if (record && record.active !== plan.from)
      add(
        'target agrees',
        false,
        `${plan.to} says ${record.active} is active (generation ${record.generation})`,
        'the quorum disagrees: run stake status and settle it before failing over',
      );
  }
  if (input.chain) {
    const synced = syncedVerdict(input.chain.reading.head, input.chain.target, maxBehindAt(input.chain.blockTimeMs));
    add(
      'target synced',
      synced.ok,
      `${plan.to}: ${synced.detail} (${input.chain.what})`,
      'wait until the target follows the chain',
    );
  } else {
    add('target synced', false, 'not checked: stake has no chain observer for this inventory yet', undefined, false);
  }

  const old = view(plan.from);
  if (old?.probe) {
    const active = input.keys
      .filter((k) => ['active', 'both'].includes(old.probe!.keys[k.name] ?? ''))
      .map((k) => k.name);
    add(
      'old host reachable',
      true,
      `${plan.from} answered; it holds ${active.length ? active.join(', ') : 'no active key'}`,
    );
  } else if (plan.oldHostDead) {
    add(
      'old host reachable',
      true,
      `${plan.from} is not reachable (${old?.error ?? 'not asked'}); approved as dead: the chain must show ${plan.safetyWindow} heights without its signature first`,
    );
    if (!input.chain)
      add(
        'old host silent',
        false,
        'a dead host is only fenced once the chain shows it silent, and stake cannot watch this chain yet',
        'fence it by other means (power it off at the provider), then plan without --old-host-dead once it is reachable, or restore it',
      );
  } else {
    add(
      'old host reachable',
      false,
      `${plan.from}: ${old?.error ?? 'not asked'}`,
      `fencing needs the old host; if it is truly gone, plan again with --old-host-dead (the target then waits until the chain shows it silent)`,
    );
  }

  if (identity.witness) {
    const w = view(identity.witness.name);
    const record = parseGenerationRecord(w?.probe?.generation);
    if (!w?.probe)
      add(
        'witness agrees',
        true,
        `${identity.witness.name} not reachable (${w?.error ?? 'not asked'}); the majority decides without it`,
        undefined,
        false,
      );
    else
      add(
        'witness agrees',
        record?.active === plan.from,
        record
          ? `${identity.witness.name} says ${record.active} is active (generation ${record.generation})`
          : `${identity.witness.name} holds no generation record`,
        'the witness disagrees about the active host: run stake status and settle it before failing over',
      );
  }

  if (plan.family !== 'cosmos') {
    const oldFiles = old?.probe?.files ?? {};
    const carry = decideCarry({
      family: plan.family,
      identity: identity.name,
      old: activeAsSealed(oldFiles, plan, identity.name),
      target: target?.probe?.files ?? {},
      oldHostDead: plan.oldHostDead,
      ...(input.signerGroup ? { signerGroup: input.signerGroup } : {}),
    });
    add('slashing protection', carry.ok, carry.ok ? carry.summary : carry.why, carry.ok ? undefined : carry.hint);
  }
  return checks;
}

/** Before fencing the old host holds its certificate at the client's path; the carry decision reads it where fencing will put it. */
function activeAsSealed(files: Record<string, string>, plan: FailoverPlan, identity: string): Record<string, string> {
  const [sealed] = stateFiles(plan.family, identity, 'old');
  const active = Object.keys(files).find((p) => p.endsWith('/node.cert') && !p.includes('/sealed/'));
  return sealed && active && files[sealed] === undefined ? { ...files, [sealed]: files[active]! } : files;
}

export const refusals = (checks: readonly Check[]) => checks.filter((c) => !c.ok && c.refuses);
