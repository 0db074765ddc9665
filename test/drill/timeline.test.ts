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
      doubleSigned: [],
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
      signatures,
      doubleSigned: [21],
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
        doubleSigned: [],
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
      doubleSigned: [],
    });
    assert.match(stopped.failures.join(), /ended rolled-back/);
  });

  test("the chain names the key: heights signed up to the fence are the old host's, higher ones after it the target's", () => {
    const r = roundRecord({
      round: 1,
      from: 'a',
      to: 'b',
      objectiveMs: 10_000,
      events,
      // 12 at 1300 ms, before the fence ended (1400 ms); 11 again after it is no new signature
      signatures: [sig(10, -500), sig(12, 1300), sig(11, 1500), sig(13, 1600)],
      doubleSigned: [],
    });
    assert.deepEqual(r.signed, {
      a: [
        [10, -500],
        [12, 1300],
      ],
      b: [[13, 1600]],
    });
    assert.equal(r.lastOld, 12);
    assert.equal(r.firstNew, 13);
    assert.equal(r.gapHeights, 0);
    const silent = roundRecord({
      round: 1,
      from: 'a',
      to: 'b',
      objectiveMs: 10_000,
      events,
      signatures: [sig(10, 0)],
      doubleSigned: [],
    });
    assert.match(silent.failures.join(), /b signed nothing after the failover/);
  });
});
