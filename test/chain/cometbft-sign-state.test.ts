/** CometBFT's sign-state watermark, against the official examples in test/fixtures/reference/cometbft. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  checkHRS,
  compareHRS,
  mergeSignStates,
  parseSignState,
  serializeSignState,
  SignStateError,
  STEP,
  type SignState,
} from '../../src/chain/cometbft-sign-state.js';
import { projectPath } from '../../src/paths.js';
import { propertySeeds, seedNote } from '../support/seeds.js';

const reference = (name: string) =>
  readFileSync(projectPath('test', 'fixtures', 'reference', 'cometbft', name), 'utf8');

describe('priv_validator_state.json', () => {
  test('the official examples parse, and write back as CometBFT writes them', () => {
    const initial = parseSignState(reference('priv_validator_state.initial.json'));
    assert.deepEqual(initial, { height: 0n, round: 0, step: STEP.none });
    const signed = parseSignState(reference('priv_validator_state.signed-example.json'));
    assert.equal(signed.height, 36n);
    assert.equal(signed.step, STEP.precommit);
    assert.deepEqual(
      JSON.parse(serializeSignState(signed)),
      JSON.parse(reference('priv_validator_state.signed-example.json')),
    );
  });

  test('a malformed watermark is an error, never a zero', () => {
    for (const bad of [
      '{"height": 36, "round": 0, "step": 0}',
      '{"height": "-1", "round": 0, "step": 0}',
      '{"height": "1", "round": 0, "step": 4}',
      '{"height": "99999999999999999999", "round": 0, "step": 0}',
      '[]',
      'nope',
    ]) {
      assert.throws(() => parseSignState(bad), SignStateError, bad);
    }
  });

  test('CheckHRS on the signed example: regressions refused, the same step only with signbytes', () => {
    const s = parseSignState(reference('priv_validator_state.signed-example.json'));
    assert.equal(checkHRS(s, 35n, 5, STEP.precommit).ok, false);
    assert.equal(checkHRS(s, 36n, 0, STEP.prevote).ok, false);
    assert.deepEqual(checkHRS(s, 36n, 0, STEP.precommit), { ok: true, reuse: true });
    assert.deepEqual(checkHRS({ ...s, signbytes: undefined } as SignState, 36n, 0, STEP.precommit), {
      ok: false,
      why: 'no SignBytes found',
    });
    assert.deepEqual(checkHRS(s, 36n, 1, STEP.propose), { ok: true, reuse: false });
    assert.deepEqual(checkHRS(s, 37n, 0, STEP.propose), { ok: true, reuse: false });
  });

  for (const { seed, label } of propertySeeds(42))
    test(`the merged watermark is at least both, so the new signer refuses whatever either signed (${label})`, (t) => {
      t.diagnostic(seedNote(seed));
      const hrs = fc.record({
        height: fc.bigInt({ min: 0n, max: 1000n }),
        round: fc.integer({ min: 0, max: 5 }),
        step: fc.integer({ min: 0, max: 3 }),
      });
      fc.assert(
        fc.property(hrs, hrs, hrs, (a, b, vote) => {
          const merged = mergeSignStates(a, b);
          assert.ok(compareHRS(merged, a) >= 0 && compareHRS(merged, b) >= 0);
          // a vote at or below either watermark is never signed afresh after the merge
          const below = compareHRS(vote, a) <= 0 || compareHRS(vote, b) <= 0;
          const verdict = checkHRS(merged, vote.height, vote.round, vote.step);
          if (below) assert.ok(!verdict.ok || verdict.reuse);
        }),
        { seed, numRuns: 2000 },
      );
    });
});

describe('priv_validator_state.json at its edges', () => {
  const text = (o: Record<string, unknown>) => JSON.stringify({ height: '36', round: 0, step: 3, ...o });
  const refused = (input: string, message: string) =>
    assert.throws(
      () => parseSignState(input),
      (err) => err instanceof SignStateError && err.message === message,
      input,
    );

  test('not JSON, or not an object: said so', () => {
    assert.throws(
      () => parseSignState('{'),
      (err) => err instanceof SignStateError && /^priv_validator_state\.json is not JSON: /.test(err.message),
    );
    for (const t of ['null', '5', '"x"']) refused(t, 'priv_validator_state.json is not a JSON object');
  });

  test('the height: a canonical decimal string within int64, nothing else', () => {
    assert.equal(parseSignState(text({ height: '9223372036854775807' })).height, 9223372036854775807n);
    refused(text({ height: '9223372036854775808' }), 'height 9223372036854775808 does not fit in int64');
    for (const height of ['36x', 'x36', '01', '', 36])
      refused(
        text({ height }),
        `height must be a decimal string (CometBFT writes int64 as a string), not ${JSON.stringify(height)}`,
      );
  });

  test('the round: a non-negative int32', () => {
    assert.equal(parseSignState(text({ round: 2147483647 })).round, 2147483647);
    for (const round of [2147483648, -1, 1.5, '0', null])
      refused(text({ round }), `round must be a non-negative int32, not ${JSON.stringify(round)}`);
  });

  test('the step: 0 to 3', () => {
    for (const step of [0, 1, 2, 3]) assert.equal(parseSignState(text({ step })).step, step);
    for (const step of [-1, 4, 2.5, '3'])
      refused(text({ step }), `step must be 0 to 3 (none, propose, prevote, precommit), not ${JSON.stringify(step)}`);
  });

  test('a signature is a string, signbytes hex; both kept as given', () => {
    assert.deepEqual(parseSignState(text({ signature: 'c2ln', signbytes: 'aB09' })), {
      height: 36n,
      round: 0,
      step: 3,
      signature: 'c2ln',
      signbytes: 'aB09',
    });
    refused(text({ signature: 5 }), 'signature must be a base64 string');
    for (const signbytes of ['abz', 'zab', 7]) refused(text({ signbytes }), 'signbytes must be a hex string');
  });

  test('written back with only the fields it has', () => {
    assert.equal(
      serializeSignState({ height: 5n, round: 1, step: 2 }),
      '{\n  "height": "5",\n  "round": 1,\n  "step": 2\n}\n',
    );
    assert.deepEqual(JSON.parse(serializeSignState({ height: 5n, round: 1, step: 2, signbytes: 'ab' })), {
      height: '5',
      round: 1,
      step: 2,
      signbytes: 'ab',
    });
    assert.deepEqual(Object.keys(JSON.parse(serializeSignState({ height: 5n, round: 1, step: 2, signature: 's' }))), [
      'height',
      'round',
      'step',
      'signature',
    ]);
  });

  test('height, then round, then step decide the order, each both ways', () => {
    const at = (height: bigint, round: number, step: number) => ({ height, round, step });
    assert.equal(compareHRS(at(1n, 9, 3), at(2n, 0, 0)), -1);
    assert.equal(compareHRS(at(2n, 0, 0), at(1n, 9, 3)), 1);
    assert.equal(compareHRS(at(2n, 1, 3), at(2n, 2, 0)), -1);
    assert.equal(compareHRS(at(2n, 2, 0), at(2n, 1, 3)), 1);
    assert.equal(compareHRS(at(2n, 2, 1), at(2n, 2, 2)), -1);
    assert.equal(compareHRS(at(2n, 2, 2), at(2n, 2, 1)), 1);
    assert.equal(compareHRS(at(2n, 2, 2), at(2n, 2, 2)), 0);
  });
});

describe('CheckHRS at its edges', () => {
  const last: SignState = { height: 36n, round: 2, step: STEP.prevote, signbytes: 'ab' };

  test('the same height at a lower round is refused (round regression)', () => {
    assert.deepEqual(checkHRS(last, 36n, 1, STEP.precommit), {
      ok: false,
      why: 'round regression at height 36: got 1, last signed 2',
    });
  });

  test('a lower height, or a lower step at the same height and round, is refused and said', () => {
    assert.deepEqual(checkHRS(last, 35n, 9, STEP.precommit), {
      ok: false,
      why: 'height regression: got 35, last signed 36',
    });
    assert.deepEqual(checkHRS(last, 36n, 2, STEP.propose), {
      ok: false,
      why: 'step regression at height 36 round 2: got 1, last signed 2',
    });
  });

  test('a later step at the same height and round signs afresh; the same step only re-sends', () => {
    assert.deepEqual(checkHRS(last, 36n, 2, STEP.precommit), { ok: true, reuse: false });
    assert.deepEqual(checkHRS(last, 36n, 2, STEP.prevote), { ok: true, reuse: true });
    assert.deepEqual(checkHRS(last, 36n, 3, STEP.propose), { ok: true, reuse: false });
  });

  test('merging equal watermarks keeps the first one, with its stored signature', () => {
    const a: SignState = { height: 36n, round: 2, step: 2, signature: 'first' };
    const b: SignState = { height: 36n, round: 2, step: 2, signature: 'second' };
    assert.equal(mergeSignStates(a, b).signature, 'first');
    assert.equal(mergeSignStates(b, a).signature, 'second');
  });
});
