/**
 * The EIP-3076 module against the official interchange test suite in test/fixtures/reference/eip3076
 * (written by the client teams), every file, and a runner that can fail.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { runConformance } from '../../src/chain/eip3076-conformance.js';
import { projectPath } from '../../src/paths.js';
import { pathToFileURL } from 'node:url';

const SUITE = pathToFileURL(`${projectPath('test', 'fixtures', 'reference', 'eip3076', 'tests')}/`);
const files = readdirSync(SUITE)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (f: string) => JSON.parse(readFileSync(new URL(f, SUITE), 'utf8')) as Record<string, any>;

describe('EIP-3076: the official interchange test suite', () => {
  test('the suite is there', () => assert.ok(files.length >= 27, `${files.length} files`));
  for (const f of files) {
    test(f, () => {
      const r = runConformance(load(f));
      assert.deepEqual(r.failures, []);
      assert.equal(r.passed, true);
    });
  }

  test('the runner fails a file whose expectation is flipped', () => {
    const t = load('single_validator_slashable_blocks.json');
    const withChecks = load('single_validator_single_block.json');
    withChecks.steps[0].blocks[0].should_succeed_complete = !withChecks.steps[0].blocks[0].should_succeed_complete;
    withChecks.steps[0].blocks[0].should_succeed = !withChecks.steps[0].blocks[0].should_succeed;
    assert.equal(runConformance(withChecks).passed, false);
    assert.equal(runConformance(t).passed, true);
  });

  test("a file not of the suite's form fails by name instead of throwing", () => {
    const damaged = load('single_validator_single_block.json');
    damaged.steps[0].attestations = 'none';
    assert.deepEqual(runConformance(damaged), {
      name: 'single_validator_single_block',
      passed: false,
      failures: ['not a test file: step 0.attestations is not a list'],
    });
    assert.deepEqual(runConformance([]).failures, ['not a test file: not a JSON object']);
  });
});
