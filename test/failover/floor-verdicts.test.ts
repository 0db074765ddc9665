/**
 * The floor functions themselves (src/failover/floor.ts), verdict by verdict: which sources stood
 * where, what was not counted and why, and the exact refusal when a watermark or a counter is
 * unknown. The boundaries an audit named have a test each: a dead host whose last signature is
 * one below the head, a live old host without its state, an equal certificate counter, a witness
 * copy never lowered.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { opcertCbor } from '../../src/chain/cardano-opcert.js';
import { STEP } from '../../src/chain/cometbft-sign-state.js';
import { cometbftFloor, journalFloor, MAX_ROUND, opcertFloor, type FloorInput } from '../../src/failover/floor.js';

const state = (height: number, round = 0, step = 3, extra: Record<string, string> = {}) =>
  JSON.stringify({ height: String(height), round, step, ...extra });
const src = (what: string, text: string | undefined) => ({ what, text });
const OLD = "val-fra's priv_validator_state.json";
const TARGET = "val-waw's priv_validator_state.json";
const COPY = "witness-ams's copy";

describe('cometbft floor', () => {
  const input = (over: Partial<FloorInput>): FloorInput => ({ target: src(TARGET, state(120)), ...over });

  test('the highest of every source, each listed with what it held', () => {
    const v = cometbftFloor(
      input({
        old: src(OLD, state(300, 1, 2)),
        witness: src(COPY, state(299)),
        journal: { height: '250', round: 0, step: 1 },
        chainSigned: 298,
      }),
    );
    assert.deepEqual(v, {
      ok: true,
      floor: { height: 300n, round: 1, step: 2 },
      seen: [
        `${OLD} 300/1/2`,
        'the target 120/0/3',
        'the witness copy 299/0/3',
        'an earlier attempt (journal) 250/0/1',
        "the chain's last signature (height 298, every round) 298/2147483647/3",
      ],
      notes: [],
    });
  });

  test("of equal watermarks the first is kept, so the old host's stored signature goes with it", () => {
    const v = cometbftFloor(
      input({
        old: src(OLD, state(120, 0, 3, { signature: 'c2ln', signbytes: 'ab' })),
        target: src(TARGET, state(120)),
      }),
    );
    assert.ok(v.ok);
    assert.deepEqual(v.floor, { height: 120n, round: 0, step: 3, signature: 'c2ln', signbytes: 'ab' });
  });

  test('a dead host at head - 1: the carried watermark is at least the head', () => {
    const v = cometbftFloor(input({ witness: src(COPY, state(340)), chainSigned: 499, chainHead: 500 }));
    assert.ok(v.ok);
    assert.deepEqual(v.floor, { height: 500n, round: MAX_ROUND, step: STEP.precommit });
    assert.deepEqual(v.seen.slice(-2), [
      "the chain's last signature (height 499, every round) 499/2147483647/3",
      'the chain head (500, every round) 500/2147483647/3',
    ]);
  });

  test('the chain head counts only for a dead old host: a live one said what it signed', () => {
    const v = cometbftFloor(input({ old: src(OLD, state(300)), chainHead: 500 }));
    assert.ok(v.ok);
    assert.equal(v.floor.height, 300n);
  });

  test('a chain signature at height 0 is no signature; at 1 it is', () => {
    const none = cometbftFloor(
      input({ old: src(OLD, state(0, 0, 0)), target: src(TARGET, undefined), chainSigned: 0 }),
    );
    assert.ok(none.ok);
    assert.deepEqual(none.seen, [`${OLD} 0/0/0`]);
    const one = cometbftFloor(input({ old: src(OLD, state(0, 0, 0)), target: src(TARGET, undefined), chainSigned: 1 }));
    assert.ok(one.ok);
    assert.deepEqual(one.floor, { height: 1n, round: MAX_ROUND, step: STEP.precommit });
  });

  test('a damaged witness copy is not counted, and said so; an empty one (blanks only) too', () => {
    const damaged = cometbftFloor(input({ old: src(OLD, state(300)), witness: src(COPY, '{"height": 1') }));
    assert.ok(damaged.ok);
    assert.match(
      damaged.notes[0]!,
      /^witness-ams's copy cannot be read \(priv_validator_state\.json is not JSON: .*\): not counted, replaced$/,
    );
    const blank = cometbftFloor(input({ old: src(OLD, state(300)), witness: src(COPY, ' \n ') }));
    assert.ok(blank.ok);
    assert.deepEqual(blank.notes, [`${COPY} is empty: not counted, replaced`]);
  });

  test("a damaged target refuses: the target's own watermark is unknown", () => {
    assert.deepEqual(cometbftFloor(input({ old: src(OLD, state(300)), target: src(TARGET, '') })), {
      ok: false,
      why: `${TARGET} is empty: the target's own watermark is unknown`,
      hint: 'repair the file from a backup (or remove it if this host never signed), then plan again; never start a signer from a guessed watermark',
    });
  });

  test('a live old host without its state file is refused, unless the chain shows a signature above all else', () => {
    const hint =
      'restore the file on the old host from a backup (never a guessed watermark), then plan again; the failover was rolled back';
    assert.deepEqual(cometbftFloor(input({ old: src(OLD, undefined) })), {
      ok: false,
      why: `${OLD} is missing: the watermark the old host reached is unknown`,
      hint,
    });
    assert.deepEqual(cometbftFloor(input({ old: src(OLD, undefined), chainSigned: 120 })), {
      ok: false,
      why: `${OLD} is missing: the watermark the old host reached is unknown, and the chain shows nothing above 120/0/3`,
      hint,
    });
    const above = cometbftFloor(input({ old: src(OLD, undefined), chainSigned: 121 }));
    assert.ok(above.ok);
    assert.deepEqual(above.notes, [
      `${OLD} is missing: the chain's last signature (height 121, every round) is above everything else known and sets the floor`,
    ]);
  });

  test('a dead host with neither a witness copy nor a known head is refused; either one is enough', () => {
    assert.deepEqual(cometbftFloor(input({})), {
      ok: false,
      why: 'the witness holds no copy of the priv_validator_state.json, and the chain head is unknown, so the watermark the dead host reached is unknown',
      hint: "recover the file from the dead host's disk, or run stake status while the active host is up so the witness keeps a copy",
    });
    assert.equal(cometbftFloor(input({ witness: src(COPY, 'x') })).ok, false, 'an unreadable copy is no copy');
    assert.equal(cometbftFloor(input({ witness: src(COPY, state(10)) })).ok, true);
    assert.equal(cometbftFloor(input({ chainHead: 10 })).ok, true);
  });

  test('nothing known at all on a fresh pair: the floor is zero, none seen', () => {
    const v = cometbftFloor({ old: src(OLD, state(0, 0, 0)), target: src(TARGET, undefined) });
    assert.deepEqual(v, { ok: true, floor: { height: 0n, round: 0, step: 0 }, seen: [`${OLD} 0/0/0`], notes: [] });
  });
});

describe('cardano floor (the operational certificate counter)', () => {
  const cert = (counter: number, kes = 7) =>
    JSON.stringify({
      type: 'NodeOperationalCertificate',
      cborHex: opcertCbor(Buffer.alloc(32, 1), counter, kes, Buffer.alloc(64, 2), Buffer.alloc(32, 3)),
    });
  const OLD_CERT = "bp-fra's node.cert";
  const input = (target: string | undefined, over: Partial<FloorInput> = {}): FloorInput => ({
    old: src(OLD_CERT, cert(5)),
    target: src("bp-nyc's node.cert", target),
    ...over,
  });

  test('an equal opcert counter is accepted: the chain takes a counter equal to the last it saw', () => {
    assert.deepEqual(opcertFloor(input(cert(5, 9))), {
      ok: true,
      floor: { counter: 5, kesPeriod: 9, hotVkey: '01'.repeat(32), coldVkey: '03'.repeat(32) },
      seen: [`${OLD_CERT} 5`],
      notes: [],
    });
  });

  test('a lower counter than any source is refused, naming each source above it and the counter to issue', () => {
    const v = opcertFloor(input(cert(4), { witness: src('copy', cert(6)), journal: { counter: 8 } }));
    assert.deepEqual(v, {
      ok: false,
      why: "the target's operational certificate has issue counter 4, below the 5 of bp-fra's node.cert and the 6 of the witness copy and the 8 of an earlier attempt (journal): the chain would reject its blocks",
      hint: 'issue a new operational certificate with counter 8 or more (offline, with the cold key), push it with stake keys push, and plan again',
    });
  });

  test('a witness copy is never moved backwards: a copy above the target refuses, even with the old host dead', () => {
    const v = opcertFloor({ target: src("bp-nyc's node.cert", cert(6)), witness: src('copy', cert(7)) });
    assert.equal(v.ok, false);
    assert.deepEqual(opcertFloor({ target: src("bp-nyc's node.cert", cert(7)), witness: src('copy', cert(7)) }), {
      ok: true,
      floor: { counter: 7, kesPeriod: 7, hotVkey: '01'.repeat(32), coldVkey: '03'.repeat(32) },
      seen: ['the witness copy 7'],
      notes: [],
    });
  });

  test('the target without a certificate, or with a damaged one, refuses with what to push', () => {
    assert.deepEqual(opcertFloor(input(undefined)), {
      ok: false,
      why: "bp-nyc's node.cert is missing",
      hint: 'push the keys to it: stake keys push IDENTITY --dir EXPORT',
    });
    assert.deepEqual(opcertFloor(input('{}')), {
      ok: false,
      why: "bp-nyc's node.cert cannot be read (node.cert has type undefined, not NodeOperationalCertificate)",
      hint: 'push a valid node.cert with stake keys push',
    });
  });

  test('a live old host without its certificate refuses: the counter it forged with is unknown', () => {
    const hint =
      'restore the sealed node.cert on the old host (it is the one it forged with), then plan again; the failover was rolled back';
    assert.deepEqual(opcertFloor(input(cert(9), { old: src(OLD_CERT, undefined) })), {
      ok: false,
      why: `${OLD_CERT} is missing: the counter the old host forged with is unknown`,
      hint,
    });
    assert.deepEqual(opcertFloor(input(cert(9), { old: src(OLD_CERT, '') })), {
      ok: false,
      why: `${OLD_CERT} is empty: the counter the old host forged with is unknown`,
      hint,
    });
  });

  test('a damaged witness copy is not counted, and said so', () => {
    const v = opcertFloor(input(cert(5), { witness: src('copy', 'garbage') }));
    assert.ok(v.ok);
    assert.deepEqual(v.notes, ['copy cannot be read (node.cert is not a JSON text envelope): not counted, replaced']);
    assert.deepEqual(v.seen, [`${OLD_CERT} 5`]);
  });
});

describe('the floor as the journal keeps it', () => {
  test('a counter stays a counter; a watermark keeps its height as a decimal string', () => {
    assert.deepEqual(journalFloor({ counter: 7 }), { counter: 7 });
    assert.deepEqual(journalFloor({ height: 9007199254740993n, round: 2, step: 1 }), {
      height: '9007199254740993',
      round: 2,
      step: 1,
    });
  });
});
