/**
 * A command line held to a client's reference table (./client-reference.ts): the subcommand, then
 * each flag known to that command and its value of the right kind, or the failure the real client
 * gives (its exit code, stream and message, from its own source). Stake's renders are checked by
 * it in the tests, and the lab's simulated clients refuse to start by it, as the real ones do.
 * Pure.
 */
import type { ClientReference, CommandReference, FailureReference, FlagReference } from './client-reference.js';

export interface ArgsVerdict {
  /** The subcommand the arguments chose ("" for none). */
  command: string;
  /** Flag name (without dashes) -> values given, in order. */
  flags: Map<string, string[]>;
  /** The first thing the real client refuses, as it would say it; none if it accepts them all. */
  failure?: { exitCode: number; stream: 'stderr' | 'stdout'; message: string; flag: string };
}

const BOOL_VALUES = ['true', 'false', 'True', 'False', 'TRUE', 'FALSE', '1', '0', 't', 'f', 'T', 'F'];

/** Whether a value fits the flag's kind (what the client's own parser would reject does not). */
export function valueFits(flag: FlagReference, value: string): boolean {
  switch (flag.kind) {
    case 'bool':
      return BOOL_VALUES.includes(value);
    case 'int':
      return /^[+-]?\d+$/.test(value);
    case 'uint':
      return /^\+?\d+$/.test(value);
    case 'float':
      return value.trim() !== '' && Number.isFinite(Number(value));
    case 'duration':
      return /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^\d+$/.test(value);
    case 'enum':
      return !flag.values || flag.values.includes(value);
    default:
      return true;
  }
}

/**
 * The message as the client prints it: the table's text up to its own commentary (a note in
 * parentheses, a usage that follows), with the placeholders filled. A `{flag}` after dashes
 * takes the bare name; elsewhere the flag as typed.
 */
export function failureMessage(
  failure: FailureReference,
  fill: { flag: string; raw: string; value?: string; key?: string },
): string {
  let text = failure.message.split(/\\n|\n/)[0]!;
  text = text.replace(/\s+\((?:then|auto readers|and then)\b.*$/, '').replace(/\s{2,}\(.*$/, '');
  return text
    .replace(/-+\{flag\}/g, (m) => `${m.slice(0, m.indexOf('{'))}${fill.flag}`)
    .replace(/\{flag\}/g, `--${fill.flag}`)
    .replace(/\{raw\}/g, fill.raw)
    .replace(/\{value\}/g, fill.value ?? '')
    .replace(/\{key\}/g, fill.key ?? '')
    .replace(/\{time\}\|/g, '')
    .replace(/\{suggestion\}/g, '')
    .replace(/\{[A-Za-z _]+\}/g, (m) => m.slice(1, -1));
}

function findFlag(command: CommandReference, name: string): FlagReference | undefined {
  return command.flags.find((f) => f.name === name || (f.aliases ?? []).includes(name));
}

/** Checks arguments (without the binary) against the table. */
export function checkArgs(table: ClientReference, argv: readonly string[]): ArgsVerdict {
  let command = '';
  let spec = table.commands[''];
  const flags = new Map<string, string[]>();
  const fail = (failure: FailureReference, fill: Parameters<typeof failureMessage>[1]): ArgsVerdict => ({
    command,
    flags,
    failure: {
      exitCode: failure.exitCode,
      stream: failure.stream,
      message: failureMessage(failure, fill),
      flag: fill.flag,
    },
  });
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      const sub = command ? `${command} ${arg}` : arg;
      if (table.commands[sub]) {
        command = sub;
        spec = table.commands[sub];
      }
      continue; // a positional argument: the clients stake renders take none but the subcommand
    }
    if (!spec) break;
    const body = arg.replace(/^-{1,2}/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const flag = findFlag(spec, name);
    if (!flag) return fail(spec.unknownFlag, { flag: name, raw: arg });
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (value === undefined && flag.kind !== 'bool' && i + 1 < argv.length && !argv[i + 1]!.startsWith('--'))
      value = argv[++i]!;
    if (value === undefined && flag.kind !== 'bool')
      return fail(spec.badValue ?? spec.unknownFlag, { flag: flag.name, raw: arg, value: '' });
    if (value !== undefined && !valueFits(flag, value))
      return fail(spec.badValue ?? spec.unknownFlag, { flag: flag.name, raw: arg, value });
    const list = flags.get(flag.name) ?? [];
    list.push(value ?? 'true');
    flags.set(flag.name, list);
  }
  return { command, flags };
}

/** The keys of a config file the table does not know (dynamic key patterns allowed). */
export function unknownConfigKeys(table: ClientReference, command: string, keys: readonly string[]): string[] {
  const files = (table.configFiles ?? []).filter((f) => f.command === command);
  const known = new Set(files.flatMap((f) => f.keys.map((k) => k.path)));
  const patterns = files.flatMap((f) =>
    (f.dynamicKeys ?? []).map(
      (d) =>
        new RegExp(
          `^${d.pattern
            .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
            .replace(/%s/g, '[^.]+')
            .replace(/<path>/g, '.+')}(\\..+)?$`,
        ),
    ),
  );
  // a key is known when it, or a parent of it (a map or list whose members the table does not list), is
  const knownAt = (key: string) => {
    const parts = key.split('.');
    for (let n = parts.length; n > 0; n--) if (known.has(parts.slice(0, n).join('.'))) return true;
    return patterns.some((p) => p.test(key));
  };
  return keys.filter((k) => !knownAt(k));
}

/** The dotted key paths of a parsed config document (maps descended; lists and values are leaves). */
export function keyPaths(doc: unknown, prefix = ''): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return prefix ? [prefix] : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0)
      out.push(...keyPaths(v, path));
    else out.push(path);
  }
  return out;
}
