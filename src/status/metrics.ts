/**
 * What `stake status` reads from a client: its own Prometheus endpoint, the one the monitor
 * scrapes, fetched on the host over SSH (the operator never needs the metrics port open).
 * One table of metric names per client, from each client's documentation; the lab's simulated
 * clients serve the same names. Pure: text in, readings out.
 */

/** The metrics that answer status's questions; a client without one leaves that column empty. */
export interface ClientMetricNames {
  /** The chain's height (slot, for Ethereum's consensus clients and Cardano) as this node sees it. */
  height?: string;
  /** Connected peers. */
  peers?: string;
  /** 1 while the node is catching up. */
  syncing?: string;
  /** 1 once the node is synced (the opposite sense). */
  synced?: string;
  /** The last height this node signed, where the client reports it. */
  lastSigned?: string;
}

export const CLIENT_METRICS: Readonly<Record<string, ClientMetricNames>> = {
  // docs.cometbft.com, "Metrics" (namespace "cometbft", instrumentation.namespace)
  cometbft: {
    height: 'cometbft_consensus_height',
    peers: 'cometbft_p2p_peers',
    syncing: 'cometbft_blocksync_syncing',
    lastSigned: 'cometbft_consensus_validator_last_signed_height',
  },
  // cardano-node's trace-dispatcher: prefix cardano_node_metrics_, IntM names end in _int
  'cardano-node': { height: 'cardano_node_metrics_slotNum_int', peers: 'cardano_node_metrics_connectedPeers_int' },
  // the beacon metrics every consensus client shares (ethereum/beacon-metrics)
  lighthouse: { height: 'beacon_head_slot', peers: 'libp2p_peers', synced: 'sync_eth2_synced' },
  teku: { height: 'beacon_head_slot', peers: 'libp2p_peers' },
  prysm: { height: 'beacon_head_slot', peers: 'libp2p_peers' },
  nimbus: { height: 'beacon_head_slot', peers: 'libp2p_peers' },
  lodestar: { height: 'beacon_head_slot', peers: 'libp2p_peers' },
  geth: { height: 'chain_head_block', peers: 'p2p_peers' },
  nethermind: { height: 'nethermind_blocks', peers: 'nethermind_sync_peers' },
  besu: { height: 'ethereum_blockchain_height', peers: 'ethereum_peer_count' },
  erigon: { height: 'chain_head_block', peers: 'p2p_peers' },
  reth: { height: 'reth_blockchain_tree_canonical_chain_height', peers: 'reth_network_connected_peers' },
  vouch: {},
  dirk: {},
  web3signer: {},
  horcrux: {},
};

export const metricNamesOf = (client: string): string[] =>
  Object.values(CLIENT_METRICS[client] ?? {}).filter((n): n is string => typeof n === 'string');

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format's sample lines (comments and HTTP headers skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) continue;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

export interface ClientReading {
  height?: number;
  peers?: number;
  /** true: catching up; false: synced; undefined: the client does not say. */
  syncing?: boolean;
  lastSigned?: number;
}

/** The highest value of a metric (a validator's last signed height carries its address as a label). */
const highest = (samples: readonly Sample[], name: string | undefined): number | undefined => {
  if (!name) return undefined;
  const values = samples.filter((s) => s.name === name && Number.isFinite(s.value)).map((s) => s.value);
  return values.length ? Math.max(...values) : undefined;
};

export function readingOf(client: string, samples: readonly Sample[]): ClientReading {
  const names = CLIENT_METRICS[client] ?? {};
  const syncing = highest(samples, names.syncing);
  const synced = highest(samples, names.synced);
  const reading: ClientReading = {};
  const height = highest(samples, names.height);
  const peers = highest(samples, names.peers);
  const lastSigned = highest(samples, names.lastSigned);
  if (height !== undefined) reading.height = height;
  if (peers !== undefined) reading.peers = peers;
  if (syncing !== undefined) reading.syncing = syncing > 0;
  else if (synced !== undefined) reading.syncing = synced === 0;
  if (lastSigned !== undefined && lastSigned > 0) reading.lastSigned = lastSigned;
  return reading;
}

/** Samples in the text format, for the lab's simulated clients: each client's own names. */
export function metricsText(client: string, values: ClientReading & { validatorAddress?: string }): string {
  const names = CLIENT_METRICS[client] ?? {};
  const lines: string[] = [];
  const gauge = (name: string | undefined, value: number | undefined, labels = '') => {
    if (!name || value === undefined) return;
    lines.push(`# TYPE ${name} gauge`, `${name}${labels} ${value}`);
  };
  gauge(names.height, values.height);
  gauge(names.peers, values.peers);
  gauge(names.syncing, values.syncing === undefined ? undefined : values.syncing ? 1 : 0);
  gauge(names.synced, values.syncing === undefined ? undefined : values.syncing ? 0 : 1);
  gauge(
    names.lastSigned,
    values.lastSigned ?? 0,
    values.validatorAddress ? `{validator_address="${values.validatorAddress}"}` : '',
  );
  return `${lines.join('\n')}\n`;
}
