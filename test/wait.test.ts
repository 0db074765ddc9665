/** waitFor: the condition's first truthy value, or an error at the deadline that names what was waited for. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, WaitTimeout } from '../src/wait.js';

describe('waitFor', () => {
  test('resolves with the first truthy value, as soon as the condition holds', async () => {
    let checks = 0;
    const started = Date.now();
    const value = await waitFor(() => ++checks >= 3 && `after ${checks}`, { timeoutMs: 5000, what: 'three checks' });
    assert.equal(value, 'after 3');
    assert.ok(Date.now() - started < 2000, 'no waiting out the whole timeout');
  });

  test('awaits an async condition', async () => {
    let n = 0;
    assert.equal(await waitFor(async () => ++n === 2 && n, { timeoutMs: 5000, what: 'n to be 2' }), 2);
  });

  test('at the deadline: an error naming what it waited for and what it last saw', async () => {
    const started = Date.now();
    await assert.rejects(
      waitFor(() => false, { timeoutMs: 200, what: 'the moon', intervalMs: 20, lastSeen: () => 'no moon' }),
      (err: unknown) =>
        err instanceof WaitTimeout && /gave up waiting for the moon after 200 ms; last seen: no moon/.test(err.message),
    );
    assert.ok(Date.now() - started >= 200, 'it waited the whole timeout');
  });

  test('checks at least once with no time left', async () => {
    assert.equal(await waitFor(() => 'ready', { timeoutMs: 0, what: 'anything' }), 'ready');
  });

  test('an exception from the condition ends the wait at once', async () => {
    const started = Date.now();
    await assert.rejects(
      waitFor(
        () => {
          throw new Error('broken probe');
        },
        { timeoutMs: 5000, what: 'a broken probe' },
      ),
      /broken probe/,
    );
    assert.ok(Date.now() - started < 1000);
  });
});
