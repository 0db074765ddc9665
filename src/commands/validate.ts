import { hasErrors, type Diagnostic } from '../diagnostics.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { checkInventoryFile } from '../inventory/load.js';
import { countBySeverity, formatDiagnostic, plural } from '../output/diagnostics.js';
import type { Terminal } from '../output/terminal.js';
import { ALL_RULES } from '../inventory/rules/index.js';

export interface ValidateOptions {
  inventory: string;
  strict: boolean;
}

export interface ValidateReport {
  file: string;
  valid: boolean;
  stage: 'parse' | 'schema' | 'rules';
  errors: number;
  warnings: number;
  hosts?: number;
  identities?: number;
  findings: Diagnostic[];
}

/** `stake validate`: every finding of the file at once. Exit 0 clean (warnings allowed), 3 on any error. */
export async function validate(options: ValidateOptions, term: Terminal): Promise<ExitCode> {
  const { text, result } = await checkInventoryFile(options.inventory, { strict: options.strict });
  const counts = countBySeverity(result.diagnostics);
  const report: ValidateReport = {
    file: options.inventory,
    valid: !hasErrors(result.diagnostics),
    stage: result.stage,
    ...counts,
    ...(result.inventory
      ? {
          hosts: Object.keys(result.inventory.hosts).length,
          identities: Object.keys(result.inventory.validators).length,
        }
      : {}),
    findings: result.diagnostics,
  };
  if (term.options.json) term.document(report);
  else printReport(report, text, term);
  return report.valid ? EXIT.ok : EXIT.invalidInventory;
}

function printReport(report: ValidateReport, text: string, term: Terminal): void {
  const { style } = term;
  const lines = text.split('\n');
  for (const d of report.findings) term.print(`${formatDiagnostic(d, style, lines)}\n`);
  const tally = [
    report.errors ? style.red(plural(report.errors, 'error')) : '',
    report.warnings ? style.yellow(plural(report.warnings, 'warning')) : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (report.valid) {
    const what = `${plural(report.hosts ?? 0, 'host')}, ${plural(report.identities ?? 0, 'identity').replace('identitys', 'identities')}`;
    term.print(`${style.green('✓')} ${report.file} is valid (${what})${tally ? `, ${tally}` : ''}`);
    if (term.options.verbose) term.print(style.dim(`  schema and ${ALL_RULES.length} rule groups checked`));
  } else {
    term.print(`${style.red('✗')} ${report.file} is not valid: ${tally}`);
    if (report.stage === 'schema')
      term.print(style.dim('  the topology rules run once the schema errors above are fixed'));
  }
}
