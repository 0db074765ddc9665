import type { Severity } from '../../diagnostics.js';

/**
 * Every topology rule id with its severity and what it finds. The first eighteen are the
 * contract of the inventory contract (docs/inventory.md); the ones marked "stake addition" are ours.
 * docs/inventory.md documents each id (a test checks that none is missing).
 */
export const RULES = {
  'unknown-reference': {
    severity: 'error',
    finding:
      'a dc, jump, active, standby, upstream, witness, signer host, access.monitor or clients entry names nothing',
    why: 'A name that points nowhere is almost always a typo; deploying it would leave a role unfilled.',
  },
  'duplicate-address': {
    severity: 'error',
    finding: 'two hosts share an address (or a private_address)',
    why: "Two hosts on one address receive each other's traffic, configs and firewall rules.",
  },
  'tier-client-mismatch': {
    severity: 'error',
    finding: 'a client that does not fit the tier or the chain family',
    why: 'A client in the wrong place either cannot run there or runs without the protection its tier needs (vouch without dirk signs with no slashing protection).',
  },
  'validator-public': {
    severity: 'error',
    finding: 'public: true on a validator or signer host',
    why: 'A signing host reachable from the internet can be attacked and DDoSed directly; sentries, relays and beacons exist to hide it.',
  },
  'wrong-tier': {
    severity: 'error',
    finding:
      'active/standby not validators, upstream not of the family upstream tier, witness not a witness, signer hosts not signers, monitor not a monitor',
    why: 'Roles drive the firewall and the failover: a witness that is not a witness host cannot vote, an upstream that is not a sentry exposes the validator.',
  },
  'double-active': {
    severity: 'error',
    finding: 'a host is active for two identities, active and standby, or in two identities',
    why: 'A host in two roles or two identities is one automation mistake away from two signers with one key.',
  },
  'no-standby': {
    severity: 'warning',
    finding: 'an identity with no standby host',
    why: 'Without a standby, losing the active host stops signing until a new host is built.',
  },
  'standby-same-dc': {
    severity: 'warning',
    finding: "every standby sits in the active host's datacenter",
    why: 'A standby in the same datacenter fails together with the active host.',
  },
  'single-upstream': {
    severity: 'error',
    finding: 'fewer than 2 upstream hosts',
    why: 'One upstream is a single point of failure between the validator and the network.',
  },
  'upstream-single-dc': {
    severity: 'warning',
    finding: 'all upstream hosts in one datacenter',
    why: 'Upstreams in one datacenter are cut off together when that site fails.',
  },
  'witness-dc': {
    severity: 'error',
    finding: 'the witness shares a datacenter with the active host or a standby',
    why: 'A witness beside one side of a split votes with that side: it cannot break the tie.',
  },
  'signer-threshold': {
    severity: 'error',
    finding: 'threshold < 1, > number of signer hosts, or not a strict majority',
    why: 'A threshold that is not a strict majority lets two disjoint groups of signers sign conflicting messages.',
  },
  'signer-dc-quorum': {
    severity: 'error',
    finding: 'one datacenter holds a signing quorum',
    why: 'If one datacenter holds a quorum, whoever controls that site can sign alone.',
  },
  'signer-dc-availability': {
    severity: 'warning',
    finding: 'losing the largest datacenter leaves fewer signers than the threshold',
    why: 'If losing one datacenter leaves fewer signers than the threshold, one site outage stops signing.',
  },
  'client-diversity': {
    severity: 'warning',
    finding: 'every beacon host runs the same consensus client',
    why: 'A bug in one consensus client would take every beacon down at once (and, on a supermajority client, risk finality).',
  },
  'port-conflict': {
    severity: 'error',
    finding: 'two services on one host share a port',
    why: "Two services on one port: one of them fails to start, or worse, answers the other's clients.",
  },
  'jump-cycle': {
    severity: 'error',
    finding: 'ssh jump chains loop',
    why: 'A jump chain that loops can never connect.',
  },
  'operators-two-person': {
    severity: 'error',
    finding: 'an identity has a standby but fewer than two operators with distinct keys exist',
    why: 'Failover needs two distinct people; with fewer keys the two-person rule cannot be met (or one person could approve twice).',
  },
  // stake additions
  'unknown-port': {
    severity: 'error',
    finding: "a ports: override names a port the host's clients do not have (stake addition)",
    why: 'An override of a port the client does not have is a typo that would be silently ignored.',
  },
  'no-witness': {
    severity: 'warning',
    finding: 'an identity with a standby but no witness: failover quorum has no tie-breaker (stake addition)',
    why: 'Without a witness, the failover quorum is the active host and its standbys only: a split brain has no tie-breaker.',
  },
  'operator-key': {
    severity: 'warning',
    finding: 'an operator key that does not decode as the OpenSSH key its type names (stake addition)',
    why: 'A truncated or mangled key can never verify an approval.',
  },
  'client-source-pin': {
    severity: 'error',
    finding: 'a clients entry has a source but no pinned sha256 (stake addition)',
    why: 'A binary installed without a pinned checksum is whatever the mirror or the file happens to hold that day: a compromised or truncated download would run with the signing key.',
  },
  'invalid-cidr': {
    severity: 'error',
    finding:
      'an admin network that is not an IP network: no prefix, a prefix wider than the family (/33, /999), a zone (stake addition)',
    why: 'A network the firewall cannot load, or loads as something else, either breaks the deploy or opens more than was meant.',
  },
  'cidr-host-bits': {
    severity: 'warning',
    finding: 'an admin network with host bits set (10.1.0.10/24 means 10.1.0.0/24) (stake addition)',
    why: 'Bits below the prefix are ignored: the rule admits the whole network, which is rarely what the writer of one address meant.',
  },
  'world-open-ssh': {
    severity: 'error',
    finding:
      'admin_cidrs open SSH to the world: 0.0.0.0/0, ::/0, anything wider than a /8 (IPv4) or a /32 (IPv6), or networks adding up to more (stake addition)',
    why: 'admin_cidrs reach SSH on every host, validators and signers included: a world-wide source puts the hosts that hold signing keys one sshd bug or stolen key away from anyone.',
  },
  'non-canonical-address': {
    severity: 'warning',
    finding:
      'an address written in a non-canonical spelling (010.1.0.10, ::ffff:10.1.0.10, uppercase IPv6) or a numeric name such as 10.1 (stake addition)',
    why: 'stake compares and renders the canonical form; other tools may read the same text differently (a leading 0 as octal), so what the operator reads is not what runs.',
  },
  'approval-validity-policy': {
    severity: 'error',
    finding: 'policy.max_approval_validity above 24h (stake addition)',
    why: 'An approval that lives longer than a day outlives the situation it was given for; a policy may only shorten it.',
  },
} as const satisfies Record<string, { severity: Severity; finding: string; why: string }>;

export type RuleId = keyof typeof RULES;
