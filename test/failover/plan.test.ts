/** The plan: its text (what approvals sign), its code (what operators type), its durations and steps. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connectionsDigest } from '../../src/failover/connections.js';
import {
  DEFAULT_VALIDITY_MS,
  expiryOf,
  parseDuration,
  planBody,
  planCode,
  POINT_OF_NO_RETURN,
  sameCode,
  showDuration,
  STEP_TEXT,
  STEPS,
  type FailoverPlan,
} from '../../src/failover/plan.js';
import { future, plan } from '../support/failover-plan.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The code computed another way: the digest's first 40 bits as one number, read 5 bits at a time. */
function codeByBigInt(p: FailoverPlan, expires: string): string {
  const digest = createHash('sha256')
    .update([...planBody(p), `expires: ${expires}`].join('\n'))
    .digest();
  const bits = BigInt(`0x${digest.subarray(0, 5).toString('hex')}`);
  const chars = [...Array(8).keys()].map((i) => CROCKFORD[Number((bits >> BigInt(35 - 5 * i)) & 31n)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

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

  test("the code is the digest's first 40 bits in Crockford's base32, for many plans and expiries", () => {
    for (let generation = 0; generation < 40; generation++)
      for (const expires of [future, '2026-01-01T00:00:00.000Z'])
        assert.equal(planCode({ ...plan, generation }, expires), codeByBigInt({ ...plan, generation }, expires));
  });

  test('every field of the plan is bound: changing any one changes the code', () => {
    const code = planCode(plan, future);
    const changed: Partial<FailoverPlan>[] = [
      { deployment: 'other' },
      { family: 'cardano' },
      { identity: 'other' },
      { from: 'val-ams' },
      { oldHostDead: true },
      { connections: plan.connections.slice(1) },
    ];
    for (const change of changed)
      assert.notEqual(planCode({ ...plan, ...change }, future), code, JSON.stringify(change));
    assert.notEqual(
      planCode({ ...plan, oldHostDead: true, safetyWindow: 21 }, future),
      planCode({ ...plan, oldHostDead: true }, future),
    );
  });

  test('codes compare as typed: case, spaces and the dash aside, and nothing else', () => {
    assert.ok(sameCode(' abcd efgh ', 'ABCD-EFGH'));
    assert.ok(sameCode('ABCDEFGH', 'abcd-efgh'));
    assert.equal(sameCode('ABCD-EFGJ', 'ABCD-EFGH'), false);
    assert.equal(sameCode('ABCD-EFG', 'ABCD-EFGH'), false);
  });
});

describe('plan text', () => {
  test('the lines an approval signs, in order', () => {
    assert.deepEqual(planBody(plan), [
      'stake failover plan v2',
      'deployment: cosmoshub-prod',
      'family: cosmos',
      'identity: cosmoshub',
      'from: val-fra',
      'to: val-waw',
      'live-generation: 3',
      'old-host-dead: no',
      ...plan.connections.map((c) => `connection: ${c}`),
      `connections-digest: ${connectionsDigest(plan.connections)}`,
    ]);
    assert.ok(
      planBody({ ...plan, oldHostDead: true, safetyWindow: 20 }).includes(
        'old-host-dead: yes, after 20 heights without a signature',
      ),
    );
  });

  test('a plan journalled before connections were bound has none, and the digest of none', () => {
    const old = { ...plan, connections: undefined } as unknown as FailoverPlan;
    const body = planBody(old);
    assert.equal(body.filter((l) => l.startsWith('connection: ')).length, 0);
    assert.equal(body.at(-1), `connections-digest: ${connectionsDigest([])}`);
  });
});

describe('steps', () => {
  test('the point of no return is the generation bump: fence and carry come before it, activate after', () => {
    const at = (s: string) => STEPS.indexOf(s as (typeof STEPS)[number]);
    assert.ok(at(POINT_OF_NO_RETURN) > at('carry'));
    assert.ok(at(POINT_OF_NO_RETURN) < at('activate'));
  });

  test('every step has a text of its own for the printout', () => {
    const texts = STEPS.map((s) => STEP_TEXT[s]);
    assert.ok(texts.every((t) => typeof t === 'string' && t.length > 20));
    assert.equal(new Set(texts).size, STEPS.length);
  });
});

describe('durations', () => {
  test('30 minutes by default, shown as the flag takes it', () => {
    assert.equal(DEFAULT_VALIDITY_MS, parseDuration('30m'));
    assert.equal(showDuration(DEFAULT_VALIDITY_MS), '30m');
  });

  test('shown in the largest whole unit, seconds rounded up', () => {
    assert.equal(showDuration(4 * 3_600_000), '4h');
    assert.equal(showDuration(90 * 60_000), '90m');
    assert.equal(showDuration(90_000), '90s');
    assert.equal(showDuration(1_500), '2s');
  });

  test('parsed from ms, s, m, h or plain seconds; anything else is not a duration', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration(' 30 m '), 1_800_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('45'), 45_000);
    for (const bad of ['', 'm', '5d', '-5m', '1.5h', 'x5m', '5mm', '5 m x'])
      assert.equal(parseDuration(bad), undefined, bad);
  });

  test('an expiry is now plus the validity, cut to the second', () => {
    assert.equal(expiryOf(new Date('2026-03-01T10:00:00.750Z'), 60_000), '2026-03-01T10:01:00.000Z');
    assert.equal(expiryOf(new Date('2026-03-01T10:00:00.000Z'), 1_999), '2026-03-01T10:00:01.000Z');
  });
});
