/**
 * Typed option declarations: each builder makes the commander Option (flag, help, parser,
 * default, choices, env) and knows the type of the value commander stores for it, so a
 * command's `run` gets its options typed without casts.
 */
import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../failover/plan.js';

export interface OptionSpec<T> {
  /** The commander option, made fresh for each command that declares it. */
  readonly make: () => Option;
  /** The value commander stored for it, as its type. */
  readonly read: (raw: unknown) => T;
}

export type OptionSpecs = Record<string, OptionSpec<unknown>>;
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]: O[K] extends OptionSpec<infer T> ? T : never };

/** The values of `specs` out of commander's parsed options (keys are commander's attribute names). */
export function readOptions<O extends OptionSpecs>(specs: O, raw: Record<string, unknown>): OptionValues<O> {
  const values: Partial<Record<keyof O, unknown>> = {};
  for (const key of Object.keys(specs) as (keyof O & string)[]) values[key] = specs[key]!.read(raw[key]);
  return values as OptionValues<O>;
}

/** `--a <x>` repeated or comma-separated: one list. */
export const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];
/** `--a <x>` repeated, each value whole. */
const append = (value: string, previous: string[]) => [...previous, value];

/** Whole numbers of at least 1, for counts and seconds: 0 or `abc` is a usage error, not a silent default. */
export const atLeastOne = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what}: a whole number, at least 1`);
  return n;
};

/** "30m", "90s", "2h" or plain seconds, at least a second; in milliseconds. */
export const duration = (v: string) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms < 1000) throw new InvalidArgumentError('a duration such as 30m, 90s or 2h');
  return ms;
};

const spec = <T>(make: () => Option, read: (raw: unknown) => T): OptionSpec<T> => ({ make, read });
const text = (raw: unknown) => (typeof raw === 'string' ? raw : undefined);
const list = (raw: unknown) => (Array.isArray(raw) ? raw.map(String) : []);

/** A switch, off unless given. */
export const flag = (flags: string, help: string) =>
  spec(
    () => new Option(flags, help).default(false),
    (v) => v === true,
  );

/** `--no-x`: on unless given. */
export const negatable = (flags: string, help: string) =>
  spec(
    () => new Option(flags, help),
    (v) => v !== false,
  );

/** A value, absent unless given. */
export const value = (flags: string, help: string) => spec(() => new Option(flags, help), text);

/** A value with a default (and perhaps an environment variable). */
export const valueOr = (flags: string, help: string, fallback: string, env?: string) =>
  spec(
    () => {
      const option = new Option(flags, help);
      if (env) option.env(env);
      return option.default(fallback);
    },
    (v) => text(v) ?? fallback,
  );

/** A value that must be given. */
export const required = (flags: string, help: string) =>
  spec(
    () => new Option(flags, help).makeOptionMandatory(),
    (v) => text(v) ?? '',
  );

/** One of `choices`. */
export const choice = <const C extends readonly [string, ...string[]]>(
  flags: string,
  help: string,
  choices: C,
  fallback: C[number],
) =>
  spec(
    () => new Option(flags, help).choices(choices).default(fallback),
    (v): C[number] => choices.find((c) => c === v) ?? fallback,
  );

/** Repeatable; comma-separated values split unless `whole`; `mandatory` as commander's requiredOption. */
export const many = (flags: string, help: string, { whole = false, mandatory = false } = {}) =>
  spec(
    () =>
      new Option(flags, help)
        .default([])
        .argParser(whole ? append : collect)
        .makeOptionMandatory(mandatory),
    list,
  );

/** A whole number of at least 1 (`what` names it in the error). */
export const count = (flags: string, help: string, what: string, fallback: number) =>
  spec(() => new Option(flags, help).default(fallback).argParser(atLeastOne(what)), Number);

/** A duration (30m, 90s, 2h) in milliseconds. */
export const milliseconds = (flags: string, help: string, fallback: number) =>
  spec(() => new Option(flags, help).default(fallback).argParser(duration), Number);

/** `-v -v`: how many times given. */
export const repeats = (flags: string, help: string) =>
  spec(() => new Option(flags, help).default(0).argParser((_: string, previous: number) => previous + 1), Number);
