/**
 * `stake failover`: the plan and its preflight (changes nothing), `approve` (an operator's signed
 * approval), `--confirm` (two operators, at the terminal or by signed files), `--resume`.
 * The protocol is ../shared/spec/failover.md; the steps are src/failover/.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StakeError, UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { HostSession } from '../ssh/session.js';
import { loadInventory, type LoadedInventory } from '../inventory/load.js';
import type { ResolvedIdentity } from '../inventory/resolve.js';
import { validatorKeyFiles } from '../keys/layout.js';
import type { Terminal } from '../output/terminal.js';
import { ApprovalFormatError, approvalText, judgeApprovals, parseApproval } from '../failover/approval.js';
import { liveVerdict, refusals, type Check } from '../failover/checks.js';
import { journalPath, readJournal, unfinishedJournals, writeJournal, type Journal } from '../failover/journal.js';
import { probeQuorum, signingServices } from '../failover/live.js';
import { observerFor } from '../failover/observer.js';
import { expiryOf, planCode, sameCode, STEP_TEXT, STEPS, type FailoverPlan } from '../failover/plan.js';
import { resumeLine, runFailover, type FailoverEvent } from '../failover/run.js';
import { manualVerifyLines, signText, verifyApprovals } from '../failover/ssh-signature.js';
import { currentChecks, operatorName, type StepContext } from '../failover/steps.js';
import { openPrompt } from '../output/prompt.js';

export interface FailoverOptions {
  inventory: string;
  identity: string;
  to: string;
  oldHostDead: boolean;
  safetyWindow: number;
  validForMs: number;
  verifyTimeoutMs: number;
  healthTimeoutSeconds: number;
}

export {
  DEFAULT_HEALTH_TIMEOUT_SECONDS,
  DEFAULT_SAFETY_WINDOW,
  DEFAULT_VALID_FOR_MS,
  DEFAULT_VERIFY_TIMEOUT_SECONDS,
} from './defaults.js';

const refused = (message: string, hint: string) => new StakeError(message, { exitCode: EXIT.refused, hint });

function identityOf(loaded: LoadedInventory, name: string, to: string): ResolvedIdentity {
  const id = loaded.resolved.identities.find((i) => i.name === name);
  if (!id)
    throw new UsageError(
      `no identity "${name}" in ${loaded.file}`,
      `identities: ${loaded.resolved.identities.map((i) => i.name).join(', ')}`,
    );
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

/** What the steps act with, for a new failover or a resumed one. */
function stepContext(
  inventory: string,
  loaded: LoadedInventory,
  identity: ResolvedIdentity,
  session: HostSession,
  journal: Journal,
  timeouts: { verifyTimeoutMs: number; healthTimeoutSeconds: number },
  services = signingServices(inventory, loaded.resolved, identity),
): StepContext {
  return {
    inventory,
    loaded,
    identity,
    session,
    observer: observerFor(inventory),
    services,
    keys: validatorKeyFiles(loaded.resolved.family),
    journal,
    verifyTimeoutMs: timeouts.verifyTimeoutMs,
    healthTimeoutSeconds: timeouts.healthTimeoutSeconds,
    note: () => undefined,
  };
}

/** Reads the live state, makes the plan, and judges it: everything a failover decides before it touches anything. */
async function preparePlan(
  options: FailoverOptions,
  loaded: LoadedInventory,
  session: HostSession,
): Promise<{ ctx: StepContext; checks: Check[] }> {
  const identity = identityOf(loaded, options.identity, options.to);
  const services = signingServices(options.inventory, loaded.resolved, identity);
  const quorum = await probeQuorum(session, loaded.resolved, identity, services);
  const verdict = liveVerdict(identity, quorum.views);
  const live = verdict.kind === 'live' || verdict.kind === 'stale' ? verdict.record : undefined;
  const plan: FailoverPlan = {
    deployment: loaded.resolved.name,
    family: loaded.resolved.family,
    identity: identity.name,
    from: live?.active ?? identity.active.name,
    to: options.to,
    generation: live?.generation ?? 0,
    oldHostDead: options.oldHostDead,
    safetyWindow: options.safetyWindow,
  };
  if (plan.from === plan.to)
    throw refused(
      `${plan.to} is already the live active host of ${identity.name} (generation ${plan.generation})`,
      'nothing to fail over',
    );
  const journal: Journal = {
    version: 1,
    inventory: resolve(options.inventory),
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
  const ctx = stepContext(resolve(options.inventory), loaded, identity, session, journal, options, services);
  return { ctx, checks: await currentChecks(ctx, undefined) };
}

const sessionFor = (loaded: LoadedInventory, inventory: string) =>
  new HostSession(loaded.resolved, {
    inventory,
    parallel: 8,
    acceptNew: false,
    connectTimeoutMs: 10_000,
    keepaliveIntervalMs: 2000,
  });

function printPlan(term: Terminal, plan: FailoverPlan, checks: readonly Check[], code: string, expires: string): void {
  const { style } = term;
  term.print(
    style.bold(`failover plan: ${plan.identity} (${plan.deployment}, ${plan.family}) from ${plan.from} to ${plan.to}`),
  );
  term.print(
    `  live generation ${plan.generation}; the failover writes generation ${plan.generation + 1}${plan.oldHostDead ? style.yellow(`; old host approved as dead, safety window ${plan.safetyWindow} heights`) : ''}`,
  );
  term.print('\n  steps');
  STEPS.forEach((s, i) => term.print(`    ${i + 1}. ${s.padEnd(10)} ${STEP_TEXT[s]}`));
  term.print('\n  checks');
  for (const c of checks) {
    const mark = c.ok ? style.green('✓') : c.refuses ? style.red('✗') : style.yellow('!');
    term.print(
      `    ${mark} ${c.name.padEnd(28)} ${c.detail}${!c.ok && c.hint ? style.dim(`\n      hint: ${c.hint}`) : ''}`,
    );
  }
  term.print(`\n  plan code ${style.bold(code)}, valid until ${expires}`);
}

export async function failoverPlanCommand(options: FailoverOptions, term: Terminal): Promise<ExitCode> {
  const loaded = await loadInventory(options.inventory);
  const session = sessionFor(loaded, options.inventory);
  try {
    const { ctx, checks } = await preparePlan(options, loaded, session);
    const expires = expiryOf(new Date(), options.validForMs);
    const code = planCode(ctx.journal.plan, expires);
    const blocked = refusals(checks);
    if (term.options.json) {
      term.document({ plan: ctx.journal.plan, steps: STEPS, checks, code, expires, runnable: blocked.length === 0 });
    } else {
      printPlan(term, ctx.journal.plan, checks, code, expires);
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
    await session.close();
  }
}

export interface ApproveOptions extends FailoverOptions {
  as: string;
  key?: string;
  out?: string;
}

export async function failoverApproveCommand(options: ApproveOptions, term: Terminal): Promise<ExitCode> {
  const loaded = await loadInventory(options.inventory);
  const operator = loaded.resolved.operators[options.as];
  if (!operator)
    throw new UsageError(
      `--as ${options.as}: not an operator of ${options.inventory}`,
      `operators: ${Object.keys(loaded.resolved.operators).join(', ') || 'none'}`,
    );
  if (options.key && !existsSync(options.key)) throw new UsageError(`--key ${options.key}: no such file`);
  const session = sessionFor(loaded, options.inventory);
  try {
    const { ctx, checks } = await preparePlan(options, loaded, session);
    const expires = expiryOf(new Date(), options.validForMs);
    const text = approvalText(ctx.journal.plan, options.as, expires);
    const signature = await signText(text, {
      ...(options.key ? { keyFile: options.key } : {}),
      publicKey: operator.key,
    });
    const out = options.out ?? `failover-${options.identity}-${options.as}.approval`;
    writeFileSync(out, text + signature, { mode: 0o644 });
    const code = planCode(ctx.journal.plan, expires);
    const blocked = refusals(checks);
    if (term.options.json) {
      term.document({ file: out, operator: options.as, code, expires, plan: ctx.journal.plan, warnings: blocked });
    } else {
      term.print(
        `${options.as} approved failing ${options.identity} over from ${ctx.journal.plan.from} to ${options.to} at generation ${ctx.journal.plan.generation}: ${out}`,
      );
      term.print(`  plan code ${code}, valid until ${expires}`);
      for (const c of blocked) term.print(term.style.yellow(`  ! preflight would refuse now: ${c.name}: ${c.detail}`));
      term.print(
        term.style.dim(
          `  check it by hand:\n${manualVerifyLines(out)
            .map((l) => `    ${l}`)
            .join('\n')}`,
        ),
      );
    }
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

export interface ConfirmOptions extends FailoverOptions {
  approvals: string[];
}

/** Two operators at one terminal: each types their name and the plan code. */
async function askTwoOperators(
  term: Terminal,
  plan: FailoverPlan,
  operators: string[],
  code: string,
  expires: string,
): Promise<string[]> {
  const prompt = openPrompt();
  try {
    return await askEach(term, plan, operators, code, expires, prompt.ask);
  } finally {
    prompt.close();
  }
}

async function askEach(
  term: Terminal,
  plan: FailoverPlan,
  operators: string[],
  code: string,
  expires: string,
  askLine: (q: string) => Promise<string | undefined>,
): Promise<string[]> {
  const names: string[] = [];
  for (const which of ['first', 'second']) {
    const name = (await askLine(`${which} operator, your name (${operators.join(', ')}): `))?.trim() ?? '';
    if (!operators.includes(name))
      throw refused(
        `"${name}" is not an operator of this inventory; nothing was changed`,
        `operators: ${operators.join(', ')}`,
      );
    if (names.includes(name))
      throw refused(
        `${name} already confirmed: a failover needs two distinct operators; nothing was changed`,
        'the second confirmation must come from another operator',
      );
    const typed =
      (await askLine(`${name}, type the plan code to fail ${plan.identity} over to ${plan.to}: `))?.trim() ?? '';
    if (!sameCode(typed, code))
      throw refused(
        `${name} typed ${typed ? `"${typed}"` : 'nothing'}, not the plan code ${code}; nothing was changed`,
        'read the plan again and run the command again',
      );
    if (Date.parse(expires) <= Date.now())
      throw refused(`the plan expired at ${expires}; nothing was changed`, 'run the command again for a fresh plan');
    names.push(name);
  }
  term.note(`confirmed by ${names.join(' and ')}`);
  return names;
}

export async function failoverConfirmCommand(
  options: ConfirmOptions,
  term: Terminal,
  interrupted: () => boolean,
): Promise<ExitCode> {
  const loaded = await loadInventory(options.inventory);
  const path = journalPath(resolve(options.inventory), options.identity);
  const open = readJournal(path);
  if (open?.state === 'running')
    throw refused(
      `a failover of ${options.identity} (plan ${open.code}, to ${open.plan.to}) has not finished`,
      `finish it first: ${resumeLine(open)}`,
    );
  const session = sessionFor(loaded, options.inventory);
  try {
    const { ctx, checks } = await preparePlan(options, loaded, session);
    const { plan } = ctx.journal;
    const blocked = refusals(checks);
    let approvers: string[];
    let code: string;
    let expires: string;
    if (options.approvals.length) {
      const files = options.approvals.map((f) => {
        if (!existsSync(f)) throw new UsageError(`--approval ${f}: no such file`);
        try {
          return parseApproval(f, readFileSync(f, 'utf8'));
        } catch (err) {
          if (err instanceof ApprovalFormatError)
            throw refused(`${err.message}; nothing was changed`, 'use the file stake failover approve wrote');
          throw err;
        }
      });
      const verdict = judgeApprovals(plan, await verifyApprovals(files, loaded.resolved.operators), new Date());
      if (!verdict.ok) throw refused(`${verdict.why}; nothing was changed`, verdict.hint);
      approvers = verdict.approvers;
      // the earliest expiry of the two bounds the plan; its code names it in the journal
      expires = files.map((f) => f.fields.expires!).sort()[0]!;
      code = planCode(plan, expires);
      if (blocked.length) {
        printChecks(term, checks);
        throw refused(
          `preflight refused: ${blocked.map((c) => `${c.name}: ${c.detail}`).join('; ')}; nothing was changed`,
          blocked[0]!.hint ?? 'see the checks above',
        );
      }
    } else {
      expires = expiryOf(new Date(), options.validForMs);
      code = planCode(plan, expires);
      if (!term.options.json) printPlan(term, plan, checks, code, expires);
      if (blocked.length)
        throw refused(
          `preflight refused: ${blocked.map((c) => `${c.name}: ${c.detail}`).join('; ')}; nothing was changed`,
          blocked[0]!.hint ?? 'see the checks above',
        );
      if (!process.stdin.isTTY)
        throw refused(
          'a failover needs two approvals: no --approval files were given and there is no terminal to confirm at; nothing was changed',
          `each operator runs stake failover approve ${plan.identity} --to ${plan.to} --as NAME; then pass --approval FILE twice`,
        );
      approvers = await askTwoOperators(term, plan, Object.keys(loaded.resolved.operators), code, expires);
      ctx.journal.approval = 'terminal';
    }
    Object.assign(ctx.journal, { code, expires, approvers, startedAt: new Date().toISOString() });
    writeJournal(path, ctx.journal);
    return await execute(ctx, path, term, interrupted);
  } finally {
    await session.close();
  }
}

function printChecks(term: Terminal, checks: readonly Check[]): void {
  if (term.options.json) return;
  for (const c of checks.filter((x) => !x.ok)) term.note(`  ${c.refuses ? '✗' : '!'} ${c.name}: ${c.detail}`);
}

export async function failoverResumeCommand(
  options: { inventory: string; identity?: string; verifyTimeoutMs: number; healthTimeoutSeconds: number },
  term: Terminal,
  interrupted: () => boolean,
): Promise<ExitCode> {
  const open = unfinishedJournals(resolve(options.inventory)).filter(
    (j) => !options.identity || j.journal.plan.identity === options.identity,
  );
  if (open.length === 0)
    throw new StakeError(
      `no unfinished failover beside ${options.inventory}${options.identity ? ` for ${options.identity}` : ''}`,
      { exitCode: EXIT.usage, hint: 'nothing to resume; stake status shows the live state' },
    );
  if (open.length > 1)
    throw new UsageError(
      `${open.length} unfinished failovers: ${open.map((j) => j.journal.plan.identity).join(', ')}`,
      'name one: stake failover --resume IDENTITY',
    );
  const { path, journal } = open[0]!;
  const loaded = await loadInventory(journal.inventory);
  const identity = loaded.resolved.identities.find((i) => i.name === journal.plan.identity);
  if (!identity)
    throw new StakeError(`identity ${journal.plan.identity} is no longer in ${journal.inventory}`, {
      exitCode: EXIT.refused,
      hint: 'restore the inventory the failover started from',
    });
  const session = sessionFor(loaded, journal.inventory);
  try {
    const ctx = stepContext(journal.inventory, loaded, identity, session, journal, options);
    term.note(
      `resuming the failover of ${journal.plan.identity} to ${journal.plan.to} (plan ${journal.code}, ${
        journal.direction === 'rollback'
          ? 'rolling back'
          : `after ${
              journal.steps
                .filter((s) => s.ended)
                .map((s) => s.name)
                .join(', ') || 'no step'
            }`
      })`,
    );
    return await execute(ctx, path, term, interrupted);
  } finally {
    await session.close();
  }
}

/** Runs the journalled failover and shows its events. */
async function execute(ctx: StepContext, path: string, term: Terminal, interrupted: () => boolean): Promise<ExitCode> {
  const { style } = term;
  const show = (e: FailoverEvent) => {
    if (term.options.json) return term.event(e as unknown as Record<string, unknown>);
    switch (e.event) {
      case 'step':
        if (e.phase === 'start') term.print(style.dim(`  ${STEPS.indexOf(e.step) + 1}. ${e.step}...`));
        else if (e.phase === 'done')
          term.print(`  ${style.green('✓')} ${e.step} ${style.dim(`(${e.ms} ms)`)} ${e.detail ?? ''}`);
        else
          term.print(`  ${style.red('✗')} ${e.step}: ${e.detail}${e.hint ? style.dim(`\n      hint: ${e.hint}`) : ''}`);
        break;
      case 'rollback':
        if (e.phase === 'start') term.print(style.yellow('  rolling back to the old host...'));
        else if (e.phase === 'done') term.print(`  ${style.yellow('↺')} rolled back: ${e.detail}`);
        else
          term.print(`  ${style.red('✗')} rollback: ${e.detail}${e.hint ? style.dim(`\n      hint: ${e.hint}`) : ''}`);
        break;
      case 'note':
        term.print(style.dim(`     ${e.text}`));
        break;
      case 'end':
        if (e.result === 'done')
          term.print(
            style.green(
              `✓ ${ctx.journal.plan.identity} now signs on ${ctx.journal.plan.to} (generation ${ctx.journal.plan.generation + 1}); commit the rewritten inventory`,
            ),
          );
        else if (e.result === 'rolled-back')
          term.print(style.yellow(`↺ the failover did not happen: ${ctx.journal.plan.from} is the signer again`));
        else
          term.print(
            style.red(
              `${e.result === 'interrupted' ? 'interrupted' : 'stopped'}; the journal and the lock are kept. To continue: ${e.resume}`,
            ),
          );
    }
  };
  ctx.note = (text) => show({ event: 'note', text });
  if (!term.options.json)
    term.print(
      style.bold(
        `failing ${ctx.journal.plan.identity} over to ${ctx.journal.plan.to}, plan ${ctx.journal.code}, approved by ${ctx.journal.approvers.join(' and ')}`,
      ),
    );
  return runFailover(ctx, { journalPath: path, emit: show, interrupted });
}
