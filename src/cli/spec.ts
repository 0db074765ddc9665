/**
 * The shape of the command table: a group (lab, protection, ...) is a name with its help; a
 * command also has its arguments, its options, a lazy `load` of its module and a typed `run`
 * that maps the parsed options onto the command's own options. `defineCommand` checks the
 * types of one entry and hides them, so entries of different modules fit in one table.
 */
import type { ExitCode } from '../exit-codes.js';
import type { Terminal } from '../output/terminal.js';
import { GLOBAL_OPTIONS } from './global.js';
import { readOptions, type OptionSpecs, type OptionValues } from './options.js';
import type { StepHook } from '../failover/hooks.js';

/** The commands other commands hang under. */
export type Parent = 'lab' | 'protection' | 'failover' | 'drill' | 'keys' | 'firewall';

export interface ArgumentSpec {
  /** `<host>`, `[identity]`, `<files...>` */
  readonly name: string;
  readonly help: string;
}

interface Described {
  readonly name: string;
  readonly parent?: Parent;
  /** The line in the parent's list of commands. */
  readonly summary: string;
  /** The text of `stake CMD --help`, with its example. */
  readonly description: string;
}

export type GlobalValues = OptionValues<typeof GLOBAL_OPTIONS>;

export interface CommandSpec<M, O extends OptionSpecs, I extends OptionSpecs> extends Described {
  readonly arguments?: readonly ArgumentSpec[];
  /** In the order `--help` lists them; keys are commander's attribute names (`--dry-run`: dryRun). */
  readonly options: O;
  /** Options of the parent command this one reads too (commander gives them to the parent). */
  readonly inherits?: I;
  readonly load: () => Promise<M>;
  /** `args` are the positional arguments, a variadic one spread out. */
  readonly run: (
    module: M,
    opts: GlobalValues & OptionValues<O> & OptionValues<I>,
    args: string[],
    term: Terminal,
    seams: Seams,
  ) => Promise<ExitCode>;
}

/**
 * What a test may put into a run of the real command line (test/support/): a hook at each
 * failover step boundary. `bin/stake` passes none.
 */
export interface Seams {
  failoverHook?: StepHook;
}

/** One row of the table, as the builder sees it. */
export interface Entry extends Described {
  readonly arguments: readonly ArgumentSpec[];
  readonly options: OptionSpecs;
  /** Absent for a group that only holds commands. */
  readonly action?: (raw: Record<string, unknown>, args: string[], term: Terminal, seams: Seams) => Promise<ExitCode>;
}

export const defineGroup = (group: Described): Entry => ({ ...group, arguments: [], options: {} });

export function defineCommand<M, O extends OptionSpecs = {}, I extends OptionSpecs = {}>(
  spec: CommandSpec<M, O, I>,
): Entry {
  const { load, run, inherits, ...described } = spec;
  return {
    ...described,
    arguments: spec.arguments ?? [],
    action: async (raw, args, term, seams) => {
      const module = await load();
      const opts = {
        ...readOptions(GLOBAL_OPTIONS, raw),
        ...readOptions(spec.options, raw),
        ...readOptions(inherits ?? ({} as I), raw),
      };
      return run(module, opts, args, term, seams);
    },
  };
}
