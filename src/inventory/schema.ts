/**
 * The inventory's JSON Schema, written once with TypeBox: the TypeScript types below are
 * derived from it (`Static<>`), so schema and types cannot drift. `npm run schema` publishes
 * it as schema/inventory.schema.json for editors; a test fails if that file is out of date.
 *
 * Every object refuses unknown keys (a typo must never be silently ignored) except `x-*`
 * keys, which are free for the user's own anchors and notes.
 */
import { Type, type Static, type TSchema, type TObject, type TProperties } from '@sinclair/typebox';
import { CLIENTS, EXECUTION_CLIENTS, FAMILIES, TIERS } from './clients.js';
import {
  ADDRESS_PATTERN,
  CIDR_PATTERN,
  HOST_PATH_PATTERN,
  HOST_PORT_PATTERN,
  HTTP_URL_PATTERN,
  NAME_PATTERN,
  NETWORK_PATTERN,
  NODE_ID_PATTERN,
  PEER_PATTERN,
  SSH_KEY_PATTERN,
  USER_PATTERN,
  VERSION_PATTERN,
} from './patterns.js';

/** A stake pool's id: bech32 with the prefix pool (1 is the separator; b, i, o and 1 are not in the charset), 28 bytes. */
export const POOL_ID_PATTERN = '^pool1[02-9ac-hj-np-z]{51}$';

export const SCHEMA_ID = 'https://stake.dev/schema/inventory/v1.json';

/** A closed object: unknown keys are errors, `x-*` keys are free. */
function Closed<T extends TProperties>(properties: T, description: string): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, patternProperties: { '^x-': {} }, description });
}

/** A string that must be one of `values` (a plain `enum`, which gives clearer errors than anyOf). */
function OneOf<T extends string>(values: readonly T[], description: string) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], description });
}

/** A map from user-chosen names (`[a-z0-9-]+`) to values of one schema. */
function NamedMap<V extends TSchema>(value: V, description: string, extra: Record<string, unknown> = {}) {
  return Type.Unsafe<Record<string, Static<V>>>({
    type: 'object',
    propertyNames: { pattern: NAME_PATTERN },
    additionalProperties: value,
    description,
    ...extra,
  });
}

const Port = Type.Integer({ minimum: 1, maximum: 65535, description: 'a TCP/UDP port, 1-65535' });
const Str = (description: string, extra: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, description, ...extra });
const StrList = (description: string, pattern?: string) =>
  Type.Array(Type.String(pattern ? { pattern } : { minLength: 1 }), { description });

const Ssh = Closed(
  {
    user: Type.Optional(
      Str('the SSH login user: a POSIX user name (letters, digits, . _ -)', { pattern: USER_PATTERN }),
    ),
    port: Type.Optional(Port),
    identity: Type.Optional(Str('private key file used to log in (else ssh-agent); a normalised path')),
    known_hosts: Type.Optional(Str('OpenSSH known_hosts file, relative to the inventory; a normalised path')),
    jump: Type.Optional(Str('a host name to jump through (ProxyJump); never applies to that host itself')),
    become: Type.Optional(OneOf(['none', 'sudo'] as const, 'how to gain root on the host')),
  },
  'SSH connection settings',
);

const Hardening = Closed(
  {
    sshd: Type.Optional(
      Type.Boolean({
        description: 'render the sshd drop-in: keys only, deploy user only, allowed sources only (default true)',
      }),
    ),
    sysctl: Type.Optional(Type.Boolean({ description: 'render the kernel network sysctls (default true)' })),
    unattended_upgrades: Type.Optional(
      Type.Boolean({ description: 'render unattended security upgrades, never rebooting (default true)' }),
    ),
  },
  'host hardening profile; each part can be switched off',
);

const Chain = Closed(
  {
    family: OneOf(FAMILIES, 'the chain family'),
    network: Str('chain id or network name (letters, digits, . _ -), e.g. cosmoshub-4, mainnet, preprod', {
      pattern: NETWORK_PATTERN,
      maxLength: 100,
    }),
    seeds: Type.Optional(StrList('cosmos: seed nodes, node-id@host:port', PEER_PATTERN)),
    persistent_peers: Type.Optional(
      StrList('cosmos: extra persistent peers of the sentries, node-id@host:port', PEER_PATTERN),
    ),
    checkpoint_sync_url: Type.Optional(
      Str('ethereum: checkpoint sync URL for the beacon nodes: http(s), no credentials', {
        pattern: HTTP_URL_PATTERN,
      }),
    ),
    fee_recipient: Type.Optional(Str('ethereum: default fee recipient address', { pattern: '^0x[0-9a-fA-F]{40}$' })),
    bootstrap_peers: Type.Optional(StrList('cardano: bootstrap peers of the relays, host:port', HOST_PORT_PATTERN)),
  },
  'the chain this deployment validates',
);

const ClientSettings = Closed(
  {
    version: Type.Optional(
      Str('client version to run: one token (letters, digits, . _ + -)', { pattern: VERSION_PATTERN }),
    ),
    binary: Type.Optional(
      Str('path of the client binary on the host: absolute, normalised, portable characters', {
        pattern: HOST_PATH_PATTERN,
      }),
    ),
    args: Type.Optional(
      Type.Array(Type.String({ minLength: 1, description: 'one argument (one argv element)' }), {
        description: 'extra command-line arguments, one argv element each',
      }),
    ),
    source: Type.Optional(
      Str(
        'where deploy gets the binary: a file on the operator machine (relative to the inventory) or an https:// URL fetched on the host',
      ),
    ),
    sha256: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{64}$',
        description: 'the pinned sha256 of the binary (64 lowercase hex digits); required with source',
      }),
    ),
  },
  'settings of one client',
);

const Datacenter = Closed(
  {
    provider: Str('hosting provider'),
    country: Str('ISO 3166 alpha-2 country code', { pattern: '^[A-Z]{2}$' }),
  },
  'a datacenter (site)',
);

const Access = Closed(
  {
    admin_cidrs: Type.Optional(StrList('networks SSH may come from, besides bastions (CIDR)', CIDR_PATTERN)),
    monitor: Type.Optional(Str('the host that scrapes metrics')),
  },
  'who may reach the hosts for administration and monitoring',
);

const Policy = Closed(
  {
    max_approval_validity: Type.Optional(
      Str('the longest a failover plan or approval may stay valid, e.g. 4h or 30m; at most (and default) 24h', {
        pattern: '^[1-9][0-9]*(s|m|h)$',
      }),
    ),
  },
  "the deployment's own limits, stricter than stake's defaults",
);

const Operator = Closed(
  { key: Str('an OpenSSH public key line', { pattern: SSH_KEY_PATTERN }) },
  'a person allowed to approve a failover',
);

const Host = Closed(
  {
    tier: OneOf(TIERS, 'the layer this host belongs to'),
    dc: Str('a key of datacenters'),
    address: Str('IP or DNS name stake connects to over SSH', { pattern: ADDRESS_PATTERN }),
    private_address: Type.Optional(Str('address the other tiers use (private network)', { pattern: ADDRESS_PATTERN })),
    client: Type.Optional(OneOf(Object.keys(CLIENTS), 'the chain client this host runs')),
    node_id: Type.Optional(Str('cometbft p2p node id (40 hex characters)', { pattern: NODE_ID_PATTERN })),
    execution: Type.Optional(OneOf(EXECUTION_CLIENTS, 'beacon hosts: the paired execution client')),
    public: Type.Optional(
      Type.Boolean({ description: 'sentries, relays, beacons: p2p open to the internet (default true)' }),
    ),
    ports: Type.Optional(NamedMap(Port, "overrides of the client's default ports, by name")),
    ssh: Type.Optional(Ssh),
    root: Type.Optional(
      Str('path prefix for every remote path (default /): absolute, normalised, portable characters', {
        pattern: HOST_PATH_PATTERN,
      }),
    ),
    init: Type.Optional(OneOf(['systemd', 'direct'] as const, 'service manager (default systemd)')),
    firewall: Type.Optional(
      OneOf(['enforce', 'render'] as const, 'load the ruleset (enforce, default) or only ship it (render)'),
    ),
    hardening: Type.Optional(Hardening),
    labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'free labels' })),
  },
  'a host',
);

const Signer = Closed(
  {
    client: OneOf(
      Object.keys(CLIENTS).filter((c) => CLIENTS[c]?.tiers.includes('signer')),
      'the remote signer software',
    ),
    threshold: Type.Optional(Type.Integer({ description: 'signatures needed (m of n); default: all hosts' })),
    hosts: Type.Array(Str('a signer host'), { minItems: 1, description: 'the signer hosts' }),
  },
  'remote signing for this identity',
);

const Validator = Closed(
  {
    active: Str('the host that signs now'),
    standby: Type.Optional(Type.Array(Str('a standby host'), { description: 'hosts ready to take over' })),
    upstream: Type.Array(Str('an upstream host'), {
      description: 'sentries (cosmos), relays (cardano) or beacons (ethereum)',
    }),
    witness: Type.Optional(Str('the witness host: third vote for failover quorum')),
    signer: Type.Optional(Signer),
    validator_indices: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0 }), {
        minItems: 1,
        maxItems: 10_000,
        description:
          "ethereum: the identity's validators by index on the beacon chain: how the chain observer asks their liveness, status and duties",
      }),
    ),
    consensus_address: Type.Optional(
      Str(
        "cosmos: the validator's consensus address, 40 hex digits (the `address` of priv_validator_key.json, as CometBFT's /status shows it): how the chain observer finds the identity's signatures",
        { pattern: '^[0-9A-Fa-f]{40}$' },
      ),
    ),
    pool_id: Type.Optional(
      Str(
        "cardano: the stake pool's id in bech32, pool1 and 51 more characters (blake2b-224 of the cold verification key, as `cardano-cli stake-pool id` prints it and Ogmios names pools): how the chain observer finds the pool's blocks and its operational-certificate counter",
        { pattern: POOL_ID_PATTERN },
      ),
    ),
  },
  'a signing identity',
);

export const InventorySchema = Closed(
  {
    version: Type.Unsafe<1>({ type: 'integer', enum: [1], description: 'inventory format version: 1' }),
    name: Str('deployment name', { pattern: NAME_PATTERN }),
    chain: Chain,
    clients: Type.Optional(NamedMap(ClientSettings, 'per client name: version, binary, args, source, sha256')),
    datacenters: NamedMap(Datacenter, 'datacenters by name', { minProperties: 1 }),
    ssh: Type.Optional(Ssh),
    access: Type.Optional(Access),
    hardening: Type.Optional(Hardening),
    operators: Type.Optional(NamedMap(Operator, 'people allowed to approve a failover')),
    policy: Type.Optional(Policy),
    hosts: NamedMap(Host, 'hosts by name', { minProperties: 1 }),
    validators: NamedMap(Validator, 'signing identities by name', { minProperties: 1 }),
  },
  'a stake inventory: one staking deployment',
);

export type Inventory = Static<typeof InventorySchema>;
export type Host = Static<typeof Host>;
export type Validator = Static<typeof Validator>;
export type SshSettings = Static<typeof Ssh>;
export type SignerGroup = Static<typeof Signer>;

/** The schema as published in schema/inventory.schema.json. */
export function publishedSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'stake inventory',
    ...JSON.parse(JSON.stringify(InventorySchema)),
  };
}
