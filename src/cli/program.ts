/**
 * The commander program: `stake` with its global options and help, and the one function that
 * turns the command table into commander commands.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { ExitCode } from '../exit-codes.js';
import type { Terminal } from '../output/terminal.js';
import { projectPath } from '../paths.js';
import { GLOBAL_OPTIONS } from './global.js';
import { readOptions } from './options.js';
import type { Entry, Seams } from './spec.js';

/** One line per command for `stake --help`: what it does is the summary, this is how to call it. */
const EXAMPLES: [string, string][] = [
  ['stake validate -i inventories/cosmos.yaml', 'check an inventory: schema and topology rules'],
  ['stake validate --strict --json', 'warnings fail too; findings as data'],
  ['stake hosts -i inventories/ethereum.yaml', 'the hosts by tier and datacenter, with their roles'],
  ['stake render --out rendered/ --host val-fra', 'the files each host needs, with a manifest'],
  ['stake graph --format dot | dot -Tsvg > topology.svg', 'the topology as a picture'],
  ['stake trust val-fra', "check a host's SSH key fingerprint and trust it"],
  ['stake plan --limit validator', 'what deploy would change on the validators'],
  ['stake deploy --limit sentry', 'apply the plan: rolling, health-checked, rolled back on failure'],
  ['stake firewall explain val-fra', "why each rule of a host's firewall exists"],
  ['stake status --watch', 'the on-call view of every host and identity, redrawn in place'],
  ['stake lab up -i inventories/cosmos.yaml', 'a local lab: real sshd hosts and a simulated chain'],
];

function version(): string {
  try {
    return (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Makes the terminal from the global options (they are the same for every command). */
export type MakeTerminal = (globals: ReturnType<typeof readGlobals>) => Promise<Terminal>;
const readGlobals = (raw: Record<string, unknown>) => readOptions(GLOBAL_OPTIONS, raw);

/**
 * `stake` and every command of `table` (a parent before its commands, in the order `--help`
 * lists them). Running a command makes the terminal, then loads and runs the command; its exit
 * code goes to `done`.
 */
export function buildProgram(
  table: readonly Entry[],
  makeTerminal: MakeTerminal,
  done: (exitCode: ExitCode) => void,
  seams: Seams = {},
): Command {
  const program = new Command()
    .name('stake')
    .description(
      'Validate, render, deploy and fail over multi-tier validator infrastructure (cosmos, ethereum, cardano).',
    )
    .version(version(), '-V, --version', 'print the version');
  for (const option of Object.values(GLOBAL_OPTIONS)) program.addOption(option.make());
  program
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run 'stake --help' for usage)")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .addHelpText(
      'after',
      `\nExamples:\n${EXAMPLES.map(([cmd, what]) => `  $ ${cmd.padEnd(48)} # ${what}`).join('\n')}\n\nExit codes: 0 ok, 1 failed, 2 usage, 3 invalid inventory, 4 refused by a safety guard, 5 hosts unreachable, 130 interrupted.\nDocs: docs/README.md`,
    );

  const parents = new Map<string, Command>();
  for (const entry of table) {
    const parent = entry.parent ? parents.get(entry.parent) : program;
    if (!parent) throw new Error(`stake: command table: ${entry.name} before its parent ${entry.parent}`);
    const command = parent.command(entry.name);
    if (!entry.parent) parents.set(entry.name, command);
    for (const argument of entry.arguments) command.argument(argument.name, argument.help);
    command.summary(entry.summary).description(entry.description);
    for (const [key, spec] of Object.entries(entry.options)) {
      const option = spec.make();
      if (option.attributeName() !== key)
        throw new Error(`stake: command table: ${entry.name} ${option.long}: stored as ${option.attributeName()}`);
      command.addOption(option);
    }
    const { action } = entry;
    if (action)
      command.action(async () => {
        const raw = command.optsWithGlobals<Record<string, unknown>>();
        const term = await makeTerminal(readGlobals(raw));
        done(await action(raw, command.args, term, seams));
      });
  }
  return program;
}
