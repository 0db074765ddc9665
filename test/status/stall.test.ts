/** How long an identity may go without a signature before status calls it "not signing". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stallHeightsAt } from '../../src/status/collect.js';

test('a minute of heights, 2 to 10 of them, and never under ten seconds of a fast chain', () => {
  assert.equal(stallHeightsAt(6000), 10, 'cosmos: 6 s blocks');
  assert.equal(stallHeightsAt(384_000), 2, 'ethereum: 6.4-minute epochs');
  assert.equal(stallHeightsAt(20_000), 4, 'a 20 s pace: a minute and one');
  assert.equal(stallHeightsAt(500), 20, 'a lab chain: ten seconds of 500 ms heights');
});
