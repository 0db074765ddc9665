/**
 * Approvals at their edges: how a file is split into signed text and signature and read, and
 * each refusal of judgeApprovals with its exact words, at the boundaries of time (the expiry,
 * the signer's clock skew, the longest validity) where an off-by-one would let one through.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ApprovalFormatError,
  approvalText,
  judgeApprovals,
  parseApproval,
  SIGNATURE_NAMESPACE,
  type VerifiedApproval,
} from '../../src/failover/approval.js';
import { planCode, type FailoverPlan } from '../../src/failover/plan.js';
import { projectPath } from '../../src/paths.js';
import { plan } from '../support/failover-plan.js';

const SIGNATURE = '-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n';
const HOUR = 3_600_000;
const SIGNED = '2026-11-01T10:00:00.000Z';
const EXPIRES = '2026-11-01T11:00:00.000Z';
const NOW = new Date('2026-11-01T10:30:00.000Z');
const again = `make new approvals: stake failover approve cosmoshub --to val-waw --as OPERATOR (each operator), then run with both`;

/** An approval file's text, optionally edited, verified as signed by `signer`. */
function approval(
  approver: string,
  { p = plan, signed = SIGNED, expires = EXPIRES, edit = (t: string) => t, signer = approver as string | null } = {},
): VerifiedApproval {
  const text = edit(approvalText(p, approver, signed, expires));
  return { approval: parseApproval(`${approver}.approval`, `${text}${SIGNATURE}`), signer: signer ?? undefined };
}
/** An ApprovalFormatError whose message is exactly this. */
const formatError = (message: string) => (err: unknown) =>
  err instanceof ApprovalFormatError && err.message === message;
const judge = (second: VerifiedApproval, max = 2 * HOUR, now = NOW) =>
  judgeApprovals(plan, [approval('alice'), second], now, max);

describe('reading an approval file', () => {
  test('the signed text is everything before the signature, byte for byte; the signature the rest', () => {
    const text = approvalText(plan, 'alice', SIGNED, EXPIRES);
    const a = parseApproval('alice.approval', `${text}${SIGNATURE}`);
    assert.equal(a.text, text);
    assert.equal(a.signature, SIGNATURE);
    assert.deepEqual(a.connections, plan.connections);
    assert.equal(a.fields.identity, 'cosmoshub');
    assert.equal(a.fields.code, planCode(plan, EXPIRES));
  });

  test('a signature line that does not start a line, or no plan text before it, is no approval', () => {
    const text = approvalText(plan, 'alice', SIGNED, EXPIRES);
    assert.throws(
      () => parseApproval('a', `${text.slice(0, -1)} ${SIGNATURE}`),
      formatError('a holds no OpenSSH signature (no "-----BEGIN SSH SIGNATURE-----" line)'),
    );
    assert.throws(
      () => parseApproval('a', SIGNATURE),
      formatError('a is not a stake failover approval (its text does not start with "stake failover plan v2")'),
    );
    assert.throws(
      () => parseApproval('a', `note\n${text}${SIGNATURE}`),
      ApprovalFormatError,
      'the format line comes first',
    );
  });

  test('a newer or older plan format names its version', () => {
    const v12 = approvalText(plan, 'alice', SIGNED, EXPIRES).replace('plan v2', 'plan v12');
    assert.throws(() => parseApproval('a', `${v12}${SIGNATURE}`), /a is a plan v12 approval/);
  });

  test('every field an approval binds must be there', () => {
    for (const key of [
      'identity',
      'from',
      'to',
      'live-generation',
      'connections-digest',
      'approver',
      'signed',
      'expires',
      'code',
    ]) {
      const text = approvalText(plan, 'alice', SIGNED, EXPIRES).replace(new RegExp(`^${key}: .*\\n`, 'm'), '');
      assert.throws(() => parseApproval('a', `${text}${SIGNATURE}`), formatError(`a has no "${key}:" line`));
    }
  });

  test('only a line that starts with a field name is a field', () => {
    const a = approval('alice', { edit: (t) => `${t} identity: elsewhere\n` });
    assert.equal(a.approval.fields.identity, 'cosmoshub');
  });

  test('the namespace is the one the docs tell operators to verify with', () => {
    const doc = readFileSync(projectPath('docs', 'failover.md'), 'utf8');
    assert.ok(doc.includes(`ssh-keygen -Y verify -f allowed_signers -I alice -n ${SIGNATURE_NAMESPACE} `));
  });
});

describe('judging approvals: the exact refusals', () => {
  test('none, or one: says how many, and how the second operator approves', () => {
    const hint =
      'the second operator runs: stake failover approve cosmoshub --to val-waw --as NAME -o FILE; pass both with --approval';
    assert.deepEqual(judgeApprovals(plan, [], NOW, HOUR), {
      ok: false,
      why: 'a failover needs two approvals by two distinct operators; none was given',
      hint,
    });
    assert.deepEqual(judgeApprovals(plan, [approval('alice')], NOW, HOUR), {
      ok: false,
      why: 'a failover needs two approvals by two distinct operators; only one was given',
      hint,
    });
  });

  test("a signature by no operator's key, or by another operator's", () => {
    assert.deepEqual(judge(approval('bob', { signer: null })), {
      ok: false,
      why: `bob.approval: the signature is not valid, or was made by a key that is not an operator's key in the inventory (approver "bob")`,
      hint: 'sign with a key listed under operators, or have the inventory updated through review',
    });
    assert.deepEqual(judge(approval('bob', { signer: 'carol' })), {
      ok: false,
      why: "bob.approval: says approver bob but was signed with carol's key",
      hint: 'each operator signs their own approval with their own key',
    });
  });

  test('an older generation of this identity says someone failed over; of another identity, another plan', () => {
    assert.deepEqual(judge(approval('bob', { p: { ...plan, generation: 2 } })), {
      ok: false,
      why: 'bob.approval: approved at generation 2, but cosmoshub is now at generation 3: someone failed over since',
      hint: `${again}; check stake status first`,
    });
    const other: FailoverPlan = { ...plan, identity: 'osmosis', generation: 2 };
    assert.deepEqual(judge(approval('bob', { p: other })), {
      ok: false,
      why: 'bob.approval: signs another plan ("identity: osmosis" where this plan has "identity: cosmoshub")',
      hint: again,
    });
  });

  test('connections changed since: each change named; a forged digest alone is caught too', () => {
    const moved = {
      ...plan,
      connections: plan.connections.map((c) =>
        c.replace('val-waw address=10.2.0.10 port=22', 'val-waw address=10.2.0.10 port=2222'),
      ),
    };
    const hint = `if the change is intended, ${again}; if not, restore the inventory and known_hosts (git diff) first`;
    assert.deepEqual(judge(approval('bob', { p: moved })), {
      ok: false,
      why: 'bob.approval: the hosts it approved are not reached the same way any more: host val-waw: port was 2222, is now 22',
      hint,
    });
    const twice = {
      ...moved,
      connections: moved.connections.map((c) => c.replace('val-fra address=10.1.0.10', 'val-fra address=10.1.0.11')),
    };
    const both = judge(approval('bob', { p: twice }));
    assert.equal(
      both.ok ? '' : both.why,
      'bob.approval: the hosts it approved are not reached the same way any more: host val-fra: address was 10.1.0.11, is now 10.1.0.10; host val-waw: port was 2222, is now 22',
    );
    const forged = approval('bob', { edit: (t) => t.replace(/^connections-digest: .*$/m, 'connections-digest: 0000') });
    assert.deepEqual(judge(forged), {
      ok: false,
      why: 'bob.approval: the hosts it approved are not reached the same way any more: the connections digest differs',
      hint,
    });
  });

  test('an approval expires at its expiry exactly, not a millisecond later', () => {
    const at = new Date(EXPIRES);
    assert.deepEqual(judge(approval('bob'), 2 * HOUR, at), {
      ok: false,
      why: `alice.approval: the plan expired at ${EXPIRES}`,
      hint: again,
    });
    assert.equal(
      judgeApprovals(plan, [approval('alice'), approval('bob')], new Date(at.getTime() - 1), 2 * HOUR).ok,
      true,
    );
  });

  test("a signer's clock may run 5 minutes ahead, and no more", () => {
    const ahead = (ms: number) => new Date(Date.parse(SIGNED) - ms);
    const both = [approval('alice'), approval('bob')];
    assert.equal(judgeApprovals(plan, both, ahead(5 * 60_000), 2 * HOUR).ok, true);
    const verdict = judgeApprovals(plan, both, ahead(5 * 60_000 + 1), 2 * HOUR);
    assert.deepEqual(verdict, {
      ok: false,
      why: `alice.approval: signed at ${SIGNED}, which is not a time in the past`,
      hint: again,
    });
    assert.equal(judge(approval('bob', { edit: (t) => t.replace(`signed: ${SIGNED}`, 'signed: someday') })).ok, false);
  });

  test('valid for exactly the longest validity passes, a second more does not, from the signing time and from now', () => {
    assert.equal(judge(approval('bob'), HOUR).ok, true, 'signed 10:00, expires 11:00: one hour');
    assert.deepEqual(judge(approval('bob'), HOUR - 1000), {
      ok: false,
      why: `alice.approval: valid until ${EXPIRES}, longer than approvals may live (3599s after signing)`,
      hint: `${again} with --valid-for 3599s or less`,
    });
    const late = approval('bob', { signed: '2026-11-01T10:30:00.000Z', expires: '2026-11-01T11:00:00.000Z' });
    assert.equal(
      judgeApprovals(plan, [late, approval('carol', { signed: '2026-11-01T10:30:00.000Z' })], NOW, 30 * 60_000).ok,
      true,
    );
    const fromNow = new Date('2026-11-01T10:29:59.000Z');
    const carol = approval('carol', { signed: '2026-11-01T10:30:00.000Z' });
    assert.deepEqual(judgeApprovals(plan, [late, carol], fromNow, 30 * 60_000), {
      ok: false,
      why: 'bob.approval: valid until 2026-11-01T11:00:00.000Z, longer than approvals may live (30m after signing)',
      hint: `${again} with --valid-for 30m or less`,
    });
  });

  test("a code that is not this plan's is refused, naming it", () => {
    const wrong = approval('bob', { edit: (t) => t.replace(/^code: .*$/m, 'code: AAAA-AAAA') });
    assert.deepEqual(judge(wrong), {
      ok: false,
      why: "bob.approval: its code AAAA-AAAA is not this plan's",
      hint: again,
    });
  });

  test('the same operator twice is one approval', () => {
    assert.deepEqual(judgeApprovals(plan, [approval('alice'), approval('alice')], NOW, 2 * HOUR), {
      ok: false,
      why: 'both approvals are by alice: a failover needs two distinct operators',
      hint: 'a second operator approves with their own key',
    });
  });
});
