/** What a failover is expected to cost, as the plan prints it before anyone approves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedCost, pastFailovers } from '../../src/failover/cost.js';

const audit = [
  { identity: 'cosmoshub', result: 'done', lastOldHeight: 100, firstNewHeight: 104 },
  { identity: 'cosmoshub', result: 'done', lastOldHeight: 200, firstNewHeight: 202 },
  { identity: 'osmosis', result: 'done', lastOldHeight: 10, firstNewHeight: 90 },
  { identity: 'cosmoshub', result: 'done', lastOldHeight: 300, firstNewHeight: 312 },
  { identity: 'cosmoshub', result: 'done', lastOldHeight: 400, firstNewHeight: 413 },
  { identity: 'cosmoshub', result: 'done', lastOldHeight: 500, firstNewHeight: 514 },
  { identity: 'cosmoshub', result: 'done' },
]
  .map((r) => JSON.stringify(r))
  .concat(['not json', '{"identity":"cosmoshub","result":"done","lastOldHeight":-1,"firstNewHeight":"x"}'])
  .join('\n');

test("cosmos: the median of this identity's past gaps, at the chain's observed pace", () => {
  const past = pastFailovers(audit, 'cosmoshub');
  assert.equal(past.length, 7);
  const cost = expectedCost({ family: 'cosmos', identity: 'cosmoshub', observedBlockMs: 6100, past });
  assert.equal(cost.heights, 11);
  assert.equal(
    cost.text,
    "about 11 missed blocks: the median of 5 past failovers of cosmoshub (last: 3, 1, 11, 12, 13) at the chain's pace (a block every 6.1 s)",
  );
  // past gaps shorter than the look-back lets a start be: the floor, said
  const short = expectedCost({
    family: 'cosmos',
    identity: 'cosmoshub',
    observedBlockMs: 6100,
    past: past.slice(0, 2),
  });
  assert.equal(short.heights, 10);
  assert.match(
    short.text,
    /\(last: 3, 1\).*; at least 10: the target starts only 10 heights after the key's last signature/,
  );
});

test('cosmos without a past failover: an estimated handover at the observed pace, said as an estimate; nothing read: not known', () => {
  const cost = expectedCost({ family: 'cosmos', identity: 'hub', observedBlockMs: 1000, past: [] });
  assert.equal(cost.heights, 15);
  assert.match(cost.text, /an estimated 15 s handover .* \(no past failover of hub to go by\)$/);
  const slow = expectedCost({ family: 'cosmos', identity: 'hub', observedBlockMs: 6000, past: [] });
  assert.equal(slow.heights, 10, 'the look-back is the floor');
  assert.match(slow.text, /to go by\); at least 10/);
  assert.equal(expectedCost({ family: 'cosmos', identity: 'hub', past: [] }).heights, undefined);
});

test('ethereum: an attestation per validator per epoch of the gap, and the proposals assigned in the coming epochs', () => {
  const cost = expectedCost({
    family: 'ethereum',
    identity: 'pool',
    past: [{ lastOldHeight: 10, firstNewHeight: 13 }],
    validators: 4,
    proposals: [{ slot: 4242, index: 1001 }],
  });
  assert.equal(cost.heights, 2);
  assert.equal(
    cost.text,
    'about 8 missed attestations (2 epochs x 4 validators; the median gap of 1 past failover); 1 block proposal assigned in the current and next epoch (slot 4242, validator 1001): lost if the move falls on it',
  );
  assert.match(
    expectedCost({ family: 'ethereum', identity: 'p', past: [], validators: 1, proposals: [] }).text,
    /^about 1 missed attestation \(1 epoch x 1 validator; an estimated one-epoch gap\); no block proposal/,
  );
  assert.match(
    expectedCost({ family: 'ethereum', identity: 'p', past: [], validators: 1 }).text,
    /proposal duties could not be read/,
  );
});

test('cardano: not known yet, and the plan says why instead of guessing', () => {
  assert.match(expectedCost({ family: 'cardano', identity: 'p', past: [] }).text, /leader slots/);
});
