/**
 * `stake deploy`: applies the plan. Shows the rollout as it goes (listr2 on a terminal, a line
 * per step otherwise, one JSON event per line with --json) and ends with a summary per host.
 */
import { writeFileSync } from 'node:fs';
import type { ExitCode } from '../exit-codes.js';
import type { HostResult } from '../apply/host.js';
import { runDeploy, type DeployEvent, type DeployOptions } from '../apply/deploy.js';
import { openSession } from '../ssh/session.js';
import { loadInventory } from '../inventory/load.js';
import { plural } from '../output/diagnostics.js';
import { hostProgress, type Progress } from '../output/progress.js';
import type { Terminal } from '../output/terminal.js';
import { printPlan } from './plan.js';

const VERDICT: Record<HostResult['status'], 'ok' | 'skip' | 'fail'> = {
  deployed: 'ok',
  unchanged: 'ok',
  'rolled-back': 'fail',
  failed: 'fail',
  refused: 'fail',
  skipped: 'skip',
  unreachable: 'fail',
};

function describe(r: HostResult): string {
  switch (r.status) {
    case 'deployed':
      return `${r.host}: deployed (${plural(r.written, 'file')}${r.restarted.length ? `, restarted ${r.restarted.join(', ')}` : ''})`;
    case 'unchanged':
      return `${r.host}: unchanged`;
    default:
      return `${r.host}: ${r.status}${r.reason ? `: ${r.reason}` : ''}`;
  }
}

/** The human view of the events: listr2 on a terminal, a line per event elsewhere. */
function humanView(term: Terminal, live: boolean): { on: (e: DeployEvent) => void; close: () => Promise<void> } {
  const { style } = term;
  let progress: Progress | undefined;
  let changing: string[] = [];
  const ended = new Set<string>();
  const mark = { ok: style.green('✓'), skip: style.dim('-'), fail: style.red('✗') };
  return {
    on(e) {
      switch (e.event) {
        case 'plan': {
          for (const made of e.secrets)
            term.print(style.dim(`secrets: made on ${made.host} (never read back): ${made.paths.join(', ')}`));
          changing = e.plan.hosts.filter((h) => h.changes > 0).map((h) => h.host);
          term.print(
            `plan: ${plural(changing.length, 'host')} to change of ${plural(e.plan.hosts.length, 'host')} reached${e.unreachable.length ? style.red(`; ${plural(e.unreachable.length, 'host')} not reached`) : ''}`,
          );
          break;
        }
        case 'generation':
          term.print(
            style.dim(
              e.verdict === 'first'
                ? `generation: ${e.identity} deployed for the first time, generation 1 recorded (active ${e.active})`
                : `generation: ${e.identity} is live on ${e.active} (generation ${e.generation}), as the inventory says`,
            ),
          );
          break;
        case 'settled':
          term.print(
            e.error
              ? style.red(
                  `generation: could not bring ${e.host} to generation ${e.generation} of ${e.identity}: ${e.error}`,
                )
              : style.dim(
                  `generation: ${e.host} had missed a failover of ${e.identity}: generation ${e.generation} recorded there, as its quorum holds it`,
                ),
          );
          break;
        case 'stage':
          // the live view starts with the rollout, after the lines above are out
          if (live && !progress && changing.some((h) => !ended.has(h)))
            progress = hostProgress(changing.filter((h) => !ended.has(h)));
          if (!progress)
            term.print(
              style.bold(
                `${e.stage}: ${e.hosts.join(', ')}${e.waves.length > 1 ? ` (restarting in ${e.waves.length} waves: ${e.waves.map((w) => w.join(' + ')).join(', then ')})` : ''}`,
              ),
            );
          break;
        case 'step':
          if (progress) progress.step(e.host, `${e.step}: ${e.detail}`);
          else term.print(style.dim(`  ${e.host}: ${e.step} ${e.detail}`));
          break;
        case 'host': {
          ended.add(e.host);
          const verdict = VERDICT[e.status];
          if (progress && e.status !== 'unchanged') progress.finish(e.host, verdict, describe(e));
          else if (e.status !== 'unchanged' || term.options.verbose > 0)
            term.print(`  ${mark[verdict]} ${describe(e)}${e.hint ? style.dim(`\n    hint: ${e.hint}`) : ''}`);
          break;
        }
      }
    },
    close: async () => progress?.close(),
  };
}

function summary(results: HostResult[], term: Terminal): void {
  const { style } = term;
  const count = (s: HostResult['status']) => results.filter((r) => r.status === s).length;
  const wrote = results.reduce((n, r) => n + r.written, 0);
  const restarted = results.reduce((n, r) => n + r.restarted.length, 0);
  if (results.every((r) => r.status === 'unchanged')) {
    term.print(style.green(`✓ nothing to do: every host matches the inventory; nothing written, nothing restarted`));
    return;
  }
  for (const r of results.filter((x) => VERDICT[x.status] !== 'ok'))
    term.print(style.red(`${describe(r)}${r.hint ? `\n  hint: ${r.hint}` : ''}`));
  const parts = (['deployed', 'unchanged', 'rolled-back', 'failed', 'refused', 'skipped', 'unreachable'] as const)
    .map((s) => [s, count(s)] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const line = `${parts.join(', ')}; ${plural(wrote, 'file')} written, ${plural(restarted, 'service')} restarted`;
  term.print(results.some((r) => VERDICT[r.status] === 'fail') ? style.red(line) : style.green(`✓ ${line}`));
}

export async function deploy(options: DeployOptions, term: Terminal): Promise<ExitCode> {
  const { resolved } = await loadInventory(options.inventory);
  const session = openSession(resolved, options.inventory, 'rollout', {
    parallel: options.parallel,
    acceptNew: options.acceptNew,
  });
  const live = !term.options.json && Boolean(process.stdout.isTTY) && !process.env.CI;
  const view = humanView(term, live && !options.dryRun);
  try {
    const report = await runDeploy(options, session, resolved, (e) => {
      if (term.options.json) term.event(e as unknown as Record<string, unknown>);
      else if (options.dryRun && e.event === 'plan') printPlan(e.plan, [], term);
      else if (!options.dryRun) view.on(e);
    });
    await view.close();
    for (const added of session.recordNewHostKeys())
      term.note(
        term.style.yellow(
          `${added.host}: new host key ${added.fingerprint} accepted (--accept-new) and added to ${added.file}`,
        ),
      );
    if (options.out) writeFileSync(options.out, `${JSON.stringify(report.plan, null, 2)}\n`);
    if (term.options.json) term.event({ event: 'done', exit: report.exitCode, results: report.results });
    else if (!options.dryRun) summary(report.results, term);
    else
      for (const r of report.results.filter((x) => x.status !== 'unchanged')) term.print(term.style.red(describe(r)));
    return report.exitCode;
  } finally {
    await view.close();
    await session.close();
  }
}
