/** The witness copy of the live signer's state: saved when missing or behind, never moved backwards. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideWitnessCopy } from '../../src/status/witness-copy.js';

describe('the witness copy', () => {
  const state = (h: number) => JSON.stringify({ height: String(h), round: 0, step: 3 });
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
