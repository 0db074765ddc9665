/**
 * What a simulated client learns from the files `stake render` wrote for its host: which
 * addresses and ports to listen on, which peers to dial, and where its key and signing state
 * live. Read the way each real client reads them (cometbft's config.toml, a YAML config file,
 * command-line flags), so a lab run also proves the rendered configs say what the topology
 * graph says. Pure: the reading of files is passed in.
 */
import { posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';

export interface Endpoint {
  host: string;
  port: number;
}

export type SimRole = 'cometbft' | 'listener' | 'vouch' | 'dirk' | 'cardano-node' | 'ogmios';

export interface SimConfig {
  client: string;
  role: SimRole;
  listen: Endpoint[];
  /** The listeners that serve Prometheus metrics (also in listen). */
  metrics: Endpoint[];
  peers: Endpoint[];
  /** The client's own API (cometbft: the RPC at rpc.laddr), served from the blocks the node holds. */
  api?: Endpoint;
  /** cometbft: its node key (its p2p id). */
  nodeKeyFile?: string;
  /** cometbft: the key and the double-sign watermark. */
  keyFile?: string;
  stateFile?: string;
  /**
   * cometbft: p2p.pex on (a public sentry). It meets the rest of the network through peer
   * exchange and seeds, which the lab stands in for: it sees the chain without a configured peer.
   */
  publicNetwork?: boolean;
  /** cometbft: consensus.double_sign_check_height (0, the default, is off). */
  doubleSignCheckHeight?: number;
  /**
   * cometbft: where it listens for a remote signer: priv_validator_laddr, or CMT_PRIV_VALIDATOR_LADDR
   * when that is set and not empty (viper's AutomaticEnv with the CMT prefix overrides the file).
   */
  privvalLaddr?: Endpoint;
  /** vouch: the signer group, the accounts it signs for, and its access to the signers. */
  signers?: Endpoint[];
  accounts?: string[];
  accessKey?: string;
  /** vouch: its client certificate (accountmanager.dirk.client-cert); vouch and dirk: the CA (ca-cert). */
  accessCert?: string;
  caCert?: string;
  /** dirk: its own certificate and key (certificates.server-cert, server-key). */
  serverCert?: string;
  serverKey?: string;
  /** dirk: this signer's name, its slashing protection folder, key shares and who may ask. */
  name?: string;
  protectionDir?: string;
  walletsDir?: string;
  permissions?: Record<string, string[]>;
  /** dirk: unlocker.account-passphrases, majordomo URLs (file:// read byte for byte) or the passphrase itself. */
  passphrases?: string[];
  /** cardano-node: its --database-path (the chain it holds, its own forged blocks among them). */
  databasePath?: string;
  /** cardano-node: block-producing keys (a relay has none). */
  kesKey?: string;
  opcert?: string;
  /** cardano-node: its --socket-path, where local clients (Ogmios) reach it; ogmios: its --node-socket. */
  socketPath?: string;
  /** ogmios: the network its node's configuration is for (mainnet: RequiresNoMagic), else null. */
  network?: string | null;
}

const privvalOf = (laddr: unknown): { privvalLaddr?: Endpoint } => {
  const at = typeof laddr === 'string' && laddr ? parseEndpoint(laddr) : undefined;
  return at ? { privvalLaddr: at } : {};
};

/** `host:port`, `tcp://host:port`, `http://host:port/...` or `id@host:port`. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const m = /^(?:[a-z]+:\/\/)?(?:[0-9a-f]+@)?\[?([^\]/@]+?)\]?:(\d+)(?:\/.*)?$/i.exec(text.trim());
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}

/** Command-line flags as a map: `--a=b`, `--a b`, and bare `--a` (true). */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags.set(arg.slice(2), argv[++i]!);
    else flags.set(arg.slice(2), 'true');
  }
  return flags;
}

const ANY = '0.0.0.0';

/** Listeners named by pairs of (address key, port key) in a map of settings; a missing address means every address. */
function listeners(get: (key: string) => unknown, pairs: [string | null, string][]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const [addressKey, portKey] of pairs) {
    const port = Number(get(portKey));
    if (!Number.isInteger(port) || port <= 0) continue;
    const address = addressKey ? get(addressKey) : undefined;
    out.push({ host: typeof address === 'string' && address ? address : ANY, port });
  }
  return out;
}

const FLAG_LISTENERS: Record<string, [string | null, string][]> = {
  geth: [
    [null, 'port'],
    ['http.addr', 'http.port'],
    ['authrpc.addr', 'authrpc.port'],
    ['metrics.addr', 'metrics.port'],
  ],
  nethermind: [
    [null, 'Network.P2PPort'],
    ['JsonRpc.Host', 'JsonRpc.Port'],
    ['JsonRpc.EngineHost', 'JsonRpc.EnginePort'],
    ['Metrics.ExposeHost', 'Metrics.ExposePort'],
  ],
  lighthouse: [
    [null, 'port'],
    ['http-address', 'http-port'],
    ['metrics-address', 'metrics-port'],
  ],
  web3signer: [
    ['http-listen-host', 'http-listen-port'],
    ['metrics-host', 'metrics-port'],
  ],
};

const YAML_LISTENERS: Record<string, [string | null, string][]> = {
  teku: [
    [null, 'p2p-port'],
    ['rest-api-interface', 'rest-api-port'],
    ['metrics-interface', 'metrics-port'],
  ],
};

/** The key of a beacon node's Beacon API port (lighthouse bn `--http-port`, teku `rest-api-port`). */
const BEACON_API_PORT: Record<string, string> = { lighthouse: 'http-port', teku: 'rest-api-port' };

/** A beacon node (a consensus client with no beacon node of its own to talk to) serves the Beacon API. */
function beaconApiOf(
  client: string,
  beacons: Endpoint[],
  get: (key: string) => unknown,
  pairs: [string | null, string][],
): { api?: Endpoint } {
  const key = BEACON_API_PORT[client];
  if (!key || beacons.length > 0) return {};
  const api = listeners(
    get,
    pairs.filter(([, portKey]) => portKey === key),
  )[0];
  return api ? { api } : {};
}

/** The pairs that configure a metrics listener. */
const isMetricsPair = ([, portKey]: [string | null, string]) => /metrics/i.test(portKey);

/**
 * cardano-node's Prometheus endpoint comes from its node configuration (provided with the node,
 * not rendered): a `PrometheusSimple ... ADDR PORT` backend, or the legacy `hasPrometheus`; its
 * default is 127.0.0.1:12798.
 */
export function cardanoMetrics(configText: string | undefined): Endpoint {
  const fallback = { host: '127.0.0.1', port: 12798 };
  if (!configText) return fallback;
  const simple = /PrometheusSimple[^"]*?\s([0-9.:a-fA-F]+)\s+(\d+)"/.exec(configText);
  if (simple) return { host: simple[1]!, port: Number(simple[2]) };
  try {
    const legacy = (JSON.parse(configText) as { hasPrometheus?: [string, number] }).hasPrometheus;
    if (Array.isArray(legacy)) return { host: String(legacy[0]), port: Number(legacy[1]) };
  } catch {
    // not JSON: the default
  }
  return fallback;
}

const fileUrl = (v: unknown) => (typeof v === 'string' ? v.replace(/^file:\/\//, '') : undefined);
const endpoints = (values: unknown): Endpoint[] =>
  (Array.isArray(values) ? values : typeof values === 'string' ? values.split(',') : [])
    .map((v) => parseEndpoint(String(v)))
    .filter((e): e is Endpoint => e !== undefined);

export function simConfigOf(
  client: string,
  argv: readonly string[],
  read: (path: string) => string,
  env: Readonly<Record<string, string | undefined>> = {},
): SimConfig {
  const flags = parseFlags(argv);
  switch (client) {
    case 'cometbft': {
      const home = flags.get('home');
      if (argv[0] !== 'start' || !home) throw new Error('usage: cometbft start --home DIR');
      const config = parseToml(read(posix.join(home, 'config/config.toml'))) as Record<
        string,
        Record<string, unknown> & unknown
      >;
      const p2p = (config.p2p ?? {}) as Record<string, unknown>;
      const rpc = (config.rpc ?? {}) as Record<string, unknown>;
      const metrics = (config.instrumentation ?? {}) as Record<string, unknown>;
      const consensus = (config.consensus ?? {}) as Record<string, unknown>;
      const metricsAt =
        metrics.prometheus && typeof metrics.prometheus_listen_addr === 'string'
          ? parseEndpoint(metrics.prometheus_listen_addr)
          : undefined;
      const listen = [p2p.laddr, rpc.laddr]
        .map((v) => (typeof v === 'string' ? parseEndpoint(v) : undefined))
        .filter((e): e is Endpoint => e !== undefined);
      if (metricsAt) listen.push(metricsAt);
      const inHome = (v: unknown, fallback: string) => posix.resolve(home, typeof v === 'string' && v ? v : fallback);
      return {
        client,
        role: 'cometbft',
        listen,
        metrics: metricsAt ? [metricsAt] : [],
        peers: endpoints(
          typeof p2p.persistent_peers === 'string' ? p2p.persistent_peers.split(',').filter(Boolean) : [],
        ),
        ...(typeof rpc.laddr === 'string' && parseEndpoint(rpc.laddr) ? { api: parseEndpoint(rpc.laddr)! } : {}),
        nodeKeyFile: inHome(config.node_key_file, 'config/node_key.json'),
        keyFile: inHome(config.priv_validator_key_file, 'config/priv_validator_key.json'),
        stateFile: inHome(config.priv_validator_state_file, 'data/priv_validator_state.json'),
        publicNetwork: p2p.pex === true,
        doubleSignCheckHeight:
          typeof consensus.double_sign_check_height === 'number' ? consensus.double_sign_check_height : 0,
        ...privvalOf(env.CMT_PRIV_VALIDATOR_LADDR || config.priv_validator_laddr),
      };
    }
    case 'cardano-node': {
      const topology = flags.get('topology');
      if (argv[0] !== 'run' || !topology) throw new Error('usage: cardano-node run --topology FILE ...');
      const t = JSON.parse(read(topology)) as { localRoots?: { accessPoints?: { address: string; port: number }[] }[] };
      const peers = (t.localRoots ?? [])
        .flatMap((r) => r.accessPoints ?? [])
        .map((p) => ({ host: p.address, port: Number(p.port) }));
      let nodeConfig: string | undefined;
      try {
        nodeConfig = flags.has('config') ? read(flags.get('config')!) : undefined;
      } catch {
        nodeConfig = undefined; // not provided: cardano-node's defaults
      }
      const metricsAt = cardanoMetrics(nodeConfig);
      return {
        client,
        role: 'cardano-node',
        listen: [...listeners((k) => flags.get(k), [['host-addr', 'port']]), metricsAt],
        metrics: [metricsAt],
        peers,
        ...(flags.has('database-path') ? { databasePath: flags.get('database-path')! } : {}),
        ...(flags.has('shelley-kes-key') ? { kesKey: flags.get('shelley-kes-key')! } : {}),
        ...(flags.has('shelley-operational-certificate')
          ? { opcert: flags.get('shelley-operational-certificate')! }
          : {}),
        ...(flags.has('socket-path') ? { socketPath: flags.get('socket-path')! } : {}),
      };
    }
    case 'ogmios': {
      // Ogmios reads the node's config.json before it listens (Options.hs parseOptions:
      // parseNetworkParameters) and serves on --host:--port, 127.0.0.1:1337 by default
      const socketPath = flags.get('node-socket');
      const nodeConfig = flags.get('node-config');
      if (!socketPath || !nodeConfig) throw new Error('usage: ogmios --node-socket FILE --node-config FILE ...');
      let parsed: unknown;
      try {
        parsed = JSON.parse(read(nodeConfig));
      } catch (err) {
        throw new Error(`cannot read the node configuration ${nodeConfig}: ${(err as Error).message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error(`the node configuration ${nodeConfig} is not a JSON object`);
      const api = { host: flags.get('host') ?? '127.0.0.1', port: Number(flags.get('port') ?? 1337) };
      const network =
        (parsed as { RequiresNetworkMagic?: unknown }).RequiresNetworkMagic === 'RequiresNoMagic' ? 'mainnet' : null;
      return { client, role: 'ogmios', listen: [api], metrics: [], peers: [], api, socketPath, network };
    }
    case 'vouch': {
      // vouch reads <base-dir>/vouch.yml, never a file named by a flag (vouch 1.9.2 main.go fetchConfig)
      const config = parseYaml(read(posix.join(flags.get('base-dir') ?? '', 'vouch.yml'))) as Record<string, any>;
      const dirk = config.accountmanager?.dirk ?? {};
      return {
        client,
        role: 'vouch',
        listen: endpoints([config.metrics?.prometheus?.['listen-address']].filter(Boolean)),
        metrics: endpoints([config.metrics?.prometheus?.['listen-address']].filter(Boolean)),
        peers: endpoints(config['beacon-node-addresses']),
        signers: endpoints(dirk.endpoints),
        accounts: Array.isArray(dirk.accounts) ? dirk.accounts.map(String) : [],
        ...(fileUrl(dirk['client-key']) ? { accessKey: fileUrl(dirk['client-key'])! } : {}),
        ...(fileUrl(dirk['client-cert']) ? { accessCert: fileUrl(dirk['client-cert'])! } : {}),
        ...(fileUrl(dirk['ca-cert']) ? { caCert: fileUrl(dirk['ca-cert'])! } : {}),
      };
    }
    case 'dirk': {
      // dirk reads <base-dir>/dirk.yml (dirk 1.2.0 main.go fetchConfig)
      const config = parseYaml(read(posix.join(flags.get('base-dir') ?? '', 'dirk.yml'))) as Record<string, any>;
      const permissions: Record<string, string[]> = {};
      for (const [who, accounts] of Object.entries(
        (config.permissions ?? {}) as Record<string, Record<string, string>>,
      ))
        permissions[who] = Object.keys(accounts ?? {});
      const own = parseEndpoint(String(config.server?.['listen-address'] ?? ''));
      return {
        client,
        role: 'dirk',
        listen: endpoints([config.server?.['listen-address'], config.metrics?.['listen-address']].filter(Boolean)),
        metrics: endpoints([config.metrics?.['listen-address']].filter(Boolean)),
        // its fellow signers, not itself
        peers: endpoints(Object.values(config.peers ?? {})).filter(
          (p) => !(own && p.host === own.host && p.port === own.port),
        ),
        name: String(config.server?.name ?? ''),
        protectionDir: String(config['storage-path'] ?? ''),
        walletsDir: String(config.stores?.[0]?.location ?? ''),
        passphrases: (Array.isArray(config.unlocker?.['account-passphrases'])
          ? (config.unlocker['account-passphrases'] as unknown[])
          : []
        ).map(String),
        permissions,
        ...(fileUrl(config.certificates?.['server-cert'])
          ? { serverCert: fileUrl(config.certificates['server-cert'])! }
          : {}),
        ...(fileUrl(config.certificates?.['server-key'])
          ? { serverKey: fileUrl(config.certificates['server-key'])! }
          : {}),
        ...(fileUrl(config.certificates?.['ca-cert']) ? { caCert: fileUrl(config.certificates['ca-cert'])! } : {}),
      };
    }
    default: {
      const configFile = flags.get('config-file');
      if (configFile && YAML_LISTENERS[client]) {
        const config = parseYaml(read(configFile)) as Record<string, unknown>;
        const beacons = endpoints(config['beacon-node-api-endpoints']);
        const pairs = YAML_LISTENERS[client]!;
        return {
          client,
          role: 'listener',
          listen: listeners((k) => config[k], pairs),
          metrics: listeners((k) => config[k], pairs.filter(isMetricsPair)),
          peers: beacons,
          ...beaconApiOf(client, beacons, (k) => config[k], pairs),
        };
      }
      const pairs = FLAG_LISTENERS[client] ?? [];
      const beacons = endpoints(flags.get('beacon-nodes'));
      return {
        client,
        role: 'listener',
        listen: listeners((k) => flags.get(k), pairs),
        metrics: listeners((k) => flags.get(k), pairs.filter(isMetricsPair)),
        peers: beacons,
        ...beaconApiOf(client, beacons, (k) => flags.get(k), pairs),
      };
    }
  }
}
