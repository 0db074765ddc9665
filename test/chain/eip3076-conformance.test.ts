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

describe("EIP-3076: the conformance runner's own verdicts", () => {
  const GVR = `0x${'04'.repeat(32)}`;
  const PK = `0x${'a1'.repeat(48)}`;
  const interchange = (blocks: string[] = [], version = '5') => ({
    metadata: { interchange_format_version: version, genesis_validators_root: GVR },
    data: [{ pubkey: PK, signed_blocks: blocks.map((slot) => ({ slot })), signed_attestations: [] }],
  });
  const step = (over: Record<string, unknown> = {}) => ({
    should_succeed: true,
    contains_slashable_data: false,
    interchange: interchange(['10']),
    blocks: [],
    attestations: [],
    ...over,
  });
  const file = (steps: unknown[]) => ({ name: 'hand-made', genesis_validators_root: GVR, steps });
  const block = (slot: string, should_succeed: boolean, complete?: boolean) => ({
    pubkey: PK,
    slot,
    should_succeed,
    ...(complete === undefined ? {} : { should_succeed_complete: complete }),
  });
  const attestation = (source: string, target: string, should_succeed: boolean) => ({
    pubkey: PK,
    source_epoch: source,
    target_epoch: target,
    should_succeed,
  });

  test('a file without steps is no test file, and says so under its name or "(unnamed)"', () => {
    assert.deepEqual(runConformance({ name: 'x' }), {
      name: 'x',
      passed: false,
      failures: ['not a test file: no steps'],
    });
    assert.deepEqual(runConformance(undefined), {
      name: '(unnamed)',
      passed: false,
      failures: ['not a test file: not a JSON object'],
    });
    assert.equal(runConformance({ name: 7, genesis_validators_root: GVR, steps: [] }).name, '(unnamed)');
  });

  test('each way a file can be damaged fails by name, saying which field, and nothing is run', () => {
    const good = () =>
      file([step({ blocks: [block('11', true)], attestations: [attestation('1', '2', true)] })]) as Record<string, any>;
    const cases: [string, (f: Record<string, any>) => void, string][] = [
      ['a root that is not a string', (f) => (f.genesis_validators_root = 7), 'no genesis_validators_root'],
      [
        'a root of another form',
        (f) => (f.genesis_validators_root = '0x12'),
        'genesis validators root must be 0x and 64 hex digits',
      ],
      ['a step that is a list', (f) => (f.steps[0] = []), 'step 0 is not an object'],
      ['should_succeed missing', (f) => delete f.steps[0].should_succeed, 'step 0.should_succeed is not true or false'],
      [
        'contains_slashable_data a string',
        (f) => (f.steps[0].contains_slashable_data = 'no'),
        'step 0.contains_slashable_data is not true or false',
      ],
      ['blocks not a list', (f) => (f.steps[0].blocks = {}), 'step 0.blocks is not a list'],
      ['a block that is null', (f) => (f.steps[0].blocks[0] = null), 'step 0 block 0 is not an object'],
      ['a block without its key', (f) => delete f.steps[0].blocks[0].pubkey, 'step 0 block 0.pubkey is not a string'],
      ['a slot as a number', (f) => (f.steps[0].blocks[0].slot = 11), 'step 0 block 0.slot is not a decimal string'],
      ['a slot with a sign', (f) => (f.steps[0].blocks[0].slot = '-1'), 'step 0 block 0.slot is not a decimal string'],
      [
        'a slot with a suffix',
        (f) => (f.steps[0].blocks[0].slot = '11x'),
        'step 0 block 0.slot is not a decimal string',
      ],
      [
        'a signing root that is a number',
        (f) => (f.steps[0].blocks[0].signing_root = 1),
        'step 0 block 0.signing_root is not a string',
      ],
      [
        'a verdict that is a string',
        (f) => (f.steps[0].blocks[0].should_succeed = 'yes'),
        'step 0 block 0.should_succeed is not true or false',
      ],
      [
        'a complete verdict that is a number',
        (f) => (f.steps[0].blocks[0].should_succeed_complete = 1),
        'step 0 block 0.should_succeed_complete is not true or false',
      ],
      [
        'a target epoch of another form',
        (f) => (f.steps[0].attestations[0].target_epoch = '0x2'),
        'step 0 attestation 0.target_epoch is not a decimal string',
      ],
      [
        'a source epoch missing',
        (f) => delete f.steps[0].attestations[0].source_epoch,
        'step 0 attestation 0.source_epoch is not a decimal string',
      ],
    ];
    assert.deepEqual(runConformance(good()), { name: 'hand-made', passed: true, failures: [] });
    for (const [what, damage, failure] of cases) {
      const f = good();
      damage(f);
      const r = runConformance(f);
      assert.equal(r.passed, false, what);
      assert.equal(r.failures.length, 1, `${what}: ${JSON.stringify(r.failures)}`);
      assert.ok(r.failures[0]!.startsWith('not a test file: '), `${what}: ${r.failures[0]}`);
      assert.ok(r.failures[0]!.includes(failure), `${what}: ${r.failures[0]} (wanted ${failure})`);
      assert.equal(r.name, 'hand-made', what);
    }
  });

  test('a file whose every expectation holds passes, under its name', () => {
    const r = runConformance(
      file([step({ blocks: [block('10', false), block('11', true)], attestations: [attestation('1', '2', true)] })]),
    );
    assert.deepEqual(r, { name: 'hand-made', passed: true, failures: [] });
  });

  test('each wrong block and attestation verdict is one failure naming the step, the item and both verdicts', () => {
    const r = runConformance(
      file([
        step({
          blocks: [block('11', false)],
          attestations: [attestation('1', '2', true), attestation('2', '3', false)],
        }),
      ]),
    );
    assert.deepEqual(r.failures, [
      'step 0 block 0 (slot 11): signed, expected refused',
      'step 0 attestation 1 (2->3): signed, expected refused',
    ]);
    const refused = runConformance(
      file([step({ blocks: [block('9', true)], attestations: [attestation('3', '2', true)] })]),
    );
    assert.deepEqual(refused.failures, [
      'step 0 block 0 (slot 9): refused (slot 9 is at or below the lowest signed slot 10), expected signed',
      'step 0 attestation 0 (3->2): refused (source epoch 3 is after target epoch 2), expected signed',
    ]);
  });

  test("the complete strategy's expectation wins over the minimal one when the file gives both", () => {
    const r = runConformance(file([step({ blocks: [block('10', true, false)] })]));
    assert.deepEqual(r.failures, []);
    assert.deepEqual(runConformance(file([step({ blocks: [block('10', false, true)] })])).failures, [
      'step 0 block 0 (slot 10): refused (a different block at slot 10 is already signed (double proposal)), expected signed',
    ]);
  });

  test('an import that should be refused but is not, and one refused that should pass, are failures', () => {
    assert.deepEqual(runConformance(file([step({ should_succeed: false })])).failures, [
      'step 0: the import succeeded but should be refused',
    ]);
    assert.deepEqual(runConformance(file([step({ interchange: interchange([], '4') })])).failures, [
      'step 0: the import was refused (interchange_format_version "4" is not "5") but should succeed',
    ]);
  });

  test('a refused import of slashable data ends the file: later steps are not attempted', () => {
    const refusedThenWrong = file([
      step({ should_succeed: false, contains_slashable_data: true, interchange: interchange([], '4') }),
      step({ blocks: [block('10', true)] }),
    ]);
    assert.deepEqual(runConformance(refusedThenWrong), { name: 'hand-made', passed: true, failures: [] });
    const notSlashable = file([
      step({ should_succeed: false, interchange: interchange([], '4'), blocks: [block('5', false)] }),
    ]);
    assert.deepEqual(runConformance(notSlashable).failures, ['step 0 block 0 (slot 5): signed, expected refused']);
  });

  test('an error that is not a refusal of the interchange is a bug, and is thrown, not counted', () => {
    const broken = step({
      interchange: {
        get metadata(): never {
          throw new RangeError('boom');
        },
      },
    });
    assert.throws(() => runConformance(file([broken])), RangeError);
  });
});
