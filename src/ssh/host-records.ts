/**
 * What a host sends back is untrusted input: a host can be compromised, or simply broken. Every
 * record stake reads from a host (the deployed manifest, facts, generation records, locks, probes,
 * signing state files, status samples) passes through the guards here first: bounded in size,
 * exactly the fields its shape has (no other), each of the right type and length, and every path
 * canonical and inside the host's root. A record that fails is no record (or a finding for that
 * host), never an action. Small hand-written guards, one approach for all records. Pure.
 */
import { posix } from 'node:path';

/** The most stake reads of each kind of record from one host. */
export const RECORD_LIMITS = {
  /** A small JSON record: a generation record, a lock. */
  smallJson: 16 * 1024,
  /** The deployed manifest: thousands of files at most. */
  manifest: 4 * 1024 * 1024,
  manifestFiles: 10_000,
  /** A signing state file as raw text (its content is judged by ../chain/). */
  stateFile: 1024 * 1024,
  /** A short string field: a host, plan or user name, a time. */
  shortString: 512,
  /** A path on a host. */
  path: 4096,
  /** Status: samples per endpoint, labels per sample, characters per label value. */
  samples: 10_000,
  labels: 32,
  labelChars: 1024,
} as const;

/** Total output read from one host command: a stage's (which echoes little but may run long) and a probe's. */
export const OUTPUT_LIMITS = { default: 64 * 1024 * 1024, probe: 8 * 1024 * 1024 } as const;

export type Guard<T> = (v: unknown) => v is T;

/** No control character (C0, DEL, C1, U+2028/2029): a host's string cannot carry terminal sequences or line breaks. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export const isShortString =
  (max: number = RECORD_LIMITS.shortString): Guard<string> =>
  (v): v is string =>
    typeof v === 'string' && v.length <= max && !CONTROL.test(v);
export const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
export const isListOf =
  <T>(item: Guard<T>, max: number): Guard<T[]> =>
  (v): v is T[] =>
    Array.isArray(v) && v.length <= max && v.every(item);
export const isOneOf =
  <T extends string>(...values: T[]): Guard<T> =>
  (v): v is T =>
    typeof v === 'string' && (values as string[]).includes(v);

/**
 * An object with exactly these fields (the optional ones may be absent), each passing its guard;
 * an extra field fails it: a record whose shape stake does not know is not one it wrote.
 */
export function isRecordOf<T>(required: Record<string, Guard<unknown>>, optional: Record<string, Guard<unknown>> = {}) {
  return (v: unknown): v is T => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const record = v as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!(key in required) && !(key in optional)) return false;
    for (const [key, guard] of Object.entries(required)) if (!(key in record) || !guard(record[key])) return false;
    for (const [key, guard] of Object.entries(optional)) if (key in record && !guard(record[key])) return false;
    return true;
  };
}

/** JSON text of at most `maxChars` that passes the guard; undefined otherwise (too big, not JSON, another shape). */
export function parseRecord<T>(text: string | undefined, guard: Guard<T>, maxChars: number): T | undefined {
  if (text === undefined || text.length === 0 || text.length > maxChars) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return guard(value) ? value : undefined;
}

/**
 * A path as a host may name one: absolute, already posix-normalised (no `.`, `..`, `//` or
 * trailing `/`), of bounded length, no control character. Joined to the host's root it stays
 * inside the root, because nothing in it can climb out.
 */
export const isCanonicalPath = (v: unknown): v is string =>
  typeof v === 'string' &&
  v.length > 1 &&
  v.length <= RECORD_LIMITS.path &&
  v.startsWith('/') &&
  !CONTROL.test(v) &&
  posix.normalize(v) === v &&
  !v.endsWith('/') &&
  !v.split('/').includes('..');

/** Why a path from a host is refused, or undefined when it is a canonical path inside the root. */
export function pathProblem(root: string, path: unknown): string | undefined {
  if (!isCanonicalPath(path)) return `${JSON.stringify(String(path).slice(0, 200))} is not a canonical absolute path`;
  const full = posix.join(root, path);
  const base = root === '/' ? '/' : `${root.replace(/\/+$/, '')}/`;
  if (!full.startsWith(base)) return `${JSON.stringify(path)} leaves the host's root ${root}`;
  return undefined;
}

/** A file mode as stake writes it (`0644`), an owner (`user:group`), a sha256. */
export const isMode = (v: unknown): v is string => typeof v === 'string' && /^[0-7]{4}$/.test(v);
export const isOwner = (v: unknown): v is string =>
  typeof v === 'string' && /^[a-z_][a-z0-9_-]{0,31}\$?:[a-z_][a-z0-9_-]{0,31}\$?$/.test(v);
export const isSha256 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
export const isServiceName = (v: unknown): v is string => typeof v === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(v);
