/**
 * What `stake failover` shows a person: the plan with its checks, the two operators' prompt,
 * and the steps as they run. With --json the events go out as data instead.
 */
import type { ExpectedCost } from '../failover/cost.js';
import type { Check } from '../failover/checks.js';
import { STEP_TEXT, STEPS, sameCode, type FailoverPlan } from '../failover/plan.js';
import { refused } from '../failover/prepare.js';
import type { FailoverEvent } from '../failover/run.js';
import type { StepContext } from '../failover/context.js';
import { openPrompt } from '../output/prompt.js';
import type { Terminal } from '../output/terminal.js';

export function printPlan(
  term: Terminal,
  plan: FailoverPlan,
  checks: readonly Check[],
  code: string,
  expires: string,
  cost?: ExpectedCost,
): void {
  const { style } = term;
  term.print(
    style.bold(`failover plan: ${plan.identity} (${plan.deployment}, ${plan.family}) from ${plan.from} to ${plan.to}`),
  );
  term.print(
    `  live generation ${plan.generation}; the failover writes generation ${plan.generation + 1}${plan.oldHostDead ? style.yellow(`; old host approved as dead, safety window ${plan.safetyWindow} heights`) : ''}`,
  );
  term.print('\n  steps');
  STEPS.forEach((s, i) => term.print(`    ${i + 1}. ${s.padEnd(10)} ${STEP_TEXT[s]}`));
  // what an approval binds: the operators see how each host will be reached before they sign
  term.print('\n  connections (an approval binds them; --confirm refuses if any changes)');
  for (const line of plan.connections ?? []) term.print(`    ${line}`);
  term.print('\n  checks');
  for (const c of checks) {
    const mark = c.ok ? style.green('✓') : c.refuses ? style.red('✗') : style.yellow('!');
    term.print(
      `    ${mark} ${c.name.padEnd(28)} ${c.detail}${!c.ok && c.hint ? style.dim(`\n      hint: ${c.hint}`) : ''}`,
    );
  }
  if (cost) term.print(`\n  expected cost: ${cost.text}`);
  term.print(`\n  plan code ${style.bold(code)}, valid until ${expires}`);
}

/** Two operators at one terminal: each types their name and the plan code. */
export async function askTwoOperators(
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

export function printChecks(term: Terminal, checks: readonly Check[]): void {
  if (term.options.json) return;
  for (const c of checks.filter((x) => !x.ok)) term.note(`  ${c.refuses ? '✗' : '!'} ${c.name}: ${c.detail}`);
}

/** Shows a running failover's events (JSON events with --json), and sends its notes the same way. */
export function showFailover(ctx: StepContext, term: Terminal): (e: FailoverEvent) => void {
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
  return show;
}
