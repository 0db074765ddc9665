/** A cardano pool's block under a counter above the live host's certificate is an alarm; at or below it, none. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { opcertCbor } from '../../src/chain/cardano-opcert.js';
import { newerCertificateAlarm } from '../../src/status/identity-report.js';

const certificate = (counter: number) =>
  JSON.stringify({
    type: 'NodeOperationalCertificate',
    description: '',
    cborHex: opcertCbor(randomBytes(32), counter, 0, randomBytes(64), randomBytes(32)),
  });

test("a block under a newer certificate than the live host's is someone else's cold key", () => {
  assert.match(
    newerCertificateAlarm('pool', 3, certificate(2))!,
    /counter 3, above the live active host's certificate \(2\): someone else holds the cold key/,
  );
  assert.equal(newerCertificateAlarm('pool', 2, certificate(2)), undefined, 'the same certificate');
  assert.equal(newerCertificateAlarm('pool', 1, certificate(2)), undefined, 'older blocks, before the rotation');
  assert.equal(newerCertificateAlarm('pool', undefined, certificate(2)), undefined, 'no block of the pool read');
  assert.equal(newerCertificateAlarm('pool', 3, undefined), undefined, 'the certificate not read');
  assert.equal(newerCertificateAlarm('pool', 3, '{"type":"nonsense"}'), undefined);
});
