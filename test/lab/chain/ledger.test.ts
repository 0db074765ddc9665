/** The lab chain's verdicts: double signs, retries, missed heights, and cardano's led slots. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger, opcertVerdict } from '../../../src/lab/chain/ledger.js';
import { isSlotLeader } from '../../../src/lab/chain/leadership.js';

describe('lab chain verdicts', () => {
  const sig = (height: number, host: string, pid = 1) => ({
    identity: 'id',
    height,
    host,
    signer: `${host}#${pid}`,
    kind: 'precommit',
    at: '',
  });

  test('one signer per height: no double sign; a retry of the same process is not counted twice', () => {
    const l = new Ledger('cosmos', ['id']);
    for (let h = 1; h <= 5; h++) {
      l.tick();
      assert.equal(l.record(sig(h, 'val-a')), true);
    }
    assert.equal(l.record(sig(5, 'val-a')), false);
    l.tick();
    const s = l.summary();
    assert.equal(s.doubleSigns, 0);
    assert.equal(s.identities[0]!.signatures, 5);
    assert.equal(s.identities[0]!.lastSigner, 'val-a');
  });

  test('two processes at one height are a double sign, even on the same host', () => {
    const l = new Ledger('cosmos', ['id']);
    l.tick();
    l.tick();
    l.record(sig(2, 'val-a'));
    l.record(sig(2, 'val-b'));
    l.record(sig(1, 'val-a', 1));
    l.record(sig(1, 'val-a', 2));
    const s = l.summary();
    assert.equal(s.doubleSigns, 2);
    assert.deepEqual(
      s.identities[0]!.doubleSigns.map((d) => [d.height, d.hosts]),
      [
        [1, ['val-a']],
        [2, ['val-a', 'val-b']],
      ],
    );
  });

  test('cosmos rounds: two signers at one height in two rounds are not a double sign; at one round they are', () => {
    const l = new Ledger('cosmos', ['id']);
    l.tick();
    l.tick();
    l.record(sig(2, 'val-a'));
    assert.equal(l.record({ ...sig(2, 'val-a'), round: 1 }), true, 'a new round by the same process is a new vote');
    l.record({ ...sig(2, 'val-b'), round: 2 });
    assert.equal(l.summary().doubleSigns, 0);
    l.record({ ...sig(2, 'val-b'), round: 1 });
    const doubles = l.summary().identities[0]!.doubleSigns;
    assert.deepEqual(
      doubles.map((d) => [d.height, d.round, d.hosts]),
      [[2, 1, ['val-a', 'val-b']]],
    );
  });

  test("recentlySigned: each identity's last heights and rounds, lowest first, what a reconnecting signer is offered", () => {
    const l = new Ledger('cosmos', ['id', 'other']);
    for (let h = 1; h <= 9; h++) l.tick();
    for (const h of [2, 3, 5, 7, 8]) l.record(sig(h, 'val-a'));
    l.record({ ...sig(8, 'val-a'), round: 1 });
    l.record({ ...sig(4, 'val-z'), identity: 'other' });
    assert.deepEqual(
      l.recentlySigned(3).map((s) => `${s.height}/${s.round}`),
      ['4/0', '5/0', '7/0', '8/0', '8/1'],
    );
  });

  test("cardano: a block whose certificate counter is below the chain's, or more than one above, is refused", () => {
    const l = new Ledger('cardano', ['pool']);
    for (let h = 1; h <= 10; h++) l.tick();
    const block = (height: number, counter: number, host = 'bp-a') => ({
      ...sig(height, host),
      identity: 'pool',
      kind: 'block',
      counter,
    });
    assert.equal(l.record(block(1, 0)), true, 'a pool with no counter on the chain starts at 0');
    assert.equal(l.record(block(2, 0)), true, 'an equal counter is valid');
    assert.equal(l.record(block(3, 2)), false, 'two above: CounterOverIncrementedOCERT');
    assert.equal(l.record(block(4, 1, 'bp-b')), true, 'one above: a new certificate');
    assert.equal(l.record(block(5, 0)), false, "the old certificate after the new one's block: CounterTooSmallOCERT");
    const id = l.summary().identities[0]!;
    assert.equal(id.signatures, 3);
    assert.deepEqual(
      id.rejected?.map((r) => [r.height, r.host, r.why.split(':')[0]]),
      [
        [3, 'bp-a', 'CounterOverIncrementedOCERT'],
        [5, 'bp-a', 'CounterTooSmallOCERT'],
      ],
    );
    assert.equal(opcertVerdict(7, 7), undefined);
    assert.equal(opcertVerdict(7, 8), undefined);
  });

  test('missed heights count from the first signature, up to the last complete height', () => {
    const l = new Ledger('cosmos', ['id']);
    for (let h = 1; h <= 10; h++) l.tick();
    for (const h of [3, 4, 7]) l.record(sig(h, 'val-a'));
    // 5, 6, 8, 9 missed; 10 is the current height, still open
    assert.equal(l.summary().identities[0]!.missed, 4);
  });

  test('cardano: only slots the pool leads can be missed', () => {
    const l = new Ledger('cardano', ['pool']);
    for (let s = 1; s <= 40; s++) l.tick();
    const led = Array.from({ length: 39 }, (_, i) => i + 1).filter((s) => isSlotLeader('pool', s));
    for (const s of led.slice(0, -3)) l.record({ ...sig(s, 'bp'), identity: 'pool', kind: 'block' });
    assert.equal(l.summary().identities[0]!.missed, 3);
    assert.ok(led.length > 5 && led.length < 35, 'about half the slots are led');
  });
});
