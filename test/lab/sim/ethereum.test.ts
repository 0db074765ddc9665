/** The simulated Dirk's slashing protection, reloaded from its minimal EIP-3076 file at every slot. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlashingProtection } from '../../../src/chain/eip3076.js';
import type { SimContext } from '../../../src/lab/sim/context.js';
import { vouchClient } from '../../../src/lab/sim/ethereum.js';

test(`ethereum: the simulated Dirk's protection file (EIP-3076 minimal form) still refuses a double vote, a surround and going back`, () => {
  const GVR = `0x${'00'.repeat(32)}`;
  const PK = `0x${'ab'.repeat(48)}`;
  /** What the Dirk does at every slot: import its file, sign, write the minimal form back. */
  const reload = (db: SlashingProtection) => {
    const next = new SlashingProtection(GVR);
    next.import(JSON.parse(JSON.stringify(db.export('minimal'))));
    return next;
  };
  let db = new SlashingProtection(GVR);
  for (let t = 1n; t <= 5n; t++) {
    assert.equal(db.signAttestation(PK, t - 1n, t).ok, true);
    db = reload(db);
  }
  assert.equal(db.export('minimal').data[0]!.signed_attestations.length, 1, 'one record, however many slots');
  assert.equal(db.checkAttestation(PK, 5n, 6n).ok, true);
  const refusal = (s: bigint, t: bigint) => {
    const v = db.checkAttestation(PK, s, t);
    return v.ok ? '' : v.why;
  };
  assert.match(refusal(4n, 5n), /target epoch 5/);
  assert.match(refusal(3n, 6n), /surrounds/);
  assert.match(refusal(7n, 6n), /after target/);
  assert.match(refusal(2n, 3n), /below the lowest signed source 4/);
});

test('ethereum: signer access moved in under a running Vouch is taken as a start: nothing signed, the chain met again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
  try {
    const accessKey = join(dir, 'client.key');
    const events: string[] = [];
    const vouch = vouchClient({
      lab: { identities: [], blockTimeMs: 200 },
      host: { name: 'vc' },
      config: { accessKey, accounts: [], signers: [] },
      peersUp: () => 1,
      submit: () => events.push('submitted'),
      log: () => undefined,
      signer: 'vc#1',
      rejoin: () => events.push('rejoin'),
    } as unknown as SimContext);
    assert.deepEqual(await vouch.onHeight({ height: 5, round: 0, replay: false }), { signing: false });
    writeFileSync(accessKey, 'key');
    const loaded = await vouch.onHeight({ height: 6, round: 0, replay: false });
    assert.match(loaded.note ?? '', /loaded as at a start/);
    assert.deepEqual(events, ['rejoin']);
    assert.equal((await vouch.onHeight({ height: 6, round: 0, replay: true })).signing, true);
    assert.deepEqual(events, ['rejoin'], 'met once; after that it asks its signers as usual');
    vouch.stop?.();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
