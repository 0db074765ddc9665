/**
 * Class 7 of issue 15: an approval binds how stake reaches the hosts it acts on. A changed
 * address, port, user, jump host, a jump host's own address or a host key is detected and
 * named at --confirm time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { approvalText, judgeApprovals, parseApproval } from '../../src/failover/approval.js';
import { connectionChanges, connectionLines, connectionsDigest } from '../../src/failover/connections.js';
import type { FailoverPlan } from '../../src/failover/plan.js';
import { quorumOf } from '../../src/quorum/generation.js';
import { identityNamed } from '../../src/inventory/lookup.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import type { Inventory } from '../../src/inventory/schema.js';
import { InventoryBuilder } from '../support/inventory-builder.js';
import { future, plan, signedAt } from '../support/failover-plan.js';

const KEYS: Record<string, string[]> = { 'val-waw': ['SHA256:waw'], 'bastion-fra': ['SHA256:bastion'] };

function linesOf(inv: Inventory, keys: Record<string, string[]> = KEYS): string[] {
  const resolved = resolveInventory(inv);
  const id = identityNamed(resolved, 'cosmoshub', 'inventory.yaml');
  return connectionLines(resolved, quorumOf(id), (h) => keys[h.name] ?? []);
}

const base = () => InventoryBuilder.example('cosmos');

describe('connection lines', () => {
  test('every quorum host and its jump chain, with address, port, user, become, jump and host keys', () => {
    const lines = linesOf(base().build());
    assert.deepEqual(
      lines.map((l) => l.split(' ')[0]),
      ['bastion-fra', 'val-fra', 'val-waw', 'witness-ams'],
    );
    assert.ok(
      lines.includes('val-waw address=10.2.0.10 port=22 user=stake become=sudo jump=bastion-fra host-keys=SHA256:waw'),
    );
  });

  const changes: [string, (b: InventoryBuilder) => InventoryBuilder, RegExp][] = [
    [
      'the target address',
      (b) => b.setHost('val-waw', { address: '10.9.9.9' }),
      /val-waw: address was 10\.2\.0\.10, is now 10\.9\.9\.9/,
    ],
    ['the target port', (b) => b.setHost('val-waw', { ssh: { port: 2222 } }), /val-waw: port was 22, is now 2222/],
    [
      'the jump host',
      (b) => b.setHost('val-waw', { ssh: { jump: 'sentry-waw-1' } }),
      /val-waw: jump was bastion-fra, is now sentry-waw-1/,
    ],
    [
      "the jump host's own address",
      (b) => b.setHost('bastion-fra', { address: '192.0.2.66' }),
      /bastion-fra: address was 198\.51\.100\.10/,
    ],
    [
      'the user',
      (b) => b.setHost('witness-ams', { ssh: { user: 'root' } }),
      /witness-ams: user was stake, is now root/,
    ],
  ];
  for (const [what, change, named] of changes)
    test(`a changed ${what} changes the digest and is named`, () => {
      const before = linesOf(base().build());
      const after = linesOf(change(base()).build());
      assert.notEqual(connectionsDigest(after), connectionsDigest(before));
      assert.match(connectionChanges(before, after).join('; '), named);
    });

  test('a changed host key is named', () => {
    const before = linesOf(base().build());
    const after = linesOf(base().build(), { ...KEYS, 'val-waw': ['SHA256:decoy'] });
    assert.deepEqual(connectionChanges(before, after), ['host val-waw: host-keys was SHA256:waw, is now SHA256:decoy']);
  });

  test('the same inventory spelled differently gives the same lines (addresses are canonical)', () => {
    const spelled = base().setHost('val-waw', { address: '010.2.0.10' }).build();
    assert.deepEqual(linesOf(spelled), linesOf(base().build()));
  });
});

describe('--confirm refuses an approval whose hosts are reached differently now', () => {
  const approval = (p: FailoverPlan, who: string) => ({
    approval: parseApproval(
      `${who}.approval`,
      `${approvalText(p, who, signedAt, future)}-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n`,
    ),
    signer: who,
  });
  test('an edited inventory pointing the target at a decoy', () => {
    const now: FailoverPlan = {
      ...plan,
      connections: plan.connections.map((l) => l.replace('val-waw address=10.2.0.10', 'val-waw address=203.0.113.66')),
    };
    const verdict = judgeApprovals(now, [approval(plan, 'alice'), approval(plan, 'bob')], new Date(), 86_400_000);
    assert.equal(verdict.ok, false);
    if (!verdict.ok) {
      assert.match(
        verdict.why,
        /alice\.approval: the hosts it approved are not reached the same way any more: host val-waw: address was 10\.2\.0\.10, is now 203\.0\.113\.66/,
      );
      assert.match(verdict.hint, /restore the inventory and known_hosts/);
    }
  });
  test('a connection line removed from the signed text (the digest still binds it)', () => {
    const text = approvalText(plan, 'bob', signedAt, future).replace(/^connection: witness-ams .*\n/m, '');
    const stripped = {
      approval: parseApproval(
        'bob.approval',
        `${text}-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n`,
      ),
      signer: 'bob',
    };
    const verdict = judgeApprovals(plan, [approval(plan, 'alice'), stripped], new Date(), 86_400_000);
    assert.equal(verdict.ok, false);
  });
});
