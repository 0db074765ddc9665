/**
 * `stake drill failover IDENTITY`: rounds of guarded failovers back and forth, with a report in
 * Markdown, JSON and HTML. Exit 1 when a round failed (double sign, over its time objective,
 * a failover that did not complete).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { StepHook } from '../failover/hooks.js';
import { writeDurably } from '../files.js';
import { loadInventory } from '../inventory/load.js';
import type { Terminal } from '../output/terminal.js';
import { htmlReport, markdownReport } from '../drill/report.js';
import { runDrill, type OperatorKey } from '../drill/run.js';
import { identityNamed } from '../inventory/lookup.js';
import { chainObserverFor } from '../observe/observer.js';
import { openSession } from '../ssh/session.js';

export interface DrillCommandOptions {
  inventory: string;
  identity: string;
  operatorKeys: string[];
  rounds: number;
  report?: string;
  objectiveMs: number;
  verifyTimeoutMs: number;
  healthTimeoutSeconds: number;
}

/** NAME=FILE, twice, two different operators of the inventory, each file present. */
function operatorKeys(values: string[], operators: Record<string, unknown>): [OperatorKey, OperatorKey] {
  const parsed = values.map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1)
      throw new UsageError(`--operator-key ${v}: expected NAME=FILE`, 'e.g. --operator-key alice=~/.ssh/alice_ed25519');
    const name = v.slice(0, at);
    const file = v.slice(at + 1);
    if (!(name in operators))
      throw new UsageError(
        `--operator-key ${v}: ${name} is not an operator of the inventory`,
        `operators: ${Object.keys(operators).join(', ')}`,
      );
    if (!existsSync(file)) throw new UsageError(`--operator-key ${v}: no such file ${file}`);
    return { name, file: resolve(file) };
  });
  if (parsed.length !== 2 || parsed[0]!.name === parsed[1]!.name)
    throw new UsageError(
      'a drill needs --operator-key NAME=FILE for two different operators',
      'each round is approved by two people, as a real failover is',
    );
  return [parsed[0]!, parsed[1]!];
}

/** `hook` is the tests' seam into every round's failover steps (src/cli/spec.ts `Seams`). */
export async function drillFailoverCommand(
  options: DrillCommandOptions,
  term: Terminal,
  hook?: StepHook,
): Promise<ExitCode> {
  const { resolved } = await loadInventory(options.inventory);
  identityNamed(resolved, options.identity, options.inventory);
  const operators = operatorKeys(options.operatorKeys, resolved.operators);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const dir = resolve(
    options.report ?? join(dirname(options.inventory), '.stake', 'drills', `${options.identity}-${stamp}`),
  );
  mkdirSync(dir, { recursive: true });
  // the chain's word on every round, through one session kept for the whole drill
  const chainSession = openSession(resolved, options.inventory, 'failover');
  const report = await runDrill(
    {
      inventory: resolve(options.inventory),
      identity: options.identity,
      operators,
      rounds: options.rounds,
      objectiveMs: options.objectiveMs,
      workDir: dir,
      verifyTimeoutMs: options.verifyTimeoutMs,
      healthTimeoutSeconds: options.healthTimeoutSeconds,
      observer: chainObserverFor(resolved, chainSession),
      ...(hook ? { hook } : {}),
    },
    (line) => (term.options.json ? term.note(line) : term.print(line)),
  ).finally(() => chainSession.close());
  const files = { json: join(dir, 'drill.json'), markdown: join(dir, 'drill.md'), html: join(dir, 'drill.html') };
  writeDurably(files.json, `${JSON.stringify(report, null, 2)}\n`, 0o644);
  writeDurably(files.markdown, markdownReport(report), 0o644);
  writeDurably(files.html, htmlReport(report), 0o644);
  if (term.options.json) term.document({ ...report, files });
  else {
    const { style } = term;
    const s = report.summary;
    const line = `${s.passed} of ${s.rounds} rounds passed; median ${(s.medianMs / 1000).toFixed(1)} s, slowest ${(s.maxMs / 1000).toFixed(1)} s; largest signing gap ${s.maxGapHeights} heights; ${s.doubleSigns} double signs`;
    term.print(report.passed ? style.green(`✓ drill passed: ${line}`) : style.red(`✗ drill failed: ${line}`));
    term.print(`  report: ${files.html}\n          ${files.markdown}\n          ${files.json}`);
  }
  return report.passed ? EXIT.ok : EXIT.failed;
}
