import type { Severity } from '../../diagnostics.js';

/**
 * Every topology rule id with its severity and what it finds. The first eighteen are the
 * contract of ../shared/spec/inventory.md; the ones marked "stake addition" are ours.
 * docs/inventory.md documents each id (a test checks that none is missing).
 */
export const RULES = {
  'unknown-reference': { severity: 'error', finding: 'a dc, jump, active, standby, upstream, witness, signer host, access.monitor or clients entry names nothing' },
  'duplicate-address': { severity: 'error', finding: 'two hosts share an address (or a private_address)' },
  'tier-client-mismatch': { severity: 'error', finding: 'a client that does not fit the tier or the chain family' },
  'validator-public': { severity: 'error', finding: 'public: true on a validator or signer host' },
  'wrong-tier': { severity: 'error', finding: 'active/standby not validators, upstream not of the family upstream tier, witness not a witness, signer hosts not signers, monitor not a monitor' },
  'double-active': { severity: 'error', finding: 'a host is active for two identities, active and standby, or in two identities' },
  'no-standby': { severity: 'warning', finding: 'an identity with no standby host' },
  'standby-same-dc': { severity: 'warning', finding: "every standby sits in the active host's datacenter" },
  'single-upstream': { severity: 'error', finding: 'fewer than 2 upstream hosts' },
  'upstream-single-dc': { severity: 'warning', finding: 'all upstream hosts in one datacenter' },
  'witness-dc': { severity: 'error', finding: 'the witness shares a datacenter with the active host or a standby' },
  'signer-threshold': { severity: 'error', finding: 'threshold < 1, > number of signer hosts, or not a strict majority' },
  'signer-dc-quorum': { severity: 'error', finding: 'one datacenter holds a signing quorum' },
  'signer-dc-availability': { severity: 'warning', finding: 'losing the largest datacenter leaves fewer signers than the threshold' },
  'client-diversity': { severity: 'warning', finding: 'every beacon host runs the same consensus client' },
  'port-conflict': { severity: 'error', finding: 'two services on one host share a port' },
  'jump-cycle': { severity: 'error', finding: 'ssh jump chains loop' },
  'operators-two-person': { severity: 'error', finding: 'an identity has a standby but fewer than two operators with distinct keys exist' },
  // stake additions
  'unknown-port': { severity: 'error', finding: "a ports: override names a port the host's clients do not have (stake addition)" },
  'no-witness': { severity: 'warning', finding: 'an identity with a standby but no witness: failover quorum has no tie-breaker (stake addition)' },
  'operator-key': { severity: 'warning', finding: 'an operator key that does not decode as the OpenSSH key its type names (stake addition)' },
} as const satisfies Record<string, { severity: Severity; finding: string }>;

export type RuleId = keyof typeof RULES;
