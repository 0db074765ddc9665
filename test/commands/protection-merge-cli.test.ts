/**
 * Oracle: `stake protection merge` run through bin/stake on interchange files taken from the
 * official EIP-3076 tests that import several interchanges one after another. What the merged
 * file must refuse and allow is the official test's own expectation, not stake's; its form is
 * checked against the official schema.json with ajv.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { projectPath } from '../../src/paths.js';
import { runStake } from '../support/helpers.js';

const REFERENCE = projectPath('test', 'fixtures', 'reference', 'eip3076');
const SUITE = join(REFERENCE, 'tests');

interface Attempt {
  pubkey: string;
  slot?: string;
  source_epoch?: string;
  target_epoch?: string;
  signing_root?: string;
  should_succeed: boolean;
  should_succeed_complete?: boolean;
}
interface Interchange {
  metadata: { interchange_format_version: string; genesis_validators_root: string };
  data: {
    pubkey: string;
    signed_blocks: { slot: string; signing_root?: string }[];
    signed_attestations: { source_epoch: string; target_epoch: string; signing_root?: string }[];
  }[];
}
interface Step {
  should_succeed: boolean;
  contains_slashable_data: boolean;
  interchange: Interchange;
  blocks: Attempt[];
  attestations: Attempt[];
}
interface OfficialTest {
  name: string;
  genesis_validators_root: string;
  steps: Step[];
}

const load = (file: string) => JSON.parse(readFileSync(join(SUITE, file), 'utf8')) as OfficialTest;
const expected = (a: Attempt) => a.should_succeed_complete ?? a.should_succeed;

/**
 * Tests whose verdicts a merged file can answer: several interchanges, every import accepted, and
 * attempts only after the last import. An attempt between two imports is signed into the history
 * the next import joins, which no interchange file holds, so those tests cannot be merged into one.
 */
const mergeable = readdirSync(SUITE)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .filter((f) => {
    const t = load(f);
    return (
      t.steps.length > 1 &&
      t.steps.every((s) => s.should_succeed) &&
      t.steps.slice(0, -1).every((s) => s.blocks.length + s.attestations.length === 0)
    );
  });

/** Every signed record of an interchange, written out without stake's code (keys are compared lowercased). */
const recordsOf = (doc: Interchange) =>
  doc.data.flatMap((d) => [
    ...d.signed_blocks.map((b) => `${d.pubkey.toLowerCase()} block ${b.slot} ${b.signing_root ?? ''}`),
    ...d.signed_attestations.map(
      (a) => `${d.pubkey.toLowerCase()} attestation ${a.source_epoch}->${a.target_epoch} ${a.signing_root ?? ''}`,
    ),
  ]);

const schema = JSON.parse(readFileSync(join(REFERENCE, 'schema.json'), 'utf8')) as Record<string, unknown>;
/**
 * The official schema writes each list's items as a one-entry tuple (`"items": [ {...} ]`), which
 * JSON Schema reads as "the first entry only" (hence strictTuples off to compile it as published).
 * The same schema with each tuple read as "every entry" checks all of them, as the EIP means.
 */
const everyEntry = (node: unknown): unknown =>
  Array.isArray(node)
    ? node.map(everyEntry)
    : typeof node === 'object' && node !== null
      ? Object.fromEntries(
          Object.entries(node).map(([k, v]) => [
            k,
            k === 'items' && Array.isArray(v) && v.length === 1 ? everyEntry(v[0]) : everyEntry(v),
          ]),
        )
      : node;
const ajv = new Ajv({ allErrors: true, strictTuples: false });
const asPublished = ajv.compile(schema);
const forEveryEntry = ajv.compile(everyEntry(schema) as Record<string, unknown>);

describe('stake protection merge (bin/stake) on interchanges of the official EIP-3076 tests', () => {
  test('the tests it can be checked on are the six multi-import files of the suite', () => {
    assert.deepEqual(mergeable, [
      'multiple_interchanges_multiple_validators_repeat_idem.json',
      'multiple_interchanges_overlapping_validators_merge_stale.json',
      'multiple_interchanges_overlapping_validators_repeat_idem.json',
      'multiple_interchanges_single_validator_fail_iff_imported.json',
      'multiple_interchanges_single_validator_single_block_out_of_order.json',
      'multiple_interchanges_single_validator_single_message_gap.json',
    ]);
  });

  test('the schema variant is stricter than the published one: it sees a bad second entry', () => {
    const doc = load(mergeable[0]!).steps[0]!.interchange;
    const bad = structuredClone(doc);
    (bad.data[1]!.signed_blocks[1] as { slot: unknown }).slot = 12;
    assert.equal(asPublished(bad), true, 'the published schema checks only the first entry');
    assert.equal(forEveryEntry(bad), false);
    assert.equal(forEveryEntry(doc), true);
  });

  for (const file of mergeable) {
    test(file, () => {
      const official = load(file);
      const last = official.steps.at(-1)!;
      const dir = mkdtempSync(join(tmpdir(), 'stake-merge-oracle-'));
      try {
        const inputs = official.steps.map((step, i) => {
          const path = join(dir, `step-${i}.json`);
          writeFileSync(path, JSON.stringify(step.interchange));
          return path;
        });
        const out = join(dir, 'merged.json');
        const merge = runStake(['protection', 'merge', ...inputs, '-o', out]);
        assert.equal(merge.code, 0, merge.stdout + merge.stderr);
        assert.match(merge.stderr + merge.stdout, new RegExp(`merged ${inputs.length} interchange files`));
        const merged = JSON.parse(readFileSync(out, 'utf8')) as Interchange;

        assert.equal(asPublished(merged), true, JSON.stringify(asPublished.errors));
        assert.equal(forEveryEntry(merged), true, JSON.stringify(forEveryEntry.errors));
        assert.equal(merged.metadata.genesis_validators_root, official.genesis_validators_root);
        const held = new Set(recordsOf(merged));
        for (const step of official.steps)
          for (const record of recordsOf(step.interchange)) assert.ok(held.has(record), `merged holds ${record}`);

        // What the official test says is slashable after its imports, the merged file refuses (exit 4).
        const refusals = [...last.blocks, ...last.attestations].filter((a) => !expected(a));
        assert.ok(refusals.length > 0, 'the official test refuses something');
        for (const a of refusals) {
          const what =
            a.slot !== undefined ? ['--block', a.slot] : ['--attestation', `${a.source_epoch}:${a.target_epoch}`];
          const root = a.signing_root ? ['--signing-root', a.signing_root] : [];
          const r = runStake(['protection', 'check', out, '--pubkey', a.pubkey, ...what, ...root]);
          assert.equal(r.code, 4, `${what.join(' ')} by ${a.pubkey.slice(0, 10)}: ${r.stdout}${r.stderr}`);
          assert.match(r.stdout, /SLASHABLE/);
        }

        // And every attempt, in the official order, gets the official verdict with the merged file imported once.
        const single = join(dir, 'merged-as-one-step.json');
        writeFileSync(
          single,
          JSON.stringify({
            name: `${official.name} (merged by stake)`,
            genesis_validators_root: official.genesis_validators_root,
            steps: [
              {
                should_succeed: true,
                contains_slashable_data: official.steps.some((s) => s.contains_slashable_data),
                interchange: merged,
                blocks: last.blocks,
                attestations: last.attestations,
              },
            ],
          }),
        );
        const conformance = runStake(['protection', 'conformance', single]);
        assert.equal(conformance.code, 0, conformance.stdout + conformance.stderr);
        assert.match(conformance.stdout, /^pass {2}merged-as-one-step\.json$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
