/** `stake plan`: what deploy would change on each host, printed or saved as JSON. Changes nothing. */
import { writeFileSync } from 'node:fs';
import type { ExitCode } from '../exit-codes.js';
import { loadInventory } from '../inventory/load.js';
import { plural } from '../output/diagnostics.js';
import type { Terminal } from '../output/terminal.js';
import type { Plan } from '../plan/compute.js';
import { failureExit, gatherPlan, type PlanOptions } from '../plan/gather.js';
import { pendingNodeIdsNote } from '../render/node-ids.js';
import { openSession, type HostOutcome } from '../ssh/session.js';

const MARK = { create: '+', change: '~', delete: '-', unchanged: ' ' } as const;

export function printPlan(
  plan: Plan,
  failures: HostOutcome<unknown>[],
  term: Terminal,
  diffs: Record<string, Record<string, string>> = {},
): void {
  const { style } = term;
  const colour = { create: style.green, change: style.yellow, delete: style.red, unchanged: style.dim };
  for (const h of plan.hosts) {
    const counts = (['create', 'change', 'delete'] as const)
      .map((a) => [a, h.files.filter((f) => f.action === a).length] as const)
      .filter(([, n]) => n > 0);
    term.print(
      style.bold(
        `${h.host}: ${counts.length ? counts.map(([a, n]) => `${n} to ${a}`).join(', ') : 'no file changes'}${h.restart.length ? `; restarts ${h.restart.join(', ')}` : ''}${h.actions.length ? `; then ${h.actions.join(', ')}` : ''}`,
      ),
    );
    for (const f of h.files.filter((x) => x.action !== 'unchanged' || term.options.verbose > 0)) {
      term.print(
        colour[f.action](`  ${MARK[f.action]} ${f.path}${f.action === 'change' ? ` (${f.differs.join(', ')})` : ''}`),
      );
      const patch = diffs[h.host]?.[f.path];
      if (patch) {
        for (const line of patch.split('\n').slice(2)) {
          if (!line) continue;
          term.print(
            `      ${line.startsWith('+') ? style.green(line) : line.startsWith('-') ? style.red(line) : line.startsWith('@@') ? style.cyan(line) : style.dim(line)}`,
          );
        }
      }
    }
  }
  for (const f of failures)
    if (!f.ok) term.print(style.red(`${f.host}: ${f.error.message}${f.error.hint ? `\n  hint: ${f.error.hint}` : ''}`));
  const changes = plan.hosts.reduce((n, h) => n + h.changes, 0);
  const changed = plan.hosts.filter((h) => h.changes > 0).length;
  term.print(
    changes === 0 && failures.length === 0
      ? style.green('✓ nothing to do: every host matches the inventory')
      : `${plural(changed, 'host')} to change of ${plural(plan.hosts.length, 'host')} reached${failures.length ? style.red(`; ${plural(failures.length, 'host')} not reached`) : ''}`,
  );
}

/** `stake plan`: what deploy would change on each host. Changes nothing. */
export async function plan(options: PlanOptions, term: Terminal): Promise<ExitCode> {
  const { resolved } = await loadInventory(options.inventory);
  const session = openSession(resolved, options.inventory, 'rollout', {
    parallel: options.parallel,
    acceptNew: options.acceptNew,
  });
  try {
    const {
      plan: result,
      failures,
      diffs,
      pendingNodeIds,
    } = await gatherPlan({ ...options, pendingNodeIds: true }, session, resolved);
    if (pendingNodeIds.length) term.note(term.style.yellow(pendingNodeIdsNote(pendingNodeIds)));
    for (const added of session.recordNewHostKeys())
      term.note(
        term.style.yellow(
          `${added.host}: new host key ${added.fingerprint} accepted (--accept-new) and added to ${added.file}`,
        ),
      );
    if (options.out) writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
    if (term.options.json)
      term.document({
        plan: result,
        ...(options.diff ? { diffs } : {}),
        pending_node_ids: pendingNodeIds,
        unreachable: failures.map((f) =>
          f.ok ? undefined : { host: f.host, error: f.error.message, hint: f.error.hint },
        ),
      });
    else printPlan(result, failures, term, diffs);
    return failureExit(failures);
  } finally {
    await session.close();
  }
}
