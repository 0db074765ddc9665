/**
 * Property: whatever is done to a real inventory (keys deleted, duplicated or retyped, lines
 * repeated, bytes corrupted), validation never throws, ends in exit 0 or 3, and every finding
 * names a location inside the file. Each runs with its fixed seed (CI repeatable) and a random
 * one (test/support/seeds.ts: printed; STAKE_SEED=n replays it); a failure prints the seed and
 * the shrunk input.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { hasErrors } from '../../src/diagnostics.js';
import { validateInventory } from '../../src/inventory/validate.js';
import { example, runStake } from '../support/helpers.js';
import { propertySeeds, seedNote } from '../support/seeds.js';

const FIXED_SEED = 20261121;
const EXAMPLES = (['cosmos', 'ethereum', 'cardano'] as const).map((name) => example(name));

/** Every path to a node of the document: the places a mutation can hit. */
function paths(doc: Document): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (isMap(node))
      for (const pair of node.items) {
        const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
        out.push([...path, key]);
        walk(pair.value, [...path, key]);
      }
    else if (isSeq(node))
      node.items.forEach((item, i) => {
        out.push([...path, i]);
        walk(item, [...path, i]);
      });
  };
  walk(doc.contents, []);
  return out;
}

const junk = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 }),
);

type Mutation =
  | { kind: 'delete'; pick: number }
  | { kind: 'retype'; pick: number; value: unknown }
  | { kind: 'duplicate-line'; pick: number }
  | { kind: 'corrupt'; pick: number; text: string }
  | { kind: 'truncate'; pick: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('retype' as const), pick: fc.nat(), value: junk }),
  fc.record({ kind: fc.constant('duplicate-line' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('corrupt' as const),
    pick: fc.nat(),
    text: fc.oneof(
      fc.constantFrom('{', '[', ':', '"', '&a', '*a', '\t', '- ', '\u0000', '\n  x: 1'),
      fc.string({ maxLength: 4 }),
    ),
  }),
  fc.record({ kind: fc.constant('truncate' as const), pick: fc.nat() }),
);

function mutate(text: string, m: Mutation): string {
  if (m.kind === 'duplicate-line') {
    const lines = text.split('\n');
    const i = m.pick % lines.length;
    lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  }
  if (m.kind === 'corrupt') {
    const at = m.pick % (text.length + 1);
    return text.slice(0, at) + m.text + text.slice(at);
  }
  if (m.kind === 'truncate') return text.slice(0, m.pick % (text.length + 1));
  const doc = parseDocument(text);
  if (doc.errors.length) return text;
  const all = paths(doc);
  const path = all[m.pick % all.length]!;
  try {
    if (m.kind === 'delete') doc.deleteIn(path);
    else doc.setIn(path, m.value);
    return String(doc);
  } catch {
    return text; // the library cannot re-serialise this document (an unresolved alias, say): keep it as is
  }
}

const input = fc.record({
  base: fc.nat({ max: EXAMPLES.length - 1 }),
  steps: fc.array(mutation, { minLength: 1, maxLength: 4 }),
});
const build = ({ base, steps }: { base: number; steps: Mutation[] }) => steps.reduce(mutate, EXAMPLES[base]!);

describe('validate under random mutation', () => {
  for (const { seed, label } of propertySeeds(FIXED_SEED))
    test(`never throws, and every finding lies inside the file (${label})`, (t) => {
      t.diagnostic(seedNote(seed));
      fc.assert(
        fc.property(input, (spec) => {
          const text = build(spec);
          const lines = text.split('\n');
          const result = validateInventory('inventory.yaml', Buffer.from(text, 'utf8'));
          for (const d of result.diagnostics) {
            assert.ok(
              d.location.line >= 1 && d.location.line <= lines.length,
              `line ${d.location.line} outside 1..${lines.length}: ${d.id} ${d.summary}`,
            );
            assert.ok(
              d.location.column >= 1 && d.location.column <= (lines[d.location.line - 1]?.length ?? 0) + 1,
              `column ${d.location.column} outside line ${d.location.line}`,
            );
            assert.ok(d.summary.length > 0 && (d.hint ?? '').length > 0, `${d.id} has a summary and a hint`);
          }
          // A file that is not valid always says why.
          if (!result.inventory) assert.ok(hasErrors(result.diagnostics));
        }),
        { seed, numRuns: Number(process.env.STAKE_FUZZ_RUNS ?? 1500), verbose: 1 },
      );
    });

  for (const { seed, label } of propertySeeds(FIXED_SEED))
    test(`the CLI exits 0 or 3, without a stack trace (${label})`, (t) => {
      t.diagnostic(seedNote(seed));
      const dir = mkdtempSync(join(tmpdir(), 'stake-fuzz-'));
      try {
        const samples = fc.sample(input, { seed, numRuns: 25 });
        const codes = new Set<number | null>();
        for (const [i, spec] of samples.entries()) {
          const path = join(dir, `m${i}.yaml`);
          writeFileSync(path, build(spec));
          const r = runStake(['validate', '-i', path]);
          codes.add(r.code);
          assert.ok(r.code === 0 || r.code === 3, `exit ${r.code} for ${path}: ${r.stderr}`);
          assert.doesNotMatch(r.stdout + r.stderr, /internal error|\n\s+at .*:\d+:\d+\)/);
        }
        assert.ok(codes.has(3), 'some mutations must be invalid, or the test proves nothing');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
});
