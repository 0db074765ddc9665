/** Approvals judged: two distinct operators over this plan pass; every other case is refused with why. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { approvalText, judgeApprovals, parseApproval, type VerifiedApproval } from '../../src/failover/approval.js';
import type { FailoverPlan } from '../../src/failover/plan.js';
import { future, plan, signedAt } from '../support/failover-plan.js';

const DAY = 24 * 3_600_000;

/** An approval as verifyApprovals returns it; signer null: no operator's key made the signature. */
const signed = (
  p: FailoverPlan,
  approver: string,
  expires = future,
  signer: string | null = approver,
  signed = signedAt,
): VerifiedApproval => ({
  approval: parseApproval(
    `${approver}.approval`,
    `${approvalText(p, approver, signed, expires)}-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n`,
  ),
  signer: signer ?? undefined,
});

describe('approvals', () => {
  const now = new Date();
  test('two distinct operators over this plan pass', () => {
    assert.deepEqual(judgeApprovals(plan, [signed(plan, 'alice'), signed(plan, 'bob')], now, DAY), {
      ok: true,
      approvers: ['alice', 'bob'],
    });
  });
  const refusedBy = (approvals: VerifiedApproval[], pattern: RegExp, max = DAY) => {
    const verdict = judgeApprovals(plan, approvals, now, max);
    assert.equal(verdict.ok, false);
    if (!verdict.ok) assert.match(verdict.why, pattern);
  };
  test('one approval', () => refusedBy([signed(plan, 'alice')], /two approvals.*only one/));
  test('the same operator twice', () =>
    refusedBy([signed(plan, 'alice'), signed(plan, 'alice')], /both approvals are by alice/));
  test("a key that is no operator's", () =>
    refusedBy([signed(plan, 'alice'), signed(plan, 'bob', future, null)], /not an operator's key/));
  test('a signature by another operator than the one named', () =>
    refusedBy(
      [signed(plan, 'alice'), signed(plan, 'bob', future, 'alice')],
      /says approver bob but was signed with alice's key/,
    ));
  test('a signature over another plan', () =>
    refusedBy(
      [signed(plan, 'alice'), signed({ ...plan, oldHostDead: true }, 'bob')],
      /signs another plan \("old-host-dead: yes/,
    ));
  test('an expired plan', () =>
    refusedBy([signed(plan, 'alice'), signed(plan, 'bob', new Date(Date.now() - 1000).toISOString())], /expired/));
  test('a plan made at an older generation', () =>
    refusedBy(
      [signed({ ...plan, generation: 2 }, 'alice'), signed(plan, 'bob')],
      /approved at generation 2, but cosmoshub is now at generation 3/,
    ));
  test('a file that is not an approval', () =>
    assert.throws(() => parseApproval('x', 'hello\n'), /no OpenSSH signature/));
});

describe('approvals are bounded in time (issue 15, class 7)', () => {
  const now = new Date();
  const judge = (approvals: VerifiedApproval[], max = DAY) => judgeApprovals(plan, approvals, now, max);
  const inHours = (h: number) => new Date(Math.floor((Date.now() + h * 3_600_000) / 1000) * 1000).toISOString();
  test('--valid-for 876000h: an approval valid until 2126 is refused, naming the bound', () => {
    const verdict = judge([signed(plan, 'alice'), signed(plan, 'bob', inHours(876000))]);
    assert.equal(verdict.ok, false);
    if (!verdict.ok)
      assert.match(
        verdict.why,
        /bob\.approval: valid until 21\d\d.*longer than approvals may live \(24h after signing\)/,
      );
  });
  test('the bound counts from the signing time, and from now: backdating the signing time gains nothing', () => {
    const longAgo = new Date(Date.now() - 30 * 3_600_000).toISOString();
    assert.equal(judge([signed(plan, 'alice'), signed(plan, 'bob', inHours(1), 'bob', longAgo)]).ok, false);
    assert.equal(judge([signed(plan, 'alice'), signed(plan, 'bob', inHours(25), 'bob', inHours(2))]).ok, false);
  });
  test("an inventory's policy lowers the bound: 4h refuses an approval valid for 5h", () => {
    assert.equal(judge([signed(plan, 'alice', inHours(3)), signed(plan, 'bob', inHours(3))], 4 * 3_600_000).ok, true);
    assert.equal(judge([signed(plan, 'alice', inHours(5)), signed(plan, 'bob', inHours(3))], 4 * 3_600_000).ok, false);
  });
  test('approvals made before this change (plan v1) are refused with why', () => {
    const v1 = approvalText(plan, 'alice', signedAt, future).replace(
      'stake failover plan v2',
      'stake failover plan v1',
    );
    assert.throws(
      () => parseApproval('old.approval', `${v1}-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n`),
      /plan v1 approval, made by an older stake: it does not bind the hosts' addresses/,
    );
  });
});
