/** --at-safe-window: fence only when no proposal of the identity falls in the handover. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handoverSlots, safeWindowVerdict } from '../../src/failover/safe-window.js';

test('the handover covers its estimate in slots and one more', () => {
  assert.equal(handoverSlots(12_000), 3);
  assert.equal(handoverSlots(500), 31);
  assert.equal(handoverSlots(), 3);
});

test('a proposal inside the handover waits for its slot to pass; one beyond it, or past, does not', () => {
  const duties = [
    { slot: 105, index: 7 },
    { slot: 102, index: 9 },
  ];
  assert.deepEqual(safeWindowVerdict({ headSlot: 100, duties, slots: 3 }), {
    safe: false,
    duty: { slot: 102, index: 9 },
    detail: 'validator 9 proposes at slot 102 (the head is at 100): waiting for it to pass',
  });
  assert.deepEqual(safeWindowVerdict({ headSlot: 102, duties, slots: 2 }), {
    safe: true,
    detail: "no block proposal of its validators in slots 103-104 (the handover's)",
  });
  assert.equal(safeWindowVerdict({ headSlot: 102, duties, slots: 3 }).safe, false, 'slot 105 is in 103-105');
  assert.equal(safeWindowVerdict({ headSlot: 110, duties, slots: 3 }).safe, true);
});
