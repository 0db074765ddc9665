/** The inventory rewrite after a failover: exactly the two values change, every other byte stays. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteActive } from '../../src/failover/inventory-rewrite.js';
import { example } from '../support/helpers.js';

test('the inventory rewrite changes exactly the two values, keeping comments and layout', () => {
  const before = example('cosmos');
  const after = rewriteActive(before, 'cosmoshub', 'val-fra', 'val-waw');
  const changed = before
    .split('\n')
    .map((line, i) => [line, after.split('\n')[i]] as const)
    .filter(([a, b]) => a !== b);
  assert.deepEqual(changed, [
    ['    active: val-fra', '    active: val-waw'],
    ['    standby: [val-waw]', '    standby: [val-fra]'],
  ]);
  assert.equal(rewriteActive(after, 'cosmoshub', 'val-fra', 'val-waw'), after, 'a resumed record step changes nothing');
  assert.throws(() => rewriteActive(before, 'cosmoshub', 'val-ams', 'val-waw'), /changed since the failover started/);
});
