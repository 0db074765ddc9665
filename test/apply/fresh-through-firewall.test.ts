/**
 * The login that proves a new firewall lets stake in (src/apply/firewall-revert.ts): a timed-out
 * login is tried again while the revert is far off; a refused one, or a timeout near the revert, is
 * the answer at once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freshThroughFirewall } from '../../src/apply/firewall-revert.js';
import type { SshConnection } from '../../src/ssh/connection.js';
import { SshError } from '../../src/ssh/errors.js';

const timeout = () => new SshError('witness-ams', 'timeout', 'no SSH answer from 198.18.5.8:22 in time');
const refused = () => new SshError('witness-ams', 'connect', 'cannot connect to 198.18.5.8:22: ECONNREFUSED');
const connection = {} as SshConnection;

/** An open() that fails with each of `failures` in turn, then connects; counts its calls. */
function opener(failures: (() => Error)[]) {
  let calls = 0;
  return {
    open: async () => {
      const fail = failures[calls++];
      if (fail) throw fail();
      return connection;
    },
    calls: () => calls,
  };
}

describe('the login through a new firewall', () => {
  test('a login that timed out is tried again while the revert is far off', async () => {
    const o = opener([timeout, timeout]);
    assert.equal(await freshThroughFirewall(Date.now() + 60_000, o.open), connection);
    assert.equal(o.calls(), 3);
  });
  test('a timeout with the revert near, or a refused connection, is the answer at once', async () => {
    const near = opener([timeout]);
    await assert.rejects(freshThroughFirewall(Date.now() + 10_000, near.open), /in time/);
    assert.equal(near.calls(), 1);
    const no = opener([refused]);
    await assert.rejects(freshThroughFirewall(Date.now() + 60_000, no.open), /ECONNREFUSED/);
    assert.equal(no.calls(), 1);
  });
});
