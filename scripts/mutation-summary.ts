/**
 * Prints the mutation score of each module of the safety core from Stryker's JSON report
 * (reports/mutation/mutation.json, written by `npm run test:mutation`), then each group's, then
 * every mutant that survived, as `file:line mutator → replacement`, the list docs/development.md
 * keeps classified. Exits 1 when a module scores below the target, so a drop is not only printed.
 *
 *   node dist/scripts/mutation-summary.js [report.json] [--target 90]
 */
import { readFileSync } from 'node:fs';
import { projectPath } from '../src/paths.js';

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

export interface Score {
  name: string;
  killed: number;
  survived: number;
  noCoverage: number;
  /** Killed over killed, survived and uncovered, in percent; mutants that did not compile or run are not counted. */
  score: number;
}

/** Killed and timed-out mutants both fail a test (a mutant that loops forever is caught); errors count for neither side. */
const KILLED = new Set(['Killed', 'Timeout']);

export function scoreOf(name: string, mutants: readonly Mutant[]): Score {
  const killed = mutants.filter((m) => KILLED.has(m.status)).length;
  const survived = mutants.filter((m) => m.status === 'Survived').length;
  const noCoverage = mutants.filter((m) => m.status === 'NoCoverage').length;
  const counted = killed + survived + noCoverage;
  return { name, killed, survived, noCoverage, score: counted === 0 ? 100 : (100 * killed) / counted };
}

/** The group of a module: its folder under src/ (src/inventory/rules/signers.ts is in inventory/rules). */
export const groupOf = (file: string) => file.replace(/^src\//, '').replace(/\/[^/]*$/, '');

function row(s: Score): string {
  const total = s.killed + s.survived + s.noCoverage;
  return `${s.score.toFixed(1).padStart(6)}%  ${String(s.killed).padStart(4)} of ${String(total).padEnd(4)}  ${s.survived ? `${s.survived} survived` : ''}${s.noCoverage ? `${s.survived ? ', ' : ''}${s.noCoverage} not covered` : ''}`;
}

function main(argv: string[]): number {
  const targetAt = argv.indexOf('--target');
  const target = targetAt >= 0 ? Number(argv[targetAt + 1]) : 90;
  const rest = argv.filter((a, i) => !a.startsWith('--') && (targetAt < 0 || i !== targetAt + 1));
  const path = rest[0] ?? projectPath('reports', 'mutation', 'mutation.json');
  const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
  const files = Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(...files.map(([f]) => f.length));

  console.log(`Mutation score per module (target ${target}%: killed / (killed + survived + not covered))`);
  const scores = files.map(([file, { mutants }]) => scoreOf(file, mutants));
  for (const s of scores) console.log(`  ${s.name.padEnd(width)}  ${row(s)}`);

  console.log('\nPer group');
  const groups = [...new Set(files.map(([f]) => groupOf(f)))];
  for (const g of groups) {
    const mutants = files.filter(([f]) => groupOf(f) === g).flatMap(([, { mutants }]) => mutants);
    console.log(`  ${g.padEnd(width)}  ${row(scoreOf(g, mutants))}`);
  }
  console.log(
    `  ${'all'.padEnd(width)}  ${row(
      scoreOf(
        'all',
        files.flatMap(([, f]) => f.mutants),
      ),
    )}`,
  );

  const survivors = files.flatMap(([file, { mutants }]) =>
    mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map((m) => ({ file, m }))
      .sort((a, b) => a.m.location.start.line - b.m.location.start.line),
  );
  console.log(`\nSurviving mutants (${survivors.length})`);
  for (const { file, m } of survivors)
    console.log(
      `  ${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (not covered)' : ''} → ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)}`,
    );

  const below = scores.filter((s) => s.score < target);
  if (below.length) {
    console.log(`\nBelow ${target}%: ${below.map((s) => s.name).join(', ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
