/** Approvals judged: two distinct operators over this plan pass; every other case is refused with why. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { approvalText, judgeApprovals, parseApproval, type VerifiedApproval } from '../../src/failover/approval.js';
import type { FailoverPlan } from '../../src/failover/plan.js';
import { future, plan } from '../support/failover-plan.js';

/** An approval as verifyApprovals returns it; signer null: no operator's key made the signature. */
const signed = (
  p: FailoverPlan,
  approver: string,
  expires = future,
  signer: string | null = approver,
): VerifiedApproval => ({
  approval: parseApproval(
    `${approver}.approval`,
    `${approvalText(p, approver, expires)}-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n`,
  ),
  signer: signer ?? undefined,
});

describe('approvals', () => {
  const now = new Date();
  test('two distinct operators over this plan pass', () => {
    assert.deepEqual(judgeApprovals(plan, [signed(plan, 'alice'), signed(plan, 'bob')], now), {
      ok: true,
      approvers: ['alice', 'bob'],
    });
  });
  const refusedBy = (approvals: VerifiedApproval[], pattern: RegExp) => {
    const verdict = judgeApprovals(plan, approvals, now);
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
