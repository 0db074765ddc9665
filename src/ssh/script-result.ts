/**
 * What a host script reports, as data: it prints one record line on stdout,
 *
 *   stake-result {"step":"fence","fenced":true}
 *
 * and stake reads that line and nothing else: not a word somewhere in the output, which a
 * client's chatter, a file's content or a message could hold too. The parser takes stdout only
 * (stderr never reaches it), wants exactly one record line, parses it as JSON and checks it
 * against the shape the caller expects (the step, every field, no other field); anything else
 * is a ScriptResultError that says what was wrong.
 */
import { shq } from './shell.js';

export const RESULT_PREFIX = 'stake-result ';

/** A field whose value the host reads when it prints the record: a file's bytes, base64 (safe in JSON whatever they are). */
export interface FileField {
  base64Of: string;
}
type Literal = string | number | boolean | null | readonly Literal[] | { readonly [k: string]: Literal };
export type Field = Literal | FileField;

const isFileField = (v: Field): v is FileField =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'base64Of' in v && typeof v.base64Of === 'string';

/**
 * Shell that prints the record line. Literal fields are JSON encoded here, when the script is
 * built; a `{ base64Of: FILE }` field (FILE a shell word) is read on the host first, into a
 * variable, so a file that cannot be read stops a `set -e` script before anything is printed.
 * One line of commands separated by `;`, usable anywhere a command is.
 */
export function resultLine(step: string, fields: Record<string, Field> = {}): string {
  const commands: string[] = [];
  const parts: string[] = [];
  let text = `${RESULT_PREFIX}{"step":${JSON.stringify(step)}`;
  for (const [name, value] of Object.entries(fields)) {
    text += `,${JSON.stringify(name)}:`;
    if (isFileField(value)) {
      const variable = `stake_r${commands.length}`;
      commands.push(`${variable}=$(base64 -w0 < ${value.base64Of})`);
      parts.push(shq(`${text}"`), `"$${variable}"`);
      text = '"';
    } else text += JSON.stringify(value);
  }
  parts.push(shq(`${text}}`));
  return [...commands, `printf '${'%s'.repeat(parts.length)}\\n' ${parts.join(' ')}`].join('; ');
}

export type ResultProblem = 'missing' | 'several' | 'malformed' | 'shape';

/** A host script did not report what it should have. */
export class ScriptResultError extends Error {
  constructor(
    readonly step: string,
    readonly problem: ResultProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ScriptResultError';
  }
}

type Guard<T> = (v: unknown) => v is T;
type Guarded<G> = G extends Guard<infer T> ? T : never;

/** A result's shape: its step and a guard per field. */
export interface ResultShape<T> {
  step: string;
  is: Guard<T>;
}

/**
 * The shape of one step's record: `step` and exactly these fields, each passing its guard.
 * `ResultOf<typeof shape>` is its type.
 */
export function resultShape<S extends string, F extends Record<string, Guard<unknown>>>(
  step: S,
  fields: F,
): ResultShape<{ step: S } & { [K in keyof F]: Guarded<F[K]> }> {
  const names = new Set(['step', ...Object.keys(fields)]);
  const is = (v: unknown): v is { step: S } & { [K in keyof F]: Guarded<F[K]> } => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const record = v as Record<string, unknown>;
    if (record.step !== step) return false;
    if (Object.keys(record).some((k) => !names.has(k))) return false;
    return Object.entries(fields).every(([k, guard]) => k in record && guard(record[k]));
  };
  return { step, is };
}
export type ResultOf<R> = R extends ResultShape<infer T> ? T : never;

/** Field guards. */
export const isTrue = (v: unknown): v is true => v === true;
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isBase64 = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
export const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
export const isStringOrNull = (v: unknown): v is string | null => v === null || isString(v);

function failResult(step: string, problem: ResultProblem, why: string): never {
  throw new ScriptResultError(step, problem, `the ${step} script ${why}`);
}

/** The one record line of a script's stdout, checked against the shape; throws ScriptResultError otherwise. */
export function parseResult<T>(stdout: string, shape: ResultShape<T>): T {
  const lines = stdout
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.startsWith(RESULT_PREFIX));
  if (lines.length === 0) failResult(shape.step, 'missing', 'printed no result');
  if (lines.length > 1) failResult(shape.step, 'several', `printed ${lines.length} results, not one`);
  const text = lines[0]!.slice(RESULT_PREFIX.length);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    failResult(shape.step, 'malformed', `printed a result that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!shape.is(value)) failResult(shape.step, 'shape', `printed a result of another shape: ${text.slice(0, 200)}`);
  return value as T;
}

/** parseResult that returns the error instead of throwing it, for callers that count hosts. */
export function tryResult<T>(stdout: string, shape: ResultShape<T>): T | ScriptResultError {
  try {
    return parseResult(stdout, shape);
  } catch (err) {
    if (err instanceof ScriptResultError) return err;
    throw err;
  }
}
