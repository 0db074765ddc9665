/**
 * The rule cases: for each rule id, a clean example inventory, one realistic edit that breaks
 * it, the line the finding must point at, and the fix the hint suggests. The rule tests run
 * them; scripts/write-rule-docs.ts turns them into the examples of docs/inventory.md.
 */
import type { RuleId } from '../../src/inventory/rules/registry.js';
import { edit } from './helpers.js';

export type Edit = [from: string, to: string];

export interface RuleCase {
  rule: RuleId;
  base: 'cosmos' | 'ethereum' | 'cardano';
  /** What breaks the inventory. */
  breakIt: Edit[];
  /** Text on the line the finding must point at (in the broken inventory). */
  at: string;
  /** What fixes it again, applied to the broken inventory. */
  fix: Edit[];
}

const ALICE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFp/dwi4kLVqOyCVJxxvw1Z4InS/KQPLMqzCY2szNnpu alice@ops.example';
const BOB_LINE =
  '  bob: { key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILOOKOC4ODm9xHdFYUi6vULnd9zSSONQlkAuy7gifOhu bob@ops.example" }\n';
const UPSTREAM = '    upstream: [sentry-fra-1, sentry-fra-2, sentry-waw-1, sentry-waw-2]';

export const CASES: RuleCase[] = [
  {
    rule: 'unknown-reference',
    base: 'cosmos',
    breakIt: [['    witness: witness-ams', '    witness: witness-amz']],
    at: 'witness: witness-amz',
    fix: [['witness-amz', 'witness-ams']],
  },
  {
    rule: 'unknown-reference',
    base: 'cosmos',
    breakIt: [['    dc: fra1\n    address: 10.1.0.10', '    dc: fra9\n    address: 10.1.0.10']],
    at: 'dc: fra9',
    fix: [['fra9', 'fra1']],
  },
  {
    rule: 'duplicate-address',
    base: 'cosmos',
    breakIt: [['    address: 10.2.0.10\n', '    address: 10.1.0.10 # same as val-fra\n']],
    at: '# same as val-fra',
    fix: [['10.1.0.10 # same as val-fra', '10.2.0.10']],
  },
  {
    rule: 'duplicate-address',
    base: 'cosmos',
    breakIt: [['    address: 10.2.0.10\n', '    address: 010.1.0.10 # val-fra, with a leading zero\n']],
    at: '# val-fra, with a leading zero',
    fix: [['010.1.0.10 # val-fra, with a leading zero', '10.2.0.10']],
  },
  {
    rule: 'invalid-cidr',
    base: 'cosmos',
    breakIt: [['admin_cidrs: [198.51.100.0/24]', 'admin_cidrs: [198.51.100.0/33]']],
    at: 'admin_cidrs: [198.51.100.0/33]',
    fix: [['198.51.100.0/33', '198.51.100.0/24']],
  },
  {
    rule: 'cidr-host-bits',
    base: 'cosmos',
    breakIt: [['admin_cidrs: [198.51.100.0/24]', 'admin_cidrs: [198.51.100.7/24]']],
    at: 'admin_cidrs: [198.51.100.7/24]',
    fix: [['198.51.100.7/24', '198.51.100.0/24']],
  },
  {
    rule: 'world-open-ssh',
    base: 'cosmos',
    breakIt: [['admin_cidrs: [198.51.100.0/24]', 'admin_cidrs: [0.0.0.0/0, "::/0"]']],
    at: 'admin_cidrs: [0.0.0.0/0',
    fix: [['[0.0.0.0/0, "::/0"]', '[198.51.100.0/24]']],
  },
  {
    rule: 'non-canonical-address',
    base: 'cosmos',
    breakIt: [['    address: 10.1.0.10\n', '    address: 010.1.0.10\n']],
    at: 'address: 010.1.0.10',
    fix: [['    address: 010.1.0.10\n', '    address: 10.1.0.10\n']],
  },
  {
    rule: 'tier-client-mismatch',
    base: 'cardano',
    breakIt: [['10.1.0.51, client: cardano-node', '10.1.0.51, client: teku']],
    at: 'client: teku',
    fix: [['client: teku', 'client: cardano-node']],
  },
  {
    rule: 'tier-client-mismatch',
    base: 'ethereum',
    breakIt: [
      [
        'vc-lon: { tier: validator, dc: lon1, address: 10.2.0.10, client: vouch }',
        'vc-lon: { tier: validator, dc: lon1, address: 10.2.0.10, client: lighthouse }',
      ],
    ],
    at: 'standby: [vc-lon]',
    fix: [['client: lighthouse }', 'client: vouch }']],
  },
  {
    rule: 'validator-public',
    base: 'cosmos',
    breakIt: [['    address: 10.1.0.10\n', '    address: 10.1.0.10\n    public: true\n']],
    at: 'public: true',
    fix: [['    public: true\n', '']],
  },
  {
    rule: 'wrong-tier',
    base: 'cosmos',
    breakIt: [['    witness: witness-ams', '    witness: monitor-ams']],
    at: 'witness: monitor-ams',
    fix: [['witness: monitor-ams', 'witness: witness-ams']],
  },
  {
    rule: 'double-active',
    base: 'cosmos',
    breakIt: [['standby: [val-waw]', 'standby: [val-waw, val-fra]']],
    at: 'standby: [val-waw, val-fra]',
    fix: [['[val-waw, val-fra]', '[val-waw]']],
  },
  {
    rule: 'no-standby',
    base: 'cosmos',
    breakIt: [['    standby: [val-waw]\n', '']],
    at: '  cosmoshub:',
    fix: [['    active: val-fra\n', '    active: val-fra\n    standby: [val-waw]\n']],
  },
  {
    rule: 'standby-same-dc',
    base: 'cosmos',
    breakIt: [['    dc: waw1\n    address: 10.2.0.10', '    dc: fra1\n    address: 10.2.0.10']],
    at: 'standby: [val-waw]',
    fix: [['    dc: fra1\n    address: 10.2.0.10', '    dc: waw1\n    address: 10.2.0.10']],
  },
  {
    rule: 'single-upstream',
    base: 'cosmos',
    breakIt: [[UPSTREAM, '    upstream: [sentry-fra-1]']],
    at: 'upstream: [sentry-fra-1]',
    fix: [['[sentry-fra-1]', '[sentry-fra-1, sentry-waw-1]']],
  },
  {
    rule: 'upstream-single-dc',
    base: 'cosmos',
    breakIt: [[UPSTREAM, '    upstream: [sentry-fra-1, sentry-fra-2]']],
    at: 'upstream: [sentry-fra-1, sentry-fra-2]',
    fix: [['sentry-fra-2]', 'sentry-waw-1]']],
  },
  {
    rule: 'witness-dc',
    base: 'cosmos',
    breakIt: [['{ tier: witness, dc: ams1', '{ tier: witness, dc: waw1']],
    at: '    witness: witness-ams',
    fix: [['{ tier: witness, dc: waw1', '{ tier: witness, dc: ams1']],
  },
  {
    rule: 'signer-threshold',
    base: 'ethereum',
    breakIt: [['threshold: 2', 'threshold: 1']],
    at: 'threshold: 1',
    fix: [['threshold: 1', 'threshold: 2']],
  },
  {
    rule: 'signer-threshold',
    base: 'ethereum',
    breakIt: [['threshold: 2', 'threshold: 4']],
    at: 'threshold: 4',
    fix: [['threshold: 4', 'threshold: 3']],
  },
  {
    rule: 'signer-dc-quorum',
    base: 'ethereum',
    breakIt: [
      [
        'signer-ams: { tier: signer, dc: ams1, address: 10.3.0.50',
        'signer-ams: { tier: signer, dc: fra1, address: 10.3.0.50',
      ],
    ],
    at: 'hosts: [signer-fra, signer-lon, signer-ams]',
    fix: [['dc: fra1, address: 10.3.0.50', 'dc: ams1, address: 10.3.0.50']],
  },
  {
    rule: 'signer-dc-availability',
    base: 'ethereum',
    breakIt: [['threshold: 2', 'threshold: 3']],
    at: 'hosts: [signer-fra, signer-lon, signer-ams]',
    fix: [['threshold: 3', 'threshold: 2']],
  },
  {
    rule: 'client-diversity',
    base: 'ethereum',
    breakIt: [
      ['client: teku, execution: nethermind', 'client: lighthouse, execution: nethermind'],
      ['client: teku, execution: geth', 'client: lighthouse, execution: geth'],
    ],
    at: 'beacon-fra-1:',
    fix: [
      [
        '203.0.113.41, private_address: 10.2.0.41, client: lighthouse',
        '203.0.113.41, private_address: 10.2.0.41, client: teku',
      ],
    ],
  },
  {
    rule: 'port-conflict',
    base: 'ethereum',
    breakIt: [
      ['client: lighthouse, execution: geth }', 'client: lighthouse, execution: geth, ports: { http: 8551 } }'],
    ],
    at: 'ports: { http: 8551 }',
    fix: [['{ http: 8551 }', '{ http: 5053 }']],
  },
  {
    rule: 'jump-cycle',
    base: 'cosmos',
    breakIt: [
      [
        'bastion-fra: { tier: bastion, dc: fra1, address: 198.51.100.10 }',
        'bastion-fra: { tier: bastion, dc: fra1, address: 198.51.100.10, ssh: { jump: sentry-fra-1 } }',
      ],
    ],
    at: 'jump: sentry-fra-1',
    fix: [[', ssh: { jump: sentry-fra-1 }', '']],
  },
  {
    rule: 'operators-two-person',
    base: 'cosmos',
    breakIt: [[BOB_LINE, '']],
    at: 'operators:',
    fix: [[`  alice: { key: "${ALICE}" }\n`, `  alice: { key: "${ALICE}" }\n${BOB_LINE}`]],
  },
  {
    rule: 'unknown-port',
    base: 'cosmos',
    breakIt: [['    address: 10.1.0.10\n', '    address: 10.1.0.10\n    ports: { metric: 26661 }\n']],
    at: 'ports: { metric: 26661 }',
    fix: [['{ metric: 26661 }', '{ metrics: 26661 }']],
  },
  {
    rule: 'no-witness',
    base: 'cosmos',
    breakIt: [['    witness: witness-ams\n', '']],
    at: '  cosmoshub:',
    fix: [[UPSTREAM, `${UPSTREAM}\n    witness: witness-ams`]],
  },
  {
    rule: 'client-source-pin',
    base: 'cosmos',
    breakIt: [['cometbft: { version: v0.38.17 }', 'cometbft: { version: v0.38.17, source: ./bin/cometbft }']],
    at: 'source: ./bin/cometbft',
    fix: [['source: ./bin/cometbft }', `source: ./bin/cometbft, sha256: ${'ab'.repeat(32)} }`]],
  },
  {
    rule: 'operator-key',
    base: 'cosmos',
    breakIt: [[ALICE, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@ops']],
    at: 'alice:',
    fix: [['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@ops', ALICE]],
  },
  {
    rule: 'approval-validity-policy',
    base: 'cosmos',
    breakIt: [['\noperators:\n', '\npolicy: { max_approval_validity: 876000h }\n\noperators:\n']],
    at: 'max_approval_validity: 876000h',
    fix: [['876000h', '4h']],
  },
];

export const applyEdits = (text: string, edits: Edit[]) => edits.reduce((t, [from, to]) => edit(t, from, to), text);
