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
