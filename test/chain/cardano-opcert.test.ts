/** Cardano's operational certificate: the counter and KES period read from its CBOR. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { opcertCbor, parseOpcert } from '../../src/chain/cardano-opcert.js';

test('operational certificate: counter and KES period read from the CBOR', () => {
  for (const counter of [0, 23, 24, 255, 256, 70_000]) {
    const text = JSON.stringify({
      type: 'NodeOperationalCertificate',
      cborHex: opcertCbor(Buffer.alloc(32), counter, 412, Buffer.alloc(64), Buffer.alloc(32)),
    });
    assert.deepEqual(parseOpcert(text), { counter, kesPeriod: 412, hotVkey: '00'.repeat(32) });
  }
  assert.throws(
    () => parseOpcert(JSON.stringify({ type: 'KesSigningKey_ed25519_kes_2^6', cborHex: '00' })),
    /not NodeOperationalCertificate/,
  );
});
