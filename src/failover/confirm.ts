/**
 * Confirming a failover: no other failover of the identity unfinished, two signed approvals of
 * exactly this plan (or two operators at a terminal, which the command asks), the preflight
 * clean, then the journal written and the steps run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { ApprovalFormatError, judgeApprovals, parseApproval } from './approval.js';
import { refusals, type Check } from './checks.js';
import { journalPath, readJournal, writeJournal, type Journal } from './journal.js';
import { maxValidityMs, planCode, type FailoverPlan } from './plan.js';
import { refused, type FailoverWorld } from './prepare.js';
import { resumeLine } from './run.js';
import { verifyApprovals } from './ssh-signature.js';
import type { StepContext } from './context.js';

/** The journal's path; refuses while a failover of the identity is still running. */
export function refuseUnfinished(inventory: string, identity: string): string {
  const path = journalPath(resolve(inventory), identity);
  const open = readJournal(path);
  if (open?.state === 'running')
    throw refused(
      `a failover of ${identity} (plan ${open.code}, to ${open.plan.to}) has not finished`,
      `finish it first: ${resumeLine(open)}`,
    );
  return path;
}

/** Two approval files judged against the plan: who approved, and the code and expiry they bind. */
export async function approvalsFromFiles(
  plan: FailoverPlan,
  files: readonly string[],
  world: Pick<FailoverWorld, 'loaded'>,
): Promise<{ approvers: string[]; code: string; expires: string }> {
  const parsed = files.map((f) => {
    if (!existsSync(f)) throw new UsageError(`--approval ${f}: no such file`);
    try {
      return parseApproval(f, readFileSync(f, 'utf8'));
    } catch (err) {
      if (err instanceof ApprovalFormatError)
        throw refused(`${err.message}; nothing was changed`, 'use the file stake failover approve wrote');
      throw err;
    }
  });
  const verdict = judgeApprovals(
    plan,
    await verifyApprovals(parsed, world.loaded.resolved.operators),
    new Date(),
    maxValidityMs(world.loaded.resolved.policy),
  );
  if (!verdict.ok) throw refused(`${verdict.why}; nothing was changed`, verdict.hint);
  // the earliest expiry of the two bounds the plan; its code names it in the journal
  const expires = parsed.map((f) => f.fields.expires!).sort()[0]!;
  return { approvers: verdict.approvers, code: planCode(plan, expires), expires };
}

/** Refuses (exit 4, nothing changed) when any preflight check refuses. */
export function refuseBlocked(checks: readonly Check[]): void {
  const blocked = refusals(checks);
  if (blocked.length)
    throw refused(
      `preflight refused: ${blocked.map((c) => `${c.name}: ${c.detail}`).join('; ')}; nothing was changed`,
      blocked[0]!.hint ?? 'see the checks above',
    );
}

/** Records the approvals in the journal, durably, before any step runs. */
export function recordApproval(
  ctx: StepContext,
  path: string,
  approved: { approvers: string[]; code: string; expires: string; approval: Journal['approval'] },
): void {
  Object.assign(ctx.journal, {
    code: approved.code,
    expires: approved.expires,
    approvers: approved.approvers,
    approval: approved.approval,
    startedAt: new Date().toISOString(),
  });
  writeJournal(path, ctx.journal);
}
