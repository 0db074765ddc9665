/**
 * The command line: the commands are a table (src/cli/commands/), each command's code is
 * imported only when that command runs (so `stake --version` loads almost nothing), and one
 * handler turns every failure into the documented exit code, without a stack trace unless
 * STAKE_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { COMMANDS } from './cli/commands/index.js';
import { buildProgram } from './cli/program.js';
import type { Seams } from './cli/spec.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Terminal } from './output/terminal.js';
import { neutralize } from './output/untrusted.js';

/** Runs the command line; `seams` are for tests only (see src/cli/spec.ts). */
export async function main(argv: readonly string[], seams: Seams = {}): Promise<ExitCode> {
  // `stake hosts | head`: a reader that goes away is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  let term: Terminal | undefined;
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram(
    COMMANDS,
    async (globals) => {
      const { makeTerminal, colorWanted } = await import('./output/terminal.js');
      term = makeTerminal({
        json: globals.json,
        color: colorWanted(globals.color, globals.json),
        verbose: globals.verbose,
      });
      return term;
    },
    (code) => (exitCode = code),
    seams,
  );

  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    return handleError(err, term);
  }
}

/** The one place failures become exit codes and messages. */
async function handleError(err: unknown, term: Terminal | undefined): Promise<ExitCode> {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    return EXIT.usage; // commander has printed the message and its suggestion
  }
  const { StakeError, InvalidInventoryError } = await import('./errors.js');
  const json = term?.options.json ?? false;
  const write = (text: string) => (term ? term.note(text) : process.stderr.write(`${neutralize(text)}\n`));
  if (process.env.STAKE_DEBUG === '1' && err instanceof Error) write(err.stack ?? String(err));

  if (err instanceof StakeError) {
    if (json && term) {
      const diagnostics = err instanceof InvalidInventoryError ? err.diagnostics : undefined;
      term.document({
        error: {
          message: err.message,
          hint: err.hint,
          exitCode: err.exitCode,
          ...(diagnostics ? { findings: diagnostics } : {}),
        },
      });
      return err.exitCode;
    }
    if (err instanceof InvalidInventoryError) {
      const { formatDiagnostic } = await import('./output/diagnostics.js');
      const { Chalk } = await import('chalk');
      const style = term?.style ?? new Chalk({ level: 0 });
      const lines = err.source.split('\n');
      for (const d of err.diagnostics.filter((x) => x.severity === 'error'))
        write(`${formatDiagnostic(d, style, lines)}\n`);
    }
    write(`stake: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
    return err.exitCode;
  }
  write(`stake: internal error: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.STAKE_DEBUG !== '1') write('  set STAKE_DEBUG=1 for the stack trace, and please report it');
  return EXIT.failed;
}
