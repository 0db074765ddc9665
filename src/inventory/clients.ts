/**
 * The catalog of chain clients `stake` knows: which family and tiers each fits, and the
 * ports it listens on by default. Validation (tier-client-mismatch, port-conflict), the
 * topology graph and the templates all read this one table, so a port is defined once.
 *
 * Default ports come from each client's own documentation; see test/fixtures/reference/README.md.
 */

export const FAMILIES = ['cosmos', 'ethereum', 'cardano'] as const;
export type Family = (typeof FAMILIES)[number];

export const TIERS = ['beacon', 'validator', 'sentry', 'relay', 'signer', 'witness', 'bastion', 'monitor'] as const;
export type Tier = (typeof TIERS)[number];

export const EXECUTION_CLIENTS = ['geth', 'nethermind', 'besu', 'erigon', 'reth'] as const;
export type ExecutionClient = (typeof EXECUTION_CLIENTS)[number];

/**
 * Clients stake runs beside a host's own client, never as `client:` themselves: Ogmios beside a
 * cardano relay's node. Their settings (version, binary, args, source) go under `clients:`.
 */
export const COMPANION_CLIENTS = ['ogmios'] as const;

/** The companions a host runs beside its client. */
export const companionsOf = (client: string | undefined, tier: Tier): string[] =>
  client === 'cardano-node' && tier === 'relay' ? ['ogmios'] : [];

export type Protocol = 'tcp' | 'udp' | 'tcp+udp';

/** One listening service of a client. `exposure` says who may reach it; the graph turns it into flows. */
export interface PortSpec {
  port: number;
  protocol: Protocol;
  /** p2p: the chain's peers; api: other tiers of this deployment; metrics: the monitor; local: loopback only. */
  exposure: 'p2p' | 'api' | 'metrics' | 'local';
}

export interface ClientSpec {
  family: Family;
  tiers: readonly Tier[];
  /** Ports by name; the names are what `ports:` in the inventory may override. */
  ports: Readonly<Record<string, PortSpec>>;
}

const tcp = (port: number, exposure: PortSpec['exposure']): PortSpec => ({ port, protocol: 'tcp', exposure });
const both = (port: number, exposure: PortSpec['exposure']): PortSpec => ({ port, protocol: 'tcp+udp', exposure });
const udp = (port: number, exposure: PortSpec['exposure']): PortSpec => ({ port, protocol: 'udp', exposure });

/** Chain clients, keyed by the name used in `client:`. */
export const CLIENTS: Readonly<Record<string, ClientSpec>> = {
  // CometBFT: p2p 26656, RPC 26657 (loopback by default), Prometheus 26660; privval 26659 is where a
  // remote signer (tmkms, horcrux) dials in on a validator.
  cometbft: {
    family: 'cosmos',
    tiers: ['validator', 'sentry'],
    ports: {
      p2p: tcp(26656, 'p2p'),
      rpc: tcp(26657, 'local'),
      metrics: tcp(26660, 'metrics'),
      privval: tcp(26659, 'api'),
    },
  },
  // tmkms dials out to the validator's privval port and listens on nothing.
  tmkms: { family: 'cosmos', tiers: ['signer'], ports: {} },
  horcrux: { family: 'cosmos', tiers: ['signer'], ports: { p2p: tcp(2222, 'api'), metrics: tcp(6001, 'metrics') } },

  lighthouse: {
    family: 'ethereum',
    tiers: ['beacon', 'validator'],
    ports: {},
  },
  teku: { family: 'ethereum', tiers: ['beacon', 'validator'], ports: {} },
  prysm: {
    family: 'ethereum',
    tiers: ['beacon'],
    ports: {
      p2p: tcp(13000, 'p2p'),
      'p2p-udp': udp(12000, 'p2p'),
      rpc: tcp(4000, 'api'),
      http: tcp(3500, 'api'),
      metrics: tcp(8080, 'metrics'),
    },
  },
  nimbus: {
    family: 'ethereum',
    tiers: ['beacon'],
    ports: { p2p: both(9000, 'p2p'), http: tcp(5052, 'api'), metrics: tcp(8008, 'metrics') },
  },
  lodestar: {
    family: 'ethereum',
    tiers: ['beacon'],
    ports: { p2p: both(9000, 'p2p'), http: tcp(9596, 'api'), metrics: tcp(8008, 'metrics') },
  },
  vouch: { family: 'ethereum', tiers: ['validator'], ports: { metrics: tcp(8081, 'metrics') } },
  web3signer: {
    family: 'ethereum',
    tiers: ['signer'],
    ports: { http: tcp(9000, 'api'), metrics: tcp(9001, 'metrics') },
  },
  // 13141 is dirk's documented convention (it has no code default); metrics as in its sample config.
  dirk: { family: 'ethereum', tiers: ['signer'], ports: { grpc: tcp(13141, 'api'), metrics: tcp(8181, 'metrics') } },

  // cardano-node: 3001 is the convention every mainnet topology uses; 12798 its Prometheus endpoint.
  'cardano-node': {
    family: 'cardano',
    tiers: ['validator', 'relay'],
    ports: { p2p: tcp(3001, 'p2p'), metrics: tcp(12798, 'metrics') },
  },
};

/**
 * Clients whose ports depend on the tier: lighthouse and teku run as a beacon node or as a
 * validator client, and listen on different ports in each role.
 */
const PORTS_BY_TIER: Readonly<Record<string, Partial<Record<Tier, Record<string, PortSpec>>>>> = {
  lighthouse: {
    beacon: { p2p: both(9000, 'p2p'), quic: udp(9001, 'p2p'), http: tcp(5052, 'api'), metrics: tcp(5054, 'metrics') },
    validator: { http: tcp(5062, 'local'), metrics: tcp(5064, 'metrics') },
  },
  teku: {
    beacon: { p2p: both(9000, 'p2p'), http: tcp(5051, 'api'), metrics: tcp(8008, 'metrics') },
    validator: { metrics: tcp(8008, 'metrics') },
  },
  // A relay also runs Ogmios beside its node, on loopback (Ogmios's own default port): it is how
  // stake reads the chain (src/render/clients/cardano.ts).
  'cardano-node': {
    relay: { p2p: tcp(3001, 'p2p'), metrics: tcp(12798, 'metrics'), ogmios: tcp(1337, 'local') },
  },
};

/** Execution clients paired with a beacon on the same host; the engine API stays on loopback. */
export const EXECUTION: Readonly<Record<ExecutionClient, Record<string, PortSpec>>> = {
  geth: {
    'el-p2p': both(30303, 'p2p'),
    'el-http': tcp(8545, 'local'),
    engine: tcp(8551, 'local'),
    'el-metrics': tcp(6060, 'metrics'),
  },
  nethermind: {
    'el-p2p': both(30303, 'p2p'),
    'el-http': tcp(8545, 'local'),
    engine: tcp(8551, 'local'),
    'el-metrics': tcp(6060, 'metrics'),
  },
  besu: {
    'el-p2p': both(30303, 'p2p'),
    'el-http': tcp(8545, 'local'),
    engine: tcp(8551, 'local'),
    'el-metrics': tcp(9545, 'metrics'),
  },
  erigon: {
    'el-p2p': both(30303, 'p2p'),
    'el-http': tcp(8545, 'local'),
    engine: tcp(8551, 'local'),
    'el-metrics': tcp(6060, 'metrics'),
    'el-torrent': both(42069, 'p2p'),
  },
  reth: {
    'el-p2p': both(30303, 'p2p'),
    'el-http': tcp(8545, 'local'),
    engine: tcp(8551, 'local'),
    'el-metrics': tcp(9001, 'metrics'),
  },
};

/** Tiers that run no chain client. */
export const CLIENTLESS_TIERS: readonly Tier[] = ['witness', 'bastion', 'monitor'];

/** Tiers whose p2p port may face the internet (`public:`). */
export const PUBLIC_TIERS: readonly Tier[] = ['sentry', 'relay', 'beacon'];

/** The tier an identity's `upstream` hosts must belong to, per family. */
export const UPSTREAM_TIER: Readonly<Record<Family, Tier>> = { cosmos: 'sentry', ethereum: 'beacon', cardano: 'relay' };

/** The tiers that exist in a family besides the family-neutral ones. */
export const FAMILY_TIERS: Readonly<Record<Family, readonly Tier[]>> = {
  cosmos: ['validator', 'sentry', 'signer'],
  ethereum: ['validator', 'beacon', 'signer'],
  cardano: ['validator', 'relay'],
};

/** Default ports of a client in a tier, with the paired execution client's when given. */
export function defaultPorts(client: string, tier: Tier, execution?: string): Record<string, PortSpec> {
  const spec = CLIENTS[client];
  if (!spec) return {};
  const byTier = PORTS_BY_TIER[client]?.[tier];
  const own = byTier ?? spec.ports;
  const paired = execution && execution in EXECUTION ? EXECUTION[execution as ExecutionClient] : {};
  return { ...own, ...paired };
}

/** Clients that fit a tier in a family, for hints ("one of: lighthouse, teku, ..."). */
export function clientsFor(family: Family, tier: Tier): string[] {
  return Object.entries(CLIENTS)
    .filter(([, spec]) => spec.family === family && spec.tiers.includes(tier))
    .map(([name]) => name);
}
