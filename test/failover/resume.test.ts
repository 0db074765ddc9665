/** A resumed failover acts only on hosts reached the way its approvers signed them. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StakeError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import type { Journal } from '../../src/failover/journal.js';
import { refuseChangedConnections } from '../../src/failover/resume.js';

const line = (host: string, address: string) =>
  `${host} address=${address} port=22 user=stake become=sudo jump=bastion host-keys=SHA256:abc`;
const journalWith = (connections: string[] | undefined) =>
  ({ plan: { ...(connections ? { connections } : {}) } }) as unknown as Journal;

describe('resuming a failover', () => {
  const signed = [line('val-fra', '10.1.0.10'), line('val-waw', '10.2.0.10')];

  test('the same connections: resumed', () => {
    assert.doesNotThrow(() => refuseChangedConnections(journalWith(signed), [...signed]));
  });

  test('an address changed since the approval: refused, exit 4, naming the host and the field', () => {
    const now = [line('val-fra', '10.1.0.10'), line('val-waw', '192.0.2.66')];
    assert.throws(
      () => refuseChangedConnections(journalWith(signed), now),
      (err: unknown) =>
        err instanceof StakeError &&
        err.exitCode === EXIT.refused &&
        /host val-waw: address was 10\.2\.0\.10, is now 192\.0\.2\.66/.test(err.message) &&
        /nothing was connected to/.test(err.hint ?? ''),
    );
  });

  test('a host added to the path: refused', () => {
    assert.throws(
      () => refuseChangedConnections(journalWith(signed), [...signed, line('decoy', '192.0.2.7')]),
      /host decoy is new to the failover's connections/,
    );
  });

  test('a journal whose plan bound no connections (an older stake) is not checked', () => {
    assert.doesNotThrow(() => refuseChangedConnections(journalWith(undefined), [line('x', '1.2.3.4')]));
  });
});
