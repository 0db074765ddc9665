/**
 * `stake deploy`, the orchestration: the plan, the generation guard, then the rollout stage by
 * stage and wave by wave, each host applied over the session's connection. Everything it does
 * is reported as events; the command decides how to show them.
 */
import { OUTPUT_LIMITS } from '../ssh/host-records.js';
import { hostname, userInfo } from 'node:os';
import { gatherPlan, type PlanOptions } from '../plan/gather.js';
import { selectHosts } from '../plan/select.js';
import { hostSecrets } from '../render/host-secrets.js';
import { ensureSecrets } from './secrets.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { ResolvedIdentity, ResolvedInventory } from '../inventory/resolve.js';
import { StakeError } from '../errors.js';
import type { SshError } from '../ssh/errors.js';
import { applyHost, type HostResult, type HostStep } from './host.js';
import {
  decideGeneration,
  duplicateKeyHolders,
  firstRecord,
  laggingHosts,
  majorityOf,
  parseQuorumAnswer,
  parseSettle,
  quorumOf,
  quorumReadScript,
  settleRecordScript,
  writeRecordScript,
  type GenerationVerdict,
  type QuorumAnswer,
} from '../quorum/generation.js';
import type { Plan } from '../plan/compute.js';
import { rootShell } from '../ssh/shell.js';
import { quietGroups, rolloutStages } from './rollout.js';
import type { HostSession } from '../ssh/session.js';
import { liveActive } from '../quorum/live.js';
import { lookBackGate } from './look-back-gate.js';
import { bothGates, signerStateGate } from './signer-state-gate.js';
import { validatorKeyFiles } from '../keys/layout.js';

export interface DeployOptions extends PlanOptions {
  dryRun: boolean;
  healthTimeoutSeconds: number;
  firewallRevertSeconds: number;
}

export type DeployEvent =
  | {
      event: 'plan';
      plan: Plan;
      unreachable: { host: string; error: string; hint?: string }[];
      /** Secrets made on hosts before the plan (paths only: node keys, the engine JWT). */
      secrets: { host: string; paths: string[] }[];
    }
  | { event: 'generation'; identity: string; verdict: GenerationVerdict['kind']; generation: number; active: string }
  | { event: 'settled'; identity: string; host: string; generation: number; error?: string }
  | { event: 'stage'; stage: string; hosts: string[]; waves: string[][] }
  | { event: 'step'; host: string; step: HostStep; detail: string }
  | ({ event: 'host' } & HostResult);

export interface DeployReport {
  plan: Plan;
  results: HostResult[];
  exitCode: ExitCode;
}

/** The guard refusing: a stale checkout, an unknown live state, or a standby holding the active key. */
export class GuardRefusal extends StakeError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: EXIT.refused, hint });
    this.name = 'GuardRefusal';
  }
}

/** An SSH failure for a host's line: without its name, unless it happened on a jump host on the way. */
const reasonOf = (host: string, error: SshError) => (error.host === host ? error.detail : error.message);

const operatorName = () => `${userInfo().username}@${hostname()}`;

/** The identities a deploy of these hosts touches: any host of theirs in any role. */
function touchedIdentities(inv: ResolvedInventory, hosts: ReadonlySet<string>): ResolvedIdentity[] {
  return inv.identities.filter((id) =>
    [...quorumOf(id), ...id.upstream, ...(id.signer?.hosts ?? [])].some((h) => hosts.has(h.name)),
  );
}

/**
 * Reads every touched identity's live generation. Throws GuardRefusal (exit 4) on a stale or
 * unknowable state; returns the verdicts and the hosts that must not start a signing service.
 */
async function guard(
  inv: ResolvedInventory,
  session: HostSession,
  selected: ReadonlySet<string>,
): Promise<{
  verdicts: Map<ResolvedIdentity, GenerationVerdict>;
  keyHolders: Map<string, string>;
  lagging: Map<ResolvedIdentity, string[]>;
}> {
  const identities = touchedIdentities(inv, selected);
  const verdicts = new Map<ResolvedIdentity, GenerationVerdict>();
  const keyHolders = new Map<string, string>();
  const lagging = new Map<ResolvedIdentity, string[]>();
  // every identity's quorum read at once (the session bounds the connections); decided in order below
  const read = await Promise.all(
    identities.map((id) =>
      session.each(quorumOf(id), (conn, host) =>
        conn
          .run(rootShell(host), {
            stdin: quorumReadScript(host.root, id.name),
            timeoutMs: 30_000,
            maxOutputBytes: OUTPUT_LIMITS.probe,
          })
          .then((out) => parseQuorumAnswer(host.name, out)),
      ),
    ),
  );
  for (const [i, id] of identities.entries()) {
    const answers: QuorumAnswer[] = read[i]!.flatMap((o) => (o.ok ? [o.value] : []));
    const verdict = decideGeneration(id, answers);
    if (verdict.kind === 'stale') {
      const who = verdict.record.approvers.length
        ? verdict.record.approvers.join(' and ')
        : verdict.record.plan || 'someone';
      throw new GuardRefusal(
        `identity ${id.name} is live on ${verdict.record.active} (generation ${verdict.record.generation}, moved by ${who} at ${verdict.record.since}), but this inventory says ${verdict.inventoryActive}: the checkout is stale`,
        'pull the inventory that failover recorded (it rewrites active/standby), then deploy again; never edit active by hand to move a signer',
      );
    }
    if (verdict.kind === 'unknown') {
      throw new GuardRefusal(
        `cannot establish which host is live for identity ${id.name}: ${verdict.why}`,
        'bring the quorum hosts back (stake status shows them), or finish the failover in progress, then deploy again',
      );
    }
    const live = liveActive(verdict, id)!.host; // stale and unknown were refused above
    for (const h of duplicateKeyHolders(live, answers))
      keyHolders.set(
        h,
        `${h} holds the signing key of ${id.name}, which is live on ${live}: starting it would double sign`,
      );
    verdicts.set(id, verdict);
    const behind = laggingHosts(verdict, answers).filter((h) => selected.has(h));
    if (behind.length) lagging.set(id, behind);
  }
  return { verdicts, keyHolders, lagging };
}

/**
 * Brings the live generation record to the deployed quorum hosts that lag it (back from a
 * failover they missed), so the next failover can take one of them as its target. A lagging host
 * with a signing key still at its active path is refused instead, and left as it is.
 */
async function settleLagging(
  inv: ResolvedInventory,
  session: HostSession,
  verdicts: Map<ResolvedIdentity, GenerationVerdict>,
  lagging: Map<ResolvedIdentity, string[]>,
  emit: (e: DeployEvent) => void,
  refuse: (host: string, identity: string, keyPath: string) => void,
): Promise<void> {
  const keys = validatorKeyFiles(inv.family);
  for (const [id, hosts] of lagging) {
    const verdict = verdicts.get(id);
    if (verdict?.kind !== 'live') continue;
    const targets = quorumOf(id).filter((h) => hosts.includes(h.name));
    const outcomes = await session.each(targets, (conn, host) =>
      conn
        .run(rootShell(host), {
          stdin: settleRecordScript(host.root, id.name, verdict.record, keys),
          timeoutMs: 30_000,
          maxOutputBytes: OUTPUT_LIMITS.probe,
        })
        .then(parseSettle),
    );
    for (const o of outcomes) {
      const said = o.ok ? o.value : undefined;
      if (said?.settled === false) refuse(o.host, id.name, said.heldKey);
      else
        emit({
          event: 'settled',
          identity: id.name,
          host: o.host,
          generation: verdict.record.generation,
          ...(said?.settled ? {} : { error: o.ok ? 'an answer stake cannot read' : o.error.message }),
        });
    }
  }
}

export async function runDeploy(
  options: DeployOptions,
  session: HostSession,
  inv: ResolvedInventory,
  emit: (e: DeployEvent) => void,
): Promise<DeployReport> {
  // Before the plan, so the node ids of keys made now are learnt by it; a dry run makes nothing.
  const secrets = options.dryRun
    ? []
    : await session.each(
        selectHosts(inv, options.limit).filter((h) => hostSecrets(h).length > 0),
        ensureSecrets,
      );
  // a dry run is a plan: a node key not made yet shows as pending; a real deploy made it above
  const { plan, renders, failures } = await gatherPlan({ ...options, pendingNodeIds: options.dryRun }, session, inv);
  emit({
    event: 'plan',
    plan,
    secrets: secrets.flatMap((o) => (o.ok && o.value.created.length ? [{ host: o.host, paths: o.value.created }] : [])),
    unreachable: failures.flatMap((f) =>
      f.ok ? [] : [{ host: f.host, error: f.error.message, ...(f.error.hint ? { hint: f.error.hint } : {}) }],
    ),
  });
  const results = new Map<string, HostResult>();
  const record = (r: HostResult) => {
    results.set(r.host, r);
    emit({ event: 'host', ...r });
  };
  // Hosts not deployed: a host key refused is a guard speaking (exit 4); a host whose secrets
  // could not be made (its clients would not start) failed; anything else on the way in,
  // unreachable (5). A host that failed before the plan (its secrets) is recorded once.
  const notDeployed = (host: string, error: SshError, status: HostResult['status']) =>
    record({
      host,
      status: error.exitCode === EXIT.refused ? 'refused' : status,
      reason: reasonOf(host, error),
      ...(error.hint ? { hint: error.hint } : {}),
      restarted: [],
      written: 0,
    });
  for (const o of secrets) if (!o.ok) notDeployed(o.host, o.error, o.error.phase === 'exec' ? 'failed' : 'unreachable');
  for (const f of failures) if (!f.ok && !results.has(f.host)) notDeployed(f.host, f.error, 'unreachable');

  const planned = new Set(plan.hosts.map((h) => h.host));
  const { verdicts, keyHolders, lagging } = await guard(inv, session, planned);
  for (const [id, v] of verdicts) {
    if (v.kind === 'first') continue; // reported once recorded, below
    emit({
      event: 'generation',
      identity: id.name,
      verdict: v.kind,
      generation: v.kind === 'live' ? v.record.generation : 0,
      active: v.kind === 'live' ? v.record.active : id.active.name,
    });
  }
  const byHost = new Map(plan.hosts.map((h) => [h.host, h]));
  for (const [host, why] of keyHolders) {
    if (byHost.get(host)?.changes)
      record({
        host,
        status: 'refused',
        reason: why,
        hint: 'remove the key from this host (stake keys status shows where keys are), then deploy again',
        restarted: [],
        written: 0,
      });
  }
  if (options.dryRun) return { plan, results: [...results.values()], exitCode: exitOf([...results.values()]) };

  // The first deploy of an identity records generation 1 on its quorum hosts, before anything starts.
  const firsts = [...verdicts].filter(([, v]) => v.kind === 'first').map(([id]) => id);
  const records = firsts.map((id) => firstRecord(id, operatorName(), new Date()));
  const writes = await Promise.all(
    firsts.map((id, i) =>
      session.each(quorumOf(id), (conn, host) =>
        conn.run(rootShell(host), { stdin: writeRecordScript(host.root, id.name, records[i]!), timeoutMs: 30_000 }),
      ),
    ),
  );
  for (const [i, id] of firsts.entries()) {
    emit({ event: 'generation', identity: id.name, verdict: 'first', generation: 1, active: records[i]!.active });
    if (writes[i]!.filter((w) => w.ok).length < majorityOf(quorumOf(id).length)) {
      throw new GuardRefusal(
        `could not record generation 1 of ${id.name} on a majority of its quorum hosts`,
        'check the quorum hosts, then deploy again',
      );
    }
  }

  // a host already refused (it holds the live key) is not settled either
  for (const [id, hosts] of lagging)
    lagging.set(
      id,
      hosts.filter((h) => !results.has(h)),
    );
  await settleLagging(inv, session, verdicts, lagging, emit, (host, identity, path) =>
    record({
      host,
      status: 'refused',
      reason: `${host} missed a failover of ${identity} (its generation record is behind the live one) and still holds ${path}: started, it would sign beside the live host`,
      hint: `fence it by hand: move the key into /var/lib/stake/sealed/${identity}/ (docs/failover.md, when the old host is dead), then deploy again`,
      restarted: [],
      written: 0,
    }),
  );

  const todo = plan.hosts.filter((h) => h.changes > 0 && !results.has(h.host));
  for (const h of plan.hosts)
    if (h.changes === 0 && !results.has(h.host))
      record({ host: h.host, status: 'unchanged', restarted: [], written: 0 });
  const restarting = new Set(todo.filter((h) => h.disrupts).map((h) => h.host));
  const stages = rolloutStages(
    inv,
    todo.map((h) => h.host),
    restarting,
  );
  let stopped: string | undefined;
  const onStep = (hostName: string, step: HostStep, detail: string) =>
    emit({ event: 'step', host: hostName, step, detail });
  const startGate = bothGates(
    lookBackGate(inv, session, verdicts, (h, text) => onStep(h, 'restart', text)),
    signerStateGate(inv, session, verdicts),
  );
  const apply = async (names: string[]) => {
    const outcomes = await session.each(
      names.map((n) => inv.host(n)),
      (conn, host) =>
        applyHost(conn, host, renders.get(host.name)!, byHost.get(host.name)!, {
          healthTimeoutSeconds: options.healthTimeoutSeconds,
          firewallRevertSeconds: options.firewallRevertSeconds,
          freshConnection: (h) => session.fresh(h, Math.min(15_000, (options.firewallRevertSeconds * 1000) / 2)),
          onStep,
          ...(startGate ? { startGate } : {}),
        }),
    );
    for (const o of outcomes)
      record(
        o.ok
          ? o.value
          : {
              host: o.host,
              status: 'failed',
              reason: reasonOf(o.host, o.error),
              ...(o.error.hint ? { hint: o.error.hint } : {}),
              restarted: [],
              written: 0,
            },
      );
    return outcomes.every((o) => o.ok && (o.value.status === 'deployed' || o.value.status === 'unchanged'));
  };
  for (const stage of stages) {
    const members = [...stage.quiet, ...stage.waves.flat()];
    if (stopped) {
      for (const h of members)
        record({ host: h, status: 'skipped', reason: `not started: ${stopped}`, restarted: [], written: 0 });
      continue;
    }
    emit({ event: 'stage', stage: stage.name, hosts: members, waves: stage.waves });
    for (const group of quietGroups(inv, stage.quiet)) {
      if (stopped) {
        for (const h of group)
          record({ host: h, status: 'skipped', reason: `not started: ${stopped}`, restarted: [], written: 0 });
      } else if (!(await apply(group))) {
        stopped = `the rollout of ${stage.name} stopped after a failure`;
      }
    }
    for (const wave of stage.waves) {
      if (stopped) {
        for (const h of wave)
          record({ host: h, status: 'skipped', reason: `not started: ${stopped}`, restarted: [], written: 0 });
      } else if (!(await apply(wave))) {
        stopped = `the rollout of ${stage.name} stopped after a failure`;
      }
    }
  }
  const all = [...results.values()];
  return { plan, results: all, exitCode: exitOf(all) };
}

/** A refusal by a guard is 4; a failed or rolled-back host 1; hosts only unreachable 5. */
export function exitOf(results: readonly HostResult[]): ExitCode {
  if (results.some((r) => r.status === 'refused')) return EXIT.refused;
  if (results.some((r) => r.status === 'failed' || r.status === 'rolled-back')) return EXIT.failed;
  if (results.some((r) => r.status === 'unreachable')) return EXIT.unreachable;
  return EXIT.ok;
}
