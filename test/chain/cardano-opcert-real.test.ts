/**
 * Oracle: parseOpcert on operational certificates that cardano-cli wrote (copied into
 * test/fixtures/reference/cardano, provenance in the reference README §3), not on ones stake's own
 * encoder made. What each file holds is taken from two places stake did not write: the command
 * that made it (its --kes-period, its counter file, its KES key file) and the `cbor` npm package,
 * a general CBOR decoder that knows nothing of certificates.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import cbor from 'cbor';
import { OpcertError, parseOpcert } from '../../src/chain/cardano-opcert.js';
import { projectPath } from '../../src/paths.js';

// cbor is CommonJS: its functions come through the default export.
const { decodeFirstSync } = cbor;

const reference = (file: string) => readFileSync(projectPath('test', 'fixtures', 'reference', 'cardano', file), 'utf8');
const cborHexOf = (text: string) => (JSON.parse(text) as { cborHex: string }).cborHex;

interface RealCertificate {
  file: string;
  /** From the command that made the file, where its repository states it. */
  stated: { kesPeriod: number; counter?: number; hotVkeyFile?: string };
}

const REAL: RealCertificate[] = [
  {
    // cardano-cli Test/Golden/Shelley/TextEnvelope/Certificates/Operational.hs: a fresh `node key-gen`
    // counter (issue number 0, KeyGen.hs l.44) and `issue-op-cert … --kes-period 1000`.
    file: 'opcert.cardano-cli-golden.dd0fc0f0.json',
    stated: { kesPeriod: 1000, counter: 0 },
  },
  {
    // kes-agent playground/make-cert.sh @ 8afd1f22: `issue-op-cert --kes-verification-key-file kes.vkey … --kes-period 1430`.
    file: 'opcert.kes-agent-playground.8afd1f22.json',
    stated: { kesPeriod: 1430, hotVkeyFile: 'kes-vkey.kes-agent-playground.8afd1f22.json' },
  },
  {
    // The same script @ 50ccd9f2, re-run for a new KES key (its counter file is git-ignored upstream).
    file: 'opcert.kes-agent-playground.50ccd9f2.json',
    stated: { kesPeriod: 1430, hotVkeyFile: 'kes-vkey.kes-agent-playground.50ccd9f2.json' },
  },
];

/** The certificate as a general CBOR decoder reads it: [[hot_vkey, counter, kes_period, sigma], cold_vkey]. */
function independentDecode(text: string) {
  const decoded = decodeFirstSync(Buffer.from(cborHexOf(text), 'hex')) as unknown;
  assert.ok(Array.isArray(decoded) && decoded.length === 2, 'an array of two');
  const [body, cold] = decoded as [unknown, unknown];
  assert.ok(Array.isArray(body) && body.length === 4, 'the body is an array of four');
  const [hot, counter, kesPeriod, sigma] = body as [unknown, unknown, unknown, unknown];
  assert.ok(Buffer.isBuffer(hot) && hot.length === 32, 'the hot key is 32 bytes');
  assert.ok(Buffer.isBuffer(sigma) && sigma.length === 64, 'the cold key signature is 64 bytes');
  assert.ok(Buffer.isBuffer(cold) && cold.length === 32, 'the cold key is 32 bytes');
  assert.ok(typeof counter === 'number' && typeof kesPeriod === 'number');
  return { counter, kesPeriod, hotVkey: hot.toString('hex'), coldVkey: cold.toString('hex') };
}

/** A KES verification key text envelope: its cborHex is a 32-byte CBOR byte string (0x58 0x20 …). */
function kesVkeyOf(file: string): string {
  const envelope = JSON.parse(reference(file)) as { type: string; cborHex: string };
  assert.equal(envelope.type, 'KesVerificationKey_ed25519_kes_2^6');
  const key = decodeFirstSync(Buffer.from(envelope.cborHex, 'hex')) as Buffer;
  assert.equal(key.length, 32);
  return key.toString('hex');
}

describe('parseOpcert on operational certificates written by cardano-cli', () => {
  for (const { file, stated } of REAL) {
    test(file, () => {
      const text = reference(file);
      assert.equal((JSON.parse(text) as { type: string }).type, 'NodeOperationalCertificate');
      const independent = independentDecode(text);
      assert.equal(independent.kesPeriod, stated.kesPeriod, 'the decoder agrees with the command that made the file');
      if (stated.counter !== undefined) assert.equal(independent.counter, stated.counter);
      if (stated.hotVkeyFile) assert.equal(independent.hotVkey, kesVkeyOf(stated.hotVkeyFile));
      assert.deepEqual(parseOpcert(text), independent);
    });
  }

  test('the kes-agent certificates were issued one after another: the later one has the higher counter', () => {
    const [first, later] = [REAL[1]!.file, REAL[2]!.file].map((f) => parseOpcert(reference(f)).counter);
    assert.ok(later! > first!, `${later} > ${first}`);
    assert.deepEqual([first, later], [4, 13]);
  });

  test('a real certificate cut short or with its hot key shortened is refused, not misread', () => {
    const text = reference(REAL[0]!.file);
    const hex = cborHexOf(text);
    const envelope = (cborHex: string) => JSON.stringify({ type: 'NodeOperationalCertificate', cborHex });
    // 8 bytes: the two array heads, the byte-string head and the first five bytes of the hot key.
    assert.throws(() => parseOpcert(envelope(hex.slice(0, 16))), OpcertError);
    // The hot key's head says 31 bytes (0x58 0x1f) where cardano-cli writes 32.
    assert.equal(hex.slice(4, 8), '5820');
    assert.throws(
      () => parseOpcert(envelope(`${hex.slice(0, 4)}581f${hex.slice(8, 70)}${hex.slice(72)}`)),
      /hot verification key is not 32 bytes/,
    );
  });
});
