/** The order a host's services start in. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOrder } from '../../src/apply/host.js';
import type { Service } from '../../src/render/types.js';

describe('service start order', () => {
  const svc = (name: string, after: string[] = []): Service => ({
    name,
    description: '',
    user: name,
    exec: [],
    writable: [],
    after,
    jit: false,
    health: { tcp: 1 },
  });
  test('each service after those it names', () => {
    assert.deepEqual(startOrder([svc('lighthouse', ['geth']), svc('geth')], ['lighthouse', 'geth']), [
      'geth',
      'lighthouse',
    ]);
    assert.deepEqual(startOrder([svc('lighthouse', ['geth']), svc('geth')], ['lighthouse']), ['lighthouse']);
  });
});
