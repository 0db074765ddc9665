/**
 * One operator's approval: the plan computed from the live state (as `stake failover` shows
 * it), signed with the operator's key, and written as plan text followed by the signature.
 */
import type { ExpectedCost } from './cost.js';
import { existsSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { approvalText } from './approval.js';
import type { Check } from './checks.js';
import type { FailoverPlan } from './plan.js';
import { expiryOf, planCode } from './plan.js';
import { prepareFailover, type FailoverRequest, type FailoverWorld } from './prepare.js';
import { refusals } from './checks.js';
import { signText } from './ssh-signature.js';

export interface ApprovalRequest extends FailoverRequest {
  /** The operator's name under `operators`. */
  as: string;
  /** Their private key file; default: ssh-agent. */
  key?: string;
  /** Where to write; default failover-IDENTITY-OPERATOR.approval. */
  out?: string;
}

export interface WrittenApproval {
  file: string;
  plan: FailoverPlan;
  code: string;
  expires: string;
  /** What the preflight would refuse now (an approval may be signed ahead of a fix). */
  blocked: Check[];
  /** What the move is expected to cost (./cost.ts). */
  cost: ExpectedCost;
}

/** The operator and key file exist; checked before any host is asked. */
export function checkApprover(world: Pick<FailoverWorld, 'loaded'>, request: ApprovalRequest): void {
  const { operators } = world.loaded.resolved;
  if (!operators[request.as])
    throw new UsageError(
      `--as ${request.as}: not an operator of ${request.inventory}`,
      `operators: ${Object.keys(operators).join(', ') || 'none'}`,
    );
  if (request.key && !existsSync(request.key)) throw new UsageError(`--key ${request.key}: no such file`);
}

export async function approveFailover(request: ApprovalRequest, world: FailoverWorld): Promise<WrittenApproval> {
  checkApprover(world, request);
  const operator = world.loaded.resolved.operators[request.as]!;
  const { ctx, checks, validForMs, cost } = await prepareFailover(request, world);
  const { plan } = ctx.journal;
  const now = new Date();
  const expires = expiryOf(now, validForMs);
  const text = approvalText(plan, request.as, new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString(), expires);
  const signature = await signText(text, { ...(request.key ? { keyFile: request.key } : {}), publicKey: operator.key });
  const file = request.out ?? `failover-${request.identity}-${request.as}.approval`;
  writeFileSync(file, text + signature, { mode: 0o644 });
  return { file, plan, code: planCode(plan, expires), expires, blocked: refusals(checks), cost };
}
