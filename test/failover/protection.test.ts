/** Carrying slashing protection to the new host, per chain family: never lowered, refused when it cannot be carried. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { opcertCbor } from '../../src/chain/cardano-opcert.js';
import { parseSignState } from '../../src/chain/cometbft-sign-state.js';
import { decideCarry } from '../../src/failover/protection.js';
import { COMETBFT_SIGN_STATE } from '../../src/keys/layout.js';

describe('carrying slashing protection', () => {
  const state = (height: number, round = 0, step = 3) => `${JSON.stringify({ height: String(height), round, step })}\n`;
  test('cosmos: the higher watermark of the two, written to the target and kept on the witness', () => {
    const d = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(120, 1, 2) },
      target: { [COMETBFT_SIGN_STATE]: state(90) },
      oldHostDead: false,
    });
    assert.ok(d.ok);
    if (!d.ok) return;
    assert.equal(parseSignState(d.writes[0]!.content).height, 120n);
    assert.equal(parseSignState(d.writes[0]!.content).round, 1);
    assert.equal(d.witnessCopy[0]!.content, d.writes[0]!.content);
    const lower = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(80) },
      target: { [COMETBFT_SIGN_STATE]: state(90) },
      oldHostDead: false,
    });
    assert.ok(lower.ok && lower.writes.length === 0, 'the target is never lowered');
  });
  test('cosmos, dead old host: past the chain head; without copy nor head, refused', () => {
    const d = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(100) },
      target: {},
      oldHostDead: true,
      chainHead: 130,
    });
    assert.ok(d.ok && parseSignState(d.writes[0]!.content).height === 130n);
    assert.equal(decideCarry({ family: 'cosmos', identity: 'hub', old: {}, target: {}, oldHostDead: true }).ok, false);
  });
  test('cardano: a target certificate with a lower counter is refused', () => {
    const cert = (n: number) =>
      JSON.stringify({
        type: 'NodeOperationalCertificate',
        description: '',
        cborHex: opcertCbor(Buffer.alloc(32, 1), n, 7, Buffer.alloc(64, 2), Buffer.alloc(32, 3)),
      });
    const path = '/var/lib/stake/sealed/pool/node.cert';
    assert.equal(
      decideCarry({
        family: 'cardano',
        identity: 'pool',
        old: { [path]: cert(5) },
        target: { [path]: cert(4) },
        oldHostDead: false,
      }).ok,
      false,
    );
    const ok = decideCarry({
      family: 'cardano',
      identity: 'pool',
      old: { [path]: cert(5) },
      target: { [path]: cert(300) },
      oldHostDead: false,
    });
    assert.ok(ok.ok && /counter 300/.test(ok.summary));
  });
  test('ethereum: kept by the remote signers; without them, refused with the manual way', () => {
    assert.ok(
      decideCarry({
        family: 'ethereum',
        identity: 'e',
        old: {},
        target: {},
        oldHostDead: false,
        signerGroup: { client: 'dirk', hosts: 3, threshold: 2 },
      }).ok,
    );
    const d = decideCarry({ family: 'ethereum', identity: 'e', old: {}, target: {}, oldHostDead: false });
    assert.ok(!d.ok && /stake protection merge/.test(d.hint));
  });
});
