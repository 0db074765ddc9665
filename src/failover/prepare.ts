/**
 * Everything a failover decides before it touches anything: which identity moves where, the
 * live state of its quorum (probed once), the plan built from that state, and the preflight's
 * verdicts on it. The plan command, approve, confirm and the drill all start here.
 */
import { join, resolve } from 'node:path';
import { StakeError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { LoadedInventory } from '../inventory/load.js';
import { identityNamed } from '../inventory/lookup.js';
import type { ResolvedIdentity } from '../inventory/resolve.js';
import { validatorKeyFiles } from '../keys/layout.js';
import { liveActive } from '../quorum/live.js';
import type { HostSession } from '../ssh/session.js';
import { liveVerdict, type Check } from './checks.js';
import type { StepHook } from './hooks.js';
import { journalDir, type Journal } from './journal.js';
import { expectedCost, pastFailovers, type ExpectedCost } from './cost.js';
import { readIfExists } from '../files.js';
import { probeQuorum, signingServices, type RenderedService } from './live.js';
import type { ChainObserver } from './observer.js';
import { quorumOf } from '../quorum/generation.js';
import { knownHostFingerprints } from '../ssh/targets.js';
import { connectionLines } from './connections.js';
import { DEFAULT_VALIDITY_MS, maxValidityMs, showDuration, type FailoverPlan } from './plan.js';
import { operatorName, readChain, type StepContext } from './context.js';
import { currentChecks } from './steps/guard.js';

/** What an operator asks for: move `identity` to `to`, with these bounds. */
export interface FailoverRequest {
  inventory: string;
  identity: string;
  to: string;
  oldHostDead: boolean;
  safetyWindow: number;
  /** Fence only in a window without a proposal duty (ethereum). */
  atSafeWindow?: boolean;
  validForMs: number;
  verifyTimeoutMs: number;
  healthTimeoutSeconds: number;
}

export { DEFAULT_SAFETY_WINDOW } from '../defaults.js';

/** How the steps reach the world: the hosts, the chain, and the test seam. */
export interface FailoverWorld {
  loaded: LoadedInventory;
  session: HostSession;
  observer: ChainObserver | undefined;
  hook?: StepHook | undefined;
}

export const refused = (message: string, hint: string) => new StakeError(message, { exitCode: EXIT.refused, hint });

/** The identity to move, checked against the target host and the two-person rule. */
export function identityForMove(loaded: LoadedInventory, name: string, to: string): ResolvedIdentity {
  const id = identityNamed(loaded.resolved, name, loaded.file);
  if (!loaded.resolved.hosts.some((h) => h.name === to))
    throw new UsageError(`--to ${to}: no such host in ${loaded.file}`);
  if (![id.active, ...id.standby].some((h) => h.name === to))
    throw new UsageError(
      `--to ${to}: not a validator host of ${name} (its hosts: ${[id.active, ...id.standby].map((h) => h.name).join(', ')})`,
      'a failover moves an identity to one of its standbys',
    );
  if (Object.keys(loaded.resolved.operators).length < 2)
    throw refused(
      `${loaded.file} lists fewer than two operators: a failover needs two people`,
      'add operators with their public keys (see docs/failover.md)',
    );
  return id;
}

/**
 * How long a plan made now stays valid: what was asked, within the inventory's bound. The
 * default shrinks to a lower bound; an explicit --valid-for above it is a usage error (exit 2).
 */
export function validityFor(loaded: LoadedInventory, asked: number): number {
  const max = maxValidityMs(loaded.resolved.policy);
  if (asked <= max) return asked;
  if (asked === DEFAULT_VALIDITY_MS) return max;
  throw new UsageError(
    `--valid-for ${showDuration(asked)}: a failover plan or approval may be valid for at most ${showDuration(max)}`,
    loaded.resolved.policy.max_approval_validity
      ? `the inventory's policy.max_approval_validity is ${loaded.resolved.policy.max_approval_validity}`
      : 'stake allows at most 24h; an inventory may lower it with policy: { max_approval_validity: 4h }',
  );
}

/** How stake reaches each host of the identity's quorum (and the live host, if the file disagrees), as the approval binds it. */
export function connectionsOf(
  loaded: LoadedInventory,
  identity: ResolvedIdentity,
  inventory: string,
  from: string,
): string[] {
  const hosts = [...quorumOf(identity), loaded.resolved.host(from)];
  return connectionLines(loaded.resolved, hosts, (h) => knownHostFingerprints(h, inventory));
}

/** What the steps act with, for a new failover or a resumed one. */
export function stepContext(
  inventory: string,
  world: FailoverWorld,
  identity: ResolvedIdentity,
  journal: Journal,
  timeouts: { verifyTimeoutMs: number; healthTimeoutSeconds: number },
  services: Map<string, RenderedService[]> = signingServices(inventory, world.loaded.resolved, identity),
): StepContext {
  return {
    inventory,
    loaded: world.loaded,
    identity,
    session: world.session,
    observer: world.observer,
    services,
    keys: validatorKeyFiles(world.loaded.resolved.family),
    journal,
    verifyTimeoutMs: timeouts.verifyTimeoutMs,
    healthTimeoutSeconds: timeouts.healthTimeoutSeconds,
    note: () => undefined,
    ...(world.hook ? { hook: world.hook } : {}),
  };
}

/** Reads the live state once, makes the plan from it, and judges it. Changes nothing. */
export async function prepareFailover(
  request: FailoverRequest,
  world: FailoverWorld,
): Promise<{ ctx: StepContext; checks: Check[]; validForMs: number; cost: ExpectedCost }> {
  const { loaded, session } = world;
  const identity = identityForMove(loaded, request.identity, request.to);
  if (request.atSafeWindow && loaded.resolved.family !== 'ethereum')
    throw new UsageError(
      `--at-safe-window: a ${loaded.resolved.family} identity has no proposal duties stake reads`,
      'it waits for a window without a block proposal of the identity: ethereum only (Cardano leader slots are not read yet; a CometBFT proposer is not one validator)',
    );
  const validForMs = validityFor(loaded, request.validForMs);
  const services = signingServices(request.inventory, loaded.resolved, identity);
  const quorum = await probeQuorum(session, loaded.resolved, identity, services);
  const live = liveActive(liveVerdict(identity, quorum.views), identity);
  const plan: FailoverPlan = {
    deployment: loaded.resolved.name,
    family: loaded.resolved.family,
    identity: identity.name,
    from: live?.host ?? identity.active.name,
    to: request.to,
    generation: live?.generation ?? 0,
    oldHostDead: request.oldHostDead,
    safetyWindow: request.safetyWindow,
    ...(request.atSafeWindow ? { atSafeWindow: true as const } : {}),
    connections: [],
  };
  plan.connections = connectionsOf(loaded, identity, request.inventory, plan.from);
  if (plan.from === plan.to)
    throw refused(
      `${plan.to} is already the live active host of ${identity.name} (generation ${plan.generation})`,
      'nothing to fail over',
    );
  const journal: Journal = {
    version: 1,
    inventory: resolve(request.inventory),
    plan,
    code: '',
    expires: '',
    approvers: [],
    approval: 'signatures',
    by: operatorName(),
    startedAt: '',
    direction: 'forward',
    state: 'running',
    steps: [],
  };
  const ctx = stepContext(resolve(request.inventory), world, identity, journal, request, services);
  // the preflight judges the same probe the plan was made from: one look at the quorum, not two
  // one reading of the chain for the checks and the cost
  const reading = await readChain(ctx);
  const checks = await currentChecks(ctx, undefined, quorum, { reading });
  const proposals = await world.observer?.proposals?.(identity.name).catch(() => undefined);
  const cost = expectedCost({
    family: plan.family,
    identity: identity.name,
    ...(reading?.observedBlockMs ? { observedBlockMs: reading.observedBlockMs } : {}),
    ...(identity.validatorIndices ? { validators: identity.validatorIndices.length } : {}),
    ...(proposals ? { proposals: proposals.duties } : {}),
    past: pastFailovers(
      readIfExists(join(journalDir(resolve(request.inventory)), 'audit.ndjson')) ?? '',
      identity.name,
    ),
  });
  return { ctx, checks, validForMs, cost };
}
