/** The witness copy of the live signer's state: saved when missing or behind, never moved backwards. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WATERMARK_AHEAD_OF_HEAD, decideWitnessCopy } from '../../src/status/witness-copy.js';

const state = (h: number) => JSON.stringify({ height: String(h), round: 0, step: 3 });

describe('the witness copy', () => {
  test('saved when missing or behind, kept when current, never moved backwards', () => {
    assert.deepEqual(decideWitnessCopy('cosmos', 'hub', state(10), undefined), {
      write: true,
      path: '/var/lib/stake/hub/signing-state/priv_validator_state.json',
      content: state(10),
      why: 'saved (height 10)',
    });
    assert.equal(decideWitnessCopy('cosmos', 'hub', state(10), state(9)).write, true);
    assert.deepEqual(decideWitnessCopy('cosmos', 'hub', state(10), state(10)), {
      write: false,
      why: 'current (height 10)',
    });
    const back = decideWitnessCopy('cosmos', 'hub', state(8), state(10));
    assert.equal(back.write, false);
    assert.match(back.why, /ahead \(10 > 8\)/);
    assert.equal(decideWitnessCopy('cosmos', 'hub', 'not json', state(10)).write, false);
    assert.equal(decideWitnessCopy('ethereum', 'pool', 'x', undefined).write, false);
  });
});

describe('the witness copy never moves backwards (issue 15)', () => {
  const hrs = (h: number, round: number, step: number) => JSON.stringify({ height: String(h), round, step });
  test('the same height at a lower round or step does not replace the copy', () => {
    assert.equal(decideWitnessCopy('cosmos', 'hub', hrs(329, 0, 3), hrs(329, 2, 1)).write, false);
    assert.equal(decideWitnessCopy('cosmos', 'hub', hrs(329, 1, 2), hrs(329, 1, 3)).write, false);
    assert.equal(decideWitnessCopy('cosmos', 'hub', hrs(329, 1, 3), hrs(329, 1, 2)).write, true);
  });
  test('the same watermark written differently is current, not rewritten', () => {
    assert.equal(decideWitnessCopy('cosmos', 'hub', `${hrs(329, 0, 3)}\n`, hrs(329, 0, 3)).write, false);
  });

  test("cosmos: a watermark above the chain's head is not credible and not saved (a copy never moves back)", () => {
    const at = (h: number) => decideWitnessCopy('cosmos', 'hub', state(h), state(100), 120);
    assert.equal(at(121).write, true, 'head + 1: the height in consensus');
    assert.equal(at(120 + WATERMARK_AHEAD_OF_HEAD).write, true);
    const forged = at(9_000_000_000);
    assert.equal(forged.write, false);
    assert.match(forged.why, /not saved: .*height 9000000000\) is above the chain's head \(120\)/);
    assert.equal(
      decideWitnessCopy('cosmos', 'hub', state(9_000_000_000), state(100)).write,
      true,
      'no head known: as before',
    );
  });
});
