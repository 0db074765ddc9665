/** Carrying slashing protection to the new host, per chain family: never lowered, refused when it cannot be carried. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { opcertCbor } from '../../src/chain/cardano-opcert.js';
import { parseSignState } from '../../src/chain/cometbft-sign-state.js';
import { decideCarry, stateFiles } from '../../src/failover/protection.js';
import { COMETBFT_SIGN_STATE } from '../../src/keys/layout.js';

/** An ethereum identity's carry: with a remote signer group, or with keys in its validator client. */
const DIRK_GROUP = { client: 'dirk', hosts: 3, threshold: 2 };
const ethereumCarry = (signerGroup?: typeof DIRK_GROUP) =>
  decideCarry({
    family: 'ethereum',
    identity: 'e',
    old: {},
    target: {},
    oldHostDead: false,
    ...(signerGroup ? { signerGroup } : {}),
  });

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
    assert.ok(ethereumCarry(DIRK_GROUP).ok);
    const d = ethereumCarry();
    assert.ok(!d.ok && /stake protection merge/.test(d.hint));
  });
});

describe('the carry decision, exactly', () => {
  const state = (height: number, round = 0, step = 3) => `${JSON.stringify({ height: String(height), round, step })}\n`;
  const COPY = '/var/lib/stake/hub/signing-state/priv_validator_state.json';
  const cert = (n: number) =>
    JSON.stringify({
      type: 'NodeOperationalCertificate',
      cborHex: opcertCbor(Buffer.alloc(32, 1), n, 7, Buffer.alloc(64, 2), Buffer.alloc(32, 3)),
    });
  const SEALED = '/var/lib/stake/sealed/pool/node.cert';
  const CERT_COPY = '/var/lib/stake/pool/signing-state/node.cert';

  test('the state files of each family and side', () => {
    assert.deepEqual(stateFiles('cosmos', 'hub', 'old'), [COMETBFT_SIGN_STATE]);
    assert.deepEqual(stateFiles('cosmos', 'hub', 'target'), [COMETBFT_SIGN_STATE]);
    assert.deepEqual(stateFiles('cosmos', 'hub', 'witness'), [COPY]);
    assert.deepEqual(stateFiles('cardano', 'pool', 'old'), [SEALED]);
    assert.deepEqual(stateFiles('cardano', 'pool', 'witness'), [CERT_COPY]);
    for (const side of ['old', 'target', 'witness'] as const) assert.deepEqual(stateFiles('ethereum', 'e', side), []);
  });

  test('cosmos: the floor written to the target and the witness, and a summary naming every source', () => {
    const d = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(120, 1, 2) },
      target: { [COMETBFT_SIGN_STATE]: state(90) },
      witness: { [COPY]: 'not json' },
      hosts: { old: 'val-fra', target: 'val-waw', witness: 'witness-ams' },
      oldHostDead: false,
    });
    const content = `${JSON.stringify({ height: '120', round: 1, step: 2 }, null, 2)}\n`;
    assert.deepEqual(d, {
      ok: true,
      writes: [{ path: COMETBFT_SIGN_STATE, content, mode: '0600' }],
      witnessCopy: [{ path: COPY, content }],
      summary: `watermark 120/1/2 (height/round/step; the highest of: val-fra's ${COMETBFT_SIGN_STATE} 120/1/2, the target 90/0/3); witness-ams's ${COPY} cannot be read (priv_validator_state.json is not JSON: Unexpected token 'o', "not json" is not valid JSON): not counted, replaced`,
      floor: { height: '120', round: 1, step: 2 },
    });
  });

  test('cosmos: without host names the sources are named by their role; files already at the floor are left', () => {
    const d = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: {},
      target: { [COMETBFT_SIGN_STATE]: state(90) },
      witness: { [COPY]: state(90) },
      oldHostDead: false,
      chainSigned: 90,
    });
    assert.ok(!d.ok, 'the chain shows nothing above the watermarks known');
    assert.match(d.why, new RegExp(`^the old host's ${COMETBFT_SIGN_STATE} is missing`));
    const atFloor = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(90) },
      target: { [COMETBFT_SIGN_STATE]: state(90) },
      witness: { [COPY]: state(90) },
      oldHostDead: false,
    });
    assert.ok(atFloor.ok && atFloor.writes.length === 0 && atFloor.witnessCopy.length === 0);
    const missingTarget = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(90) },
      target: { [COMETBFT_SIGN_STATE]: '{' },
      oldHostDead: false,
    });
    assert.ok(!missingTarget.ok && missingTarget.why.startsWith(`the target's ${COMETBFT_SIGN_STATE} cannot be read`));
  });

  test('cosmos, a dead old host: its "old" files are the witness\'s copy, and the chain\'s signature counts', () => {
    const d = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(100) },
      target: {},
      oldHostDead: true,
      chainSigned: 140,
      chainHead: 130,
    });
    assert.ok(d.ok);
    assert.equal(parseSignState(d.writes[0]!.content).height, 140n);
    assert.match(
      d.summary,
      /the witness copy 100\/0\/3, the chain's last signature \(height 140, every round\) 140\/2147483647\/3, the chain head \(130, every round\) 130\/2147483647\/3/,
    );
  });

  test('cardano: the certificate moves with the keys; the witness copy follows it, and the summary says from what', () => {
    const d = decideCarry({
      family: 'cardano',
      identity: 'pool',
      old: { [SEALED]: cert(5) },
      target: { [SEALED]: cert(6) },
      witness: { [CERT_COPY]: cert(5) },
      oldHostDead: false,
    });
    assert.deepEqual(d, {
      ok: true,
      writes: [],
      witnessCopy: [{ path: CERT_COPY, content: cert(6) }],
      summary: `operational certificate counter 6 (the old host's ${SEALED} 5, the witness copy 5), KES period 7`,
      floor: { counter: 6 },
    });
    const same = decideCarry({
      family: 'cardano',
      identity: 'pool',
      old: { [SEALED]: cert(6) },
      target: { [SEALED]: cert(6) },
      witness: { [CERT_COPY]: cert(6) },
      oldHostDead: false,
    });
    assert.ok(same.ok && same.witnessCopy.length === 0);
  });

  test("cardano, a dead old host and no witness copy: the counter is the target's, and the summary says nothing is known", () => {
    const d = decideCarry({
      family: 'cardano',
      identity: 'pool',
      old: {},
      target: { [SEALED]: cert(5) },
      oldHostDead: true,
    });
    assert.ok(d.ok);
    assert.equal(d.summary, "operational certificate counter 5 (the witness's last copy unknown), KES period 7");
  });

  test('the summary: the sources alone when nothing was set aside; each note after them otherwise', () => {
    const plain = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(120) },
      target: {},
      oldHostDead: false,
    });
    assert.ok(plain.ok);
    assert.equal(
      plain.summary,
      `watermark 120/0/3 (height/round/step; the highest of: the old host's ${COMETBFT_SIGN_STATE} 120/0/3)`,
    );
    const two = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: {},
      target: {},
      witness: { [COPY]: '' },
      oldHostDead: false,
      chainSigned: 7,
    });
    assert.ok(two.ok);
    assert.match(
      two.summary,
      new RegExp(
        `; the witness's ${COPY} is empty: not counted, replaced; the old host's ${COMETBFT_SIGN_STATE} is missing: the chain's last signature \\(height 7, every round\\) is above everything else known and sets the floor$`,
      ),
    );
    const cardano = decideCarry({
      family: 'cardano',
      identity: 'pool',
      old: { [SEALED]: cert(5) },
      target: { [SEALED]: cert(5) },
      witness: { [CERT_COPY]: '' },
      oldHostDead: false,
    });
    assert.ok(cardano.ok);
    assert.equal(
      cardano.summary,
      `operational certificate counter 5 (the old host's ${SEALED} 5), KES period 7; the witness's ${CERT_COPY} is empty: not counted, replaced`,
    );
  });

  test('ethereum: the exact words of both outcomes', () => {
    assert.deepEqual(ethereumCarry(DIRK_GROUP), {
      ok: true,
      writes: [],
      witnessCopy: [],
      summary:
        'slashing protection stays with the dirk signers (2 of 3), which refuse a slashable signature from any validator client; nothing to move',
    });
    const d = ethereumCarry();
    assert.ok(!d.ok);
    assert.equal(
      d.why,
      'e signs with keys held by its validator client: stake cannot carry its slashing protection yet',
    );
  });
});
