/** A drill round's verdict: the steps on a clock, the signing gap, and what fails a round. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { roundRecord } from '../../src/drill/timeline.js';
import { at, events, sig, signatures } from '../support/drill-round.js';

describe('a drill round', () => {
  test('steps on a clock, the signing gap in heights and time, pass within the objective', () => {
    const r = roundRecord({
      round: 1,
      from: 'a',
      to: 'b',
      objectiveMs: 10_000,
      events,
      signatures,
      chainDoubleSigns: 0,
    });
    assert.equal(r.durationMs, 4000);
    assert.deepEqual(r.steps[2], { step: 'fence', startMs: 1000, endMs: 1400, ok: true });
    assert.equal(r.lastOld, 12);
    assert.equal(r.firstNew, 20);
    assert.equal(r.gapHeights, 7);
    assert.equal(r.gapMs, 3200);
    assert.deepEqual(r.failures, []);
  });

  test('fails on a double sign, on the objective, and on a failover that did not finish', () => {
    const doubled = roundRecord({
      round: 1,
      from: 'a',
      to: 'b',
      objectiveMs: 10_000,
      events,
      signatures: [...signatures, sig(21, 'a', 3900, 'a#2')],
      chainDoubleSigns: 0,
    });
    assert.deepEqual(doubled.doubleSigned, [21]);
    assert.match(doubled.failures.join(), /1 double sign at height 21/);
    assert.match(
      roundRecord({
        round: 1,
        from: 'a',
        to: 'b',
        objectiveMs: 3000,
        events,
        signatures,
        chainDoubleSigns: 0,
      }).failures.join(),
      /over the objective of 3 s/,
    );
    const stopped = roundRecord({
      round: 1,
      from: 'a',
      to: 'b',
      objectiveMs: 10_000,
      events: [...events.slice(0, 6), { time: at(1500), event: 'end', result: 'rolled-back', exitCode: 1 }],
      signatures: signatures.slice(0, 3),
      chainDoubleSigns: 0,
    });
    assert.match(stopped.failures.join(), /ended rolled-back/);
  });
});
