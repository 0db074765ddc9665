/**
 * Checks parsed data against the inventory schema with ajv and turns ajv's errors into
 * diagnostics a person can act on: the dotted path, what was expected, and a did-you-mean
 * for misspelt keys and values.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import type { Diagnostic } from '../diagnostics.js';
import type { Locate } from './locate.js';
import { NAME_PATTERN } from './patterns.js';
import type { Inventory } from './schema.js';

/** Options of the compiled validator: every error (not the first), with the schema that failed. */
export const AJV_OPTIONS = { allErrors: true, strict: true, verbose: true } as const;

let compiled: ValidateFunction | undefined;

/** The validator the build precompiled (scripts/compile-validator.ts): no schema compilation at run time. */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  try {
    compiled = createRequire(import.meta.url)('./schema-validator.cjs') as ValidateFunction;
  } catch (cause) {
    throw new Error('the compiled schema validator is missing: run `npm run build` in the stake folder', { cause });
  }
  return compiled;
}

/** Returns the typed inventory when the data fits the schema, and every schema error otherwise. */
export function checkSchema(data: unknown, locate: Locate): { inventory?: Inventory; diagnostics: Diagnostic[] } {
  const validate = validator();
  if (validate(data)) return { inventory: data as Inventory, diagnostics: [] };
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    const d = describe(error, data, locate);
    if (!d) continue;
    const key = `${d.location.line}:${d.location.column}:${d.summary}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
  }
  return { diagnostics };
}

function describe(error: ErrorObject, data: unknown, locate: Locate): Diagnostic | undefined {
  const path = pointerToPath(error.instancePath);
  const where = path.length ? dotted(path) : 'the top level';
  const schema = (error.parentSchema ?? {}) as { description?: string; properties?: Record<string, unknown> };
  const p = error.params as Record<string, unknown>;
  const make = (id: string, summary: string, hint: string, at = locate(path, 'value')): Diagnostic => ({
    id,
    severity: 'error',
    summary,
    hint,
    location: at,
  });

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys(schema.properties ?? {});
      const guess = allowed.length ? closest(key, allowed) : undefined;
      return make(
        'schema/unknown-key',
        `unknown key "${key}" in ${where}`,
        guess && similar(key, guess)
          ? `did you mean "${guess}"? (allowed: ${allowed.join(', ')}; x-* keys are free)`
          : `allowed keys: ${allowed.join(', ')}; x-* keys are free`,
        locate([...path, key], 'key'),
      );
    }
    case 'required': {
      const key = String(p.missingProperty);
      return make(
        'schema/missing-key',
        `${where} is missing the required key "${key}"`,
        `add "${key}:" (see docs/inventory.md)`,
        locate(path, 'key'),
      );
    }
    case 'propertyNames': {
      const name = String(p.propertyName);
      return make(
        'schema/name',
        `"${name}" is not a valid name in ${where}`,
        `names use lowercase letters, digits and dashes (${NAME_PATTERN})`,
        locate([...path, name], 'key'),
      );
    }
    case 'type':
      return make(
        'schema/type',
        `${where} must be ${article(String(p.type))}, got ${show(error.data)}`,
        String(p.type) === 'string' && typeof error.data !== 'object' && error.data !== null
          ? `quote it as written, "${locate.source(path) ?? String(error.data)}": unquoted, YAML reads it as a ${typeof error.data}`
          : (schema.description ?? 'see docs/inventory.md'),
      );
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const got = String(error.data);
      const guess = closest(got, allowed);
      const mean = similar(got, guess) ? `did you mean "${guess}"? ` : '';
      return make(
        'schema/value',
        `${where} is ${show(error.data)}, which is not one of: ${allowed.join(', ')}`,
        `${mean}${schema.description ?? ''}`.trim(),
      );
    }
    case 'pattern':
      // A propertyNames failure also reports the inner pattern error; the propertyNames one is clearer.
      if (p.propertyName !== undefined) return undefined;
      return make(
        'schema/value',
        `${where} is ${show(error.data)}, which is not ${schema.description ?? `of the form ${String(p.pattern)}`}`,
        `expected ${schema.description ?? String(p.pattern)}`,
      );
    default:
      return make(
        'schema/value',
        `${where} ${error.message ?? 'is invalid'}${error.keyword === 'minProperties' || error.keyword === 'minItems' ? '' : `, got ${show(error.data)}`}`,
        schema.description ? `expected ${schema.description}` : 'see docs/inventory.md',
      );
  }
}

/** True when a guess is close enough to offer: a typo, not an unrelated word. */
function similar(a: string, b: string): boolean {
  return distance(a, b) <= Math.max(2, Math.floor(Math.max(a.length, b.length) / 3));
}

function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const dotted = (path: readonly (string | number)[]) => path.join('.');
const article = (type: string) =>
  (type === 'integer' || type === 'array' || type === 'object'
    ? `an ${type === 'object' ? 'mapping' : type}`
    : `a ${type}`
  ).replace('an mapping', 'a mapping');

function show(value: unknown): string {
  if (value === null) return 'null (empty)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return `${typeof value} ${String(value)}`;
}
