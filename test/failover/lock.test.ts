/** The identity lock's decisions: whose lock a host holds, whether step 1 took it, who must release it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { foreignLock, judgeLock, parseLock, unreleased } from '../../src/failover/lock.js';
import { parseProbe } from '../../src/failover/scripts.js';

const record = {
  plan: 'ABCD-EFGH',
  by: 'alice@ops',
  since: '2026-01-01T00:00:00.000Z',
  from: 'val-fra',
  to: 'val-waw',
};
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('the lock record', () => {
  test('a well-formed record reads back field by field, and any subset of its fields is one too', () => {
    assert.deepEqual(parseLock(JSON.stringify(record)), record);
    assert.deepEqual(parseLock(JSON.stringify({ plan: 'P' })), { plan: 'P' });
    assert.deepEqual(parseLock('{}'), {});
  });

  test('a lock that is not JSON, or empty, is still a lock of an unreadable plan', () => {
    for (const text of ['', 'not json', '[]', 'null', '"P"'])
      assert.deepEqual(parseLock(text), { plan: 'unreadable' }, JSON.stringify(text));
  });
});

describe('a foreign lock', () => {
  const view = (lock?: string) => ({ host: 'val-fra', probe: parseProbe(lock === undefined ? '' : `X\t${lock}\n`) });

  test('no lock file, or no answer from the host, is no lock', () => {
    assert.equal(foreignLock(view(), 'ABCD-EFGH'), undefined);
    assert.equal(foreignLock({ host: 'val-fra', error: 'timed out' }, 'ABCD-EFGH'), undefined);
    assert.equal(foreignLock(undefined, 'ABCD-EFGH'), undefined);
  });

  test("our own plan's lock is no obstacle (a resumed failover): another plan's is", () => {
    assert.equal(foreignLock(view(JSON.stringify(record)), 'ABCD-EFGH'), undefined);
    assert.deepEqual(foreignLock(view(JSON.stringify(record)), 'WXYZ-0000'), record);
    assert.deepEqual(
      foreignLock(view(JSON.stringify(record))),
      record,
      'without a plan of ours, every lock is foreign',
    );
    assert.deepEqual(foreignLock(view('{}')), {}, 'a lock naming no plan is not ours either');
    assert.deepEqual(foreignLock(view('{}'), 'ABCD-EFGH'), {});
  });

  test("an unreadable lock is foreign to our plan: it may be anyone's", () => {
    assert.deepEqual(foreignLock(view('garbage'), 'ABCD-EFGH'), { plan: 'unreadable' });
  });
});

describe('taking the lock (step 1)', () => {
  test('a majority that took it holds it, named in the order the hosts answered', () => {
    const outcome = judgeLock(
      [
        { host: 'val-fra', taken: true, holder: '' },
        { host: 'val-waw', taken: true, holder: '' },
        { host: 'witness-ams' },
      ],
      2,
    );
    assert.deepEqual(outcome, { kind: 'taken', on: ['val-fra', 'val-waw'] });
  });

  test('exactly the majority is enough; one fewer is short, and unreadable answers count as not taken', () => {
    assert.equal(
      judgeLock(
        [
          { host: 'a', taken: true },
          { host: 'b', taken: true },
        ],
        2,
      ).kind,
      'taken',
    );
    assert.deepEqual(judgeLock([{ host: 'a', taken: true }, { host: 'b' }, { host: 'c' }], 2), {
      kind: 'short',
      taken: ['a'],
    });
    assert.deepEqual(judgeLock([], 2), { kind: 'short', taken: [] });
  });

  test("another plan's lock on any host refuses, even when a majority took it, and names that plan", () => {
    const outcome = judgeLock(
      [
        { host: 'val-fra', taken: true },
        { host: 'val-waw', taken: true },
        { host: 'witness-ams', taken: false, holder: base64(`${JSON.stringify(record)}\n`) },
      ],
      2,
    );
    assert.deepEqual(outcome, { kind: 'held', hosts: ['witness-ams'], holder: record });
  });

  test('the holder is read from the first host that holds a lock; every holding host is named', () => {
    const other = { ...record, plan: 'OTHE-RPLN' };
    const outcome = judgeLock(
      [
        { host: 'val-fra', taken: false, holder: base64(JSON.stringify(other)) },
        { host: 'val-waw', taken: false, holder: base64(JSON.stringify(record)) },
      ],
      2,
    );
    assert.deepEqual(outcome, { kind: 'held', hosts: ['val-fra', 'val-waw'], holder: other });
  });

  test('a lock file broken over lines or padded still names its plan; a garbage one is unreadable', () => {
    const wrapped = JSON.stringify(record).replace(',', ',\n');
    assert.deepEqual(judgeLock([{ host: 'a', taken: false, holder: base64(`  ${wrapped}\n\n`) }], 1), {
      kind: 'held',
      hosts: ['a'],
      holder: record,
    });
    assert.deepEqual(judgeLock([{ host: 'a', taken: false, holder: base64('rm -rf') }], 1), {
      kind: 'held',
      hosts: ['a'],
      holder: { plan: 'unreadable' },
    });
    assert.deepEqual(judgeLock([{ host: 'a', taken: false }], 1), {
      kind: 'held',
      hosts: ['a'],
      holder: { plan: 'unreadable' },
    });
  });
});

describe('releasing the lock (step 8)', () => {
  const failed = new Map([
    ['val-fra', 'timed out'],
    ['witness-ams', 'connection refused'],
  ]);

  test('a host the lock was never taken on cannot hold it: its failure does not count', () => {
    assert.deepEqual(unreleased(failed, ['val-fra', 'val-waw']), [['val-fra', 'timed out']]);
    assert.deepEqual(unreleased(failed, ['val-waw']), []);
  });

  test('a journal that did not record where the lock was taken counts every failure', () => {
    assert.deepEqual(unreleased(failed, undefined), [
      ['val-fra', 'timed out'],
      ['witness-ams', 'connection refused'],
    ]);
    assert.deepEqual(unreleased(new Map(), undefined), []);
  });
});
