/** Cardano's operational certificate: the counter and KES period read from its CBOR, and every malformed one refused. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { opcertCbor, OpcertError, parseOpcert } from '../../src/chain/cardano-opcert.js';

const HOT = Buffer.alloc(32, 0x11);
const SIGMA = Buffer.alloc(64, 0x22);
const COLD = Buffer.alloc(32, 0x33);
const envelope = (cborHex: unknown, type = 'NodeOperationalCertificate') => JSON.stringify({ type, cborHex });
const refused = (text: string, message: string) =>
  assert.throws(
    () => parseOpcert(text),
    (err) => err instanceof OpcertError && err.message === message,
    text.slice(0, 80),
  );

describe('operational certificate', () => {
  test('operational certificate: counter and KES period read from the CBOR', () => {
    for (const counter of [0, 23, 24, 255, 256, 65535, 65536, 70_000]) {
      const text = envelope(opcertCbor(Buffer.alloc(32), counter, 412, Buffer.alloc(64), Buffer.alloc(32)));
      assert.deepEqual(parseOpcert(text), {
        counter,
        kesPeriod: 412,
        hotVkey: '00'.repeat(32),
        coldVkey: '00'.repeat(32),
      });
    }
    assert.throws(
      () => parseOpcert(JSON.stringify({ type: 'KesSigningKey_ed25519_kes_2^6', cborHex: '00' })),
      /not NodeOperationalCertificate/,
    );
  });

  test('written as canonical CBOR: each integer in its shortest form, byte strings with their lengths', () => {
    const hex = (n: number) => opcertCbor(HOT, n, 5, SIGMA, COLD);
    const tail = `05${'5840'}${SIGMA.toString('hex')}5820${COLD.toString('hex')}`;
    const head = `82845820${HOT.toString('hex')}`;
    assert.equal(hex(23), `${head}17${tail}`);
    assert.equal(hex(24), `${head}1818${tail}`);
    assert.equal(hex(255), `${head}18ff${tail}`);
    assert.equal(hex(256), `${head}190100${tail}`);
    assert.equal(hex(65535), `${head}19ffff${tail}`);
    assert.equal(hex(65536), `${head}1a00010000${tail}`);
  });

  test('a counter written in eight bytes reads whole', () => {
    const cbor =
      `82845820${HOT.toString('hex')}1b0000000200000000` +
      `05` +
      `5840${SIGMA.toString('hex')}5820${COLD.toString('hex')}`;
    assert.deepEqual(parseOpcert(envelope(cbor)), {
      counter: 2 ** 33,
      kesPeriod: 5,
      hotVkey: HOT.toString('hex'),
      coldVkey: COLD.toString('hex'),
    });
  });

  test('a certificate cut anywhere is refused: it names its pool only by the cold key at its end', () => {
    const full = opcertCbor(HOT, 7, 300, SIGMA, COLD);
    const throughKes = full.slice(0, full.indexOf('19012c') + 6);
    refused(envelope(throughKes), 'the certificate ends early');
    refused(envelope(throughKes.slice(0, -2)), 'the certificate holds an unsupported or truncated CBOR value');
    refused(envelope(full.slice(0, -2)), 'the cold verification key is not 32 bytes');
    refused(
      envelope(full.replace(`5840${SIGMA.toString('hex')}`, `5820${SIGMA.toString('hex').slice(0, 64)}`)),
      'the cold key signature is not 64 bytes',
    );
    assert.equal(parseOpcert(envelope(full)).coldVkey, COLD.toString('hex'));
  });

  test('not a text envelope, another type, or no hex: each said', () => {
    refused('not json', 'node.cert is not a JSON text envelope');
    refused(
      envelope('00', 'StakePoolSigningKey_ed25519'),
      'node.cert has type "StakePoolSigningKey_ed25519", not NodeOperationalCertificate',
    );
    for (const cborHex of [undefined, 5, '', '0', 'zz00', '00zz', '828', ['8284']])
      refused(envelope(cborHex), 'node.cert has no cborHex');
  });

  test('each part of the CBOR shape is checked, and named when wrong', () => {
    const hot = `5820${HOT.toString('hex')}`;
    refused(envelope('00'), 'expected an array in the certificate');
    refused(envelope('8200'), 'expected the certificate body in the certificate');
    refused(envelope(`8283${hot}0505`), 'the certificate body is not four fields');
    refused(envelope('828400'), 'expected the hot verification key in the certificate');
    refused(envelope(`8284${hot}40`), 'expected the issue counter in the certificate');
    refused(envelope(`8284${hot}0540`), 'expected the KES period in the certificate');
    refused(envelope(`8284${hot}1c`), 'the certificate holds an unsupported or truncated CBOR value');
  });
});
