/** The plan code: eight unambiguous characters, one per plan and expiry. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planCode, sameCode } from '../../src/failover/plan.js';
import { future, plan } from '../support/failover-plan.js';

describe('plan code', () => {
  test('eight unambiguous characters, stable for one plan and expiry, different for any change', () => {
    const code = planCode(plan, future);
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.equal(planCode({ ...plan }, future), code);
    assert.notEqual(planCode({ ...plan, generation: 4 }, future), code);
    assert.notEqual(planCode({ ...plan, to: 'val-ams' }, future), code);
    assert.notEqual(planCode(plan, new Date(Date.parse(future) + 1000).toISOString()), code);
    assert.ok(sameCode(code.toLowerCase().replace('-', ' '), code));
  });
});
