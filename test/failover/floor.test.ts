/**
 * The slashing floor carry writes (issue 15, class 1): the maximum of everything known, a refusal
 * naming the file and the host when a reachable old host's state is missing, empty or truncated,
 * and never a witness copy or a target watermark lower than it was.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { opcertCbor } from '../../src/chain/cardano-opcert.js';
import { checkHRS, compareHRS, parseSignState, STEP } from '../../src/chain/cometbft-sign-state.js';
import { MAX_ROUND } from '../../src/failover/floor.js';
import { decideCarry, type CarryInput } from '../../src/failover/protection.js';
import { COMETBFT_SIGN_STATE } from '../../src/keys/layout.js';

const state = (height: number, round = 0, step = 3) => `${JSON.stringify({ height: String(height), round, step })}\n`;
const COPY = '/var/lib/stake/hub/signing-state/priv_validator_state.json';
const hosts = { old: 'val-fra', target: 'val-waw', witness: 'witness-ams' };

/** The example of the issue: the witness copy at 329, the fence saw 342; the old host's file as given. */
const cosmos = (old: string | undefined, extra: Partial<CarryInput> = {}): CarryInput => ({
  family: 'cosmos',
  identity: 'hub',
  old: old === undefined ? {} : { [COMETBFT_SIGN_STATE]: old },
  target: { [COMETBFT_SIGN_STATE]: state(120) },
  witness: { [COPY]: state(329) },
  hosts,
  oldHostDead: false,
  ...extra,
});

const written = (d: ReturnType<typeof decideCarry>) => {
  assert.ok(d.ok, d.ok ? '' : `${d.why}`);
  if (!d.ok) throw new Error('unreachable');
  return {
    target: d.writes[0] ? parseSignState(d.writes[0].content) : undefined,
    copy: d.witnessCopy[0] ? parseSignState(d.witnessCopy[0].content) : undefined,
    d,
  };
};

describe('the slashing floor carried to the target (cosmos)', () => {
  for (const [what, text] of [
    ['missing', undefined],
    ['empty', ''],
    ['truncated (malformed JSON)', '{"height": "34'],
  ] as const) {
    test(`a ${what} priv_validator_state.json on a reachable old host refuses, naming the file and the host`, () => {
      const d = decideCarry(cosmos(text, { chainSigned: 329 }));
      assert.equal(d.ok, false, 'never carried from a guessed watermark');
      if (d.ok) return;
      assert.match(d.why, /val-fra's \/var\/lib\/cometbft\/data\/priv_validator_state\.json/);
      assert.match(d.hint, /backup/);
    });
    test(`a ${what} state, but the chain saw a signature above everything else: carried at the chain's height, and said so`, () => {
      const { target, copy, d } = written(decideCarry(cosmos(text, { chainSigned: 342 })));
      assert.equal(target?.height, 342n);
      assert.equal(copy?.height, 342n, 'the witness copy goes up to 342, never down to 0');
      assert.match(d.summary, /val-fra's .*priv_validator_state\.json .*(missing|empty|cannot be read)/);
      assert.match(d.summary, /the chain's last signature \(height 342, every round\)/);
    });
  }
  test('an old host state below the witness copy: the copy is the floor, nothing is lowered', () => {
    const { target, copy } = written(decideCarry(cosmos(state(300))));
    assert.equal(target?.height, 329n);
    assert.equal(copy, undefined, 'the copy already holds the floor: not rewritten');
  });
  test('an old host state below what the chain saw signed: the chain is the floor', () => {
    const { target, copy } = written(decideCarry(cosmos(state(330), { chainSigned: 342 })));
    assert.equal(target?.height, 342n);
    assert.equal(copy?.height, 342n);
  });
  test('a resumed carry keeps what the earlier attempt carried (the journal), even if every host forgot it', () => {
    const { target } = written(
      decideCarry(cosmos(state(330), { journal: { height: '400', round: 1, step: 2 }, witness: {} })),
    );
    assert.deepEqual([target?.height, target?.round, target?.step], [400n, 1, 2]);
  });
  test('a target ahead of everything: left as it is; the witness copy goes up to it, never down', () => {
    const d = decideCarry(cosmos(state(330), { target: { [COMETBFT_SIGN_STATE]: state(500, 2, 1) } }));
    const { target, copy } = written(d);
    assert.equal(target, undefined, 'the target is not rewritten');
    assert.equal(copy?.height, 500n);
  });
  test('the same height at a later round on the witness copy wins over the old host (height/round/step order)', () => {
    const { target } = written(decideCarry(cosmos(state(329, 0, 3), { witness: { [COPY]: state(329, 2, 1) } })));
    assert.deepEqual([target?.round, target?.step], [2, 1]);
  });
  test('a malformed target state refuses, naming the target', () => {
    const d = decideCarry(cosmos(state(330), { target: { [COMETBFT_SIGN_STATE]: '{' } }));
    assert.ok(!d.ok && /val-waw's/.test(d.why));
  });
  test('a floor from the chain covers every round of that height: the chain names heights, not rounds', () => {
    // the old host may have signed 342 at round 2 after two failed rounds: round 0 would let the target sign 342/1
    const { target } = written(decideCarry(cosmos(undefined, { chainSigned: 342 })));
    assert.deepEqual([target?.height, target?.round, target?.step], [342n, MAX_ROUND, STEP.precommit]);
    assert.equal(checkHRS(target!, 342n, 5, STEP.precommit).ok, false, 'no round of 342 is signed again');
    assert.equal(checkHRS(target!, 343n, 0, STEP.precommit).ok, true, 'the next height is');
    const dead = written(decideCarry(cosmos(undefined, { oldHostDead: true, chainHead: 340 })));
    assert.equal(dead.target?.round, MAX_ROUND, 'nor a round of the head a dead host may have reached');
  });
  test('a dead old host: the maximum of the witness copy, the chain head and the chain signature', () => {
    const { target, copy } = written(
      decideCarry(cosmos(undefined, { oldHostDead: true, chainHead: 340, chainSigned: 338 })),
    );
    assert.equal(target?.height, 340n);
    assert.equal(copy?.height, 340n);
    const higherCopy = written(decideCarry(cosmos(undefined, { oldHostDead: true, chainHead: 300 })));
    assert.equal(higherCopy.target?.height, 329n, 'the head never lowers the copy');
  });
  test('property: whatever the sources, the floor is at or above each readable one', () => {
    const heights = [0, 1, 5, 329, 342, 1000];
    for (const o of heights)
      for (const t of heights)
        for (const w of heights)
          for (const c of [undefined, 10, 400]) {
            const d = decideCarry(
              cosmos(state(o, o % 3, 3), {
                target: { [COMETBFT_SIGN_STATE]: state(t, 1, 2) },
                witness: { [COPY]: state(w) },
                ...(c ? { chainSigned: c } : {}),
              }),
            );
            assert.ok(d.ok);
            if (!d.ok) continue;
            const floor = parseSignState(d.writes[0]?.content ?? state(t, 1, 2));
            for (const s of [state(o, o % 3, 3), state(t, 1, 2), state(w), ...(c ? [state(c)] : [])])
              assert.ok(compareHRS(floor, parseSignState(s)) >= 0, `${o}/${t}/${w}/${c}`);
            for (const copy of d.witnessCopy)
              assert.ok(compareHRS(parseSignState(copy.content), parseSignState(state(w))) >= 0);
          }
  });
});

describe('the operational certificate counter carried (cardano)', () => {
  const cert = (n: number) =>
    JSON.stringify({
      type: 'NodeOperationalCertificate',
      description: '',
      cborHex: opcertCbor(Buffer.alloc(32, 1), n, 7, Buffer.alloc(64, 2), Buffer.alloc(32, 3)),
    });
  const path = '/var/lib/stake/sealed/pool/node.cert';
  const copy = '/var/lib/stake/pool/signing-state/node.cert';
  const cardano = (old: string | undefined, target: number, witness?: number): CarryInput => ({
    family: 'cardano',
    identity: 'pool',
    old: old === undefined ? {} : { [path]: old },
    target: { [path]: cert(target) },
    witness: witness === undefined ? {} : { [copy]: cert(witness) },
    hosts: { old: 'bp-fra', target: 'bp-nyc', witness: 'witness-sgp' },
    oldHostDead: false,
  });
  test('an equal counter is accepted; a lower one refused', () => {
    const equal = decideCarry(cardano(cert(5), 5));
    assert.ok(equal.ok && /counter 5/.test(equal.summary));
    assert.equal(decideCarry(cardano(cert(5), 4)).ok, false);
  });
  test("a target counter below the witness copy's is refused, even when the old host's is lower", () => {
    const d = decideCarry(cardano(cert(3), 4, 6));
    assert.ok(!d.ok && /the 6 of the witness copy/.test(d.why));
  });
  test('a reachable old host without its certificate refuses, naming it', () => {
    const d = decideCarry(cardano(undefined, 9));
    assert.ok(!d.ok && /bp-fra's \/var\/lib\/stake\/sealed\/pool\/node\.cert is missing/.test(d.why));
    assert.equal(decideCarry(cardano('', 9)).ok, false);
  });
  test('the witness copy is never replaced by a lower certificate', () => {
    const d = decideCarry(cardano(cert(5), 7, 7));
    assert.ok(d.ok && d.witnessCopy.length === 0);
  });
});
