/** What the lab chain offers again: recent heights to every client that connects, and at random. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  REOFFER_CHANCE,
  REOFFER_DEPTH,
  forgetOldRounds,
  offerAtRandom,
  offersOnConnect,
  type Rounds,
} from '../../../src/lab/chain/reoffer.js';
import { seededDraw } from '../../../src/seeded.js';

describe('the lab chain offers old heights again', () => {
  test('a client that connects meets the recent heights (replays, round 0), then the current one at its round', () => {
    const rounds: Rounds = new Map([[10, 2]]);
    const offers = offersOnConnect(10, rounds);
    assert.deepEqual(
      offers.map((o) => [o.height, o.round, o.replay ?? false]),
      [...Array.from({ length: REOFFER_DEPTH }, (_, i) => [10 - REOFFER_DEPTH + i, 0, true]), [10, 2, false]],
    );
    assert.deepEqual(
      offersOnConnect(2, new Map()).map((o) => o.height),
      [1, 2],
      'never below height 1',
    );
  });

  test('on connect, the heights and rounds the identities signed last come first, even far behind the head', () => {
    const rounds: Rounds = new Map([[50, 1]]);
    const signed = [
      { height: 30, round: 0 },
      { height: 31, round: 0 },
      { height: 31, round: 1 },
      { height: 50, round: 0 },
    ];
    const offers = offersOnConnect(50, rounds, signed);
    assert.deepEqual(
      offers.map((o) => `${o.height}/${o.round}${o.replay ? ' again' : ''}`),
      [
        '30/0 again',
        '31/0 again',
        '31/1 again',
        '46/0 again',
        '47/0 again',
        '48/0 again',
        '49/0 again',
        '50/0 again',
        '50/1',
      ],
    );
  });

  test('at random: about REOFFER_CHANCE of ticks offer something, only recent heights, cosmos new rounds too', () => {
    const draw = seededDraw(7);
    const counts = { cosmos: { replay: 0, round: 0 }, ethereum: { replay: 0, round: 0 } };
    const ticks = 4000;
    for (const family of ['cosmos', 'ethereum'] as const) {
      const rounds: Rounds = new Map();
      for (let h = 1; h <= ticks; h++) {
        for (const o of offerAtRandom(family, h, rounds, draw)) {
          if (o.replay) {
            counts[family].replay++;
            assert.ok(o.height < h && o.height >= h - REOFFER_DEPTH && o.height >= 1, `recent: ${o.height} at ${h}`);
            assert.equal(o.round, 0);
          } else {
            counts[family].round++;
            assert.equal(o.height, h);
            assert.equal(o.round, rounds.get(h), 'the chain remembers the round it moved to');
          }
        }
        forgetOldRounds(rounds, h);
        assert.ok(rounds.size <= REOFFER_DEPTH + 1);
      }
    }
    const share = (n: number) => n / ticks;
    assert.ok(
      Math.abs(share(counts.cosmos.replay + counts.cosmos.round) - REOFFER_CHANCE) < 0.03,
      JSON.stringify(counts),
    );
    assert.ok(counts.cosmos.round > ticks * 0.1 && counts.cosmos.replay > ticks * 0.1, JSON.stringify(counts));
    assert.equal(counts.ethereum.round, 0, 'no rounds outside cosmos');
    assert.ok(Math.abs(share(counts.ethereum.replay) - REOFFER_CHANCE) < 0.03, JSON.stringify(counts));
  });

  test('a seed replays the same draws', () => {
    const a = seededDraw(42);
    const b = seededDraw(42);
    const xs = Array.from({ length: 5 }, () => a());
    assert.deepEqual(
      Array.from({ length: 5 }, () => b()),
      xs,
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(Array.from({ length: 5 }, seededDraw(43)), xs);
  });
});
