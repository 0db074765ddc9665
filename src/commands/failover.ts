/**
 * `stake failover`: the plan and its preflight (changes nothing), `approve` (an operator's signed
 * approval), `--confirm` (two operators, at the terminal or by signed files), `--resume`.
 * The protocol is the failover protocol (docs/failover.md); the decisions and steps are src/failover/, and
 * what a person sees is ./failover-view.ts.
 */
import { EXIT, type ExitCode } from '../exit-codes.js';
import { approveFailover, checkApprover, type ApprovalRequest } from '../failover/approve.js';
import { refusals } from '../failover/checks.js';
import { approvalsFromFiles, recordApproval, refuseBlocked, refuseUnfinished } from '../failover/confirm.js';
import type { StepHook } from '../failover/hooks.js';
import { expiryOf, planCode, STEPS } from '../failover/plan.js';
import {
  connectionsOf,
  prepareFailover,
  refused,
  stepContext,
  type FailoverRequest,
  type FailoverWorld,
} from '../failover/prepare.js';
import { refuseChangedConnections, resumePoint, unfinishedFailover } from '../failover/resume.js';
import { runFailover } from '../failover/run.js';
import { manualVerifyLines } from '../failover/ssh-signature.js';
import { loadInventory, type LoadedInventory } from '../inventory/load.js';
import { refuseCosmosSignerTier } from '../apply/signer-tier.js';
import { chainObserverFor } from '../observe/observer.js';
import type { Terminal } from '../output/terminal.js';
import { openSession } from '../ssh/session.js';
import { askTwoOperators, printChecks, printPlan, showFailover } from './failover-view.js';

export type FailoverOptions = FailoverRequest;
export type ApproveOptions = ApprovalRequest;
export interface ConfirmOptions extends FailoverOptions {
  approvals: string[];
}

/** The hosts and the chain, for the inventory; the session is the caller's to close. */
function worldFor(loaded: LoadedInventory, inventory: string, hook?: StepHook): FailoverWorld {
  const session = openSession(loaded.resolved, inventory, 'failover');
  return { loaded, session, observer: chainObserverFor(loaded.resolved, session), hook };
}

export async function failoverPlanCommand(options: FailoverOptions, term: Terminal): Promise<ExitCode> {
  const loadedInventory = await loadInventory(options.inventory);
  refuseCosmosSignerTier(loadedInventory.resolved, 'failover');
  const world = worldFor(loadedInventory, options.inventory);
  try {
    const { ctx, checks, validForMs, cost } = await prepareFailover(options, world);
    const expires = expiryOf(new Date(), validForMs);
    const code = planCode(ctx.journal.plan, expires);
    const blocked = refusals(checks);
    if (term.options.json) {
      term.document({
        plan: ctx.journal.plan,
        steps: STEPS,
        checks,
        cost,
        code,
        expires,
        runnable: blocked.length === 0,
      });
    } else {
      printPlan(term, ctx.journal.plan, checks, code, expires, cost);
      term.print(
        blocked.length
          ? term.style.red(
              `\n✗ refused: ${blocked.length} check${blocked.length === 1 ? '' : 's'} failed; nothing was changed`,
            )
          : `\n  nothing was changed. To run it: stake failover ${options.identity} --to ${options.to} --confirm${options.oldHostDead ? ' --old-host-dead' : ''}\n  (at a terminal, two operators type their names and the code; or --approval FILE twice, from stake failover approve)`,
      );
    }
    return blocked.length ? EXIT.refused : EXIT.ok;
  } finally {
    await world.session.close();
  }
}

export async function failoverApproveCommand(options: ApproveOptions, term: Terminal): Promise<ExitCode> {
  const loaded = await loadInventory(options.inventory);
  checkApprover({ loaded }, options);
  const world = worldFor(loaded, options.inventory);
  try {
    const { file, plan, code, expires, blocked, cost } = await approveFailover(options, world);
    if (term.options.json) {
      term.document({ file, operator: options.as, code, expires, plan, cost, warnings: blocked });
    } else {
      term.print(
        `${options.as} approved failing ${options.identity} over from ${plan.from} to ${options.to} at generation ${plan.generation}: ${file}`,
      );
      term.print(`  plan code ${code}, valid until ${expires}`);
      term.print(`  expected cost: ${cost.text}`);
      for (const c of blocked) term.print(term.style.yellow(`  ! preflight would refuse now: ${c.name}: ${c.detail}`));
      term.print(
        term.style.dim(
          `  check it by hand:\n${manualVerifyLines(file)
            .map((l) => `    ${l}`)
            .join('\n')}`,
        ),
      );
    }
    return EXIT.ok;
  } finally {
    await world.session.close();
  }
}

export async function failoverConfirmCommand(
  options: ConfirmOptions,
  term: Terminal,
  interrupted: () => boolean,
  hook?: StepHook,
): Promise<ExitCode> {
  const loaded = await loadInventory(options.inventory);
  const path = refuseUnfinished(options.inventory, options.identity);
  const world = worldFor(loaded, options.inventory, hook);
  try {
    const { ctx, checks, validForMs, cost } = await prepareFailover(options, world);
    const { plan } = ctx.journal;
    let approved: Parameters<typeof recordApproval>[2];
    if (options.approvals.length) {
      approved = { ...(await approvalsFromFiles(plan, options.approvals, world)), approval: 'signatures' };
      if (refusals(checks).length) printChecks(term, checks);
      refuseBlocked(checks);
    } else {
      const expires = expiryOf(new Date(), validForMs);
      const code = planCode(plan, expires);
      if (!term.options.json) printPlan(term, plan, checks, code, expires, cost);
      refuseBlocked(checks);
      if (!process.stdin.isTTY)
        throw refused(
          'a failover needs two approvals: no --approval files were given and there is no terminal to confirm at; nothing was changed',
          `each operator runs stake failover approve ${plan.identity} --to ${plan.to} --as NAME; then pass --approval FILE twice`,
        );
      const approvers = await askTwoOperators(term, plan, Object.keys(loaded.resolved.operators), code, expires);
      approved = { approvers, code, expires, approval: 'terminal' };
    }
    recordApproval(ctx, path, approved);
    return await runFailover(ctx, { journalPath: path, emit: showFailover(ctx, term), interrupted });
  } finally {
    await world.session.close();
  }
}

export async function failoverResumeCommand(
  options: { inventory: string; identity?: string; verifyTimeoutMs: number; healthTimeoutSeconds: number },
  term: Terminal,
  interrupted: () => boolean,
  hook?: StepHook,
): Promise<ExitCode> {
  const { path, journal, loaded, identity } = await unfinishedFailover(options.inventory, options.identity);
  refuseChangedConnections(journal, connectionsOf(loaded, identity, journal.inventory, journal.plan.from));
  const world = worldFor(loaded, journal.inventory, hook);
  try {
    const ctx = stepContext(journal.inventory, world, identity, journal, options);
    term.note(
      `resuming the failover of ${journal.plan.identity} to ${journal.plan.to} (plan ${journal.code}, ${resumePoint(journal)})`,
    );
    return await runFailover(ctx, { journalPath: path, emit: showFailover(ctx, term), interrupted });
  } finally {
    await world.session.close();
  }
}
