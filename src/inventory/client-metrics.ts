/**
 * The client catalog's metric names: which Prometheus metric answers "height", "peers",
 * "syncing" and "last signed" for each client, from each client's documentation. `stake status`
 * reads them, the monitor's alert rules use them, and the lab's simulated clients serve them.
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
  /** Validators with double-sign evidence in the node's latest block: the chain's own word, on every node. */
  doubleSignEvidence?: string;
  /** The HTTP path of its Prometheus endpoint, when it is not /metrics. */
  path?: string;
}

/** Where Prometheus metrics are served unless a client says otherwise. */
export const DEFAULT_METRICS_PATH = '/metrics';

/** The HTTP path a client serves its Prometheus metrics at. */
export const metricsPathOf = (client: string): string => CLIENT_METRICS[client]?.path ?? DEFAULT_METRICS_PATH;

export const CLIENT_METRICS: Readonly<Record<string, ClientMetricNames>> = {
  // docs.cometbft.com, "Metrics" (namespace "cometbft", instrumentation.namespace)
  cometbft: {
    height: 'cometbft_consensus_height',
    peers: 'cometbft_p2p_peers',
    syncing: 'cometbft_blocksync_syncing',
    lastSigned: 'cometbft_consensus_validator_last_signed_height',
    // consensus/metrics.go at v0.38.25: ByzantineValidators, "Number of validators who tried to
    // double sign", set from each committed block's evidence (consensus/state.go recordMetrics)
    doubleSignEvidence: 'cometbft_consensus_byzantine_validators',
  },
  // cardano-node 10.1.4's legacy tracing (its default; the rendered config.json keeps it): the EKG
  // key <logger>.<name>.int becomes cardano_node_metrics_<name>_int (Cardano.Tracing.Tracers); the
  // peers count is traced under "peers", and only with TraceBlockFetchDecisions on
  'cardano-node': {
    height: 'cardano_node_metrics_slotNum_int',
    peers: 'cardano_node_metrics_peers_connectedPeers_int',
  },
  // the beacon metrics every consensus client shares (ethereum/beacon-metrics)
  lighthouse: { height: 'beacon_head_slot', peers: 'libp2p_peers', synced: 'sync_eth2_synced' },
  teku: { height: 'beacon_head_slot', peers: 'libp2p_peers' },
  prysm: { height: 'beacon_head_slot', peers: 'libp2p_peers' },
  nimbus: { height: 'beacon_head_slot', peers: 'libp2p_peers' },
  lodestar: { height: 'beacon_head_slot', peers: 'libp2p_peers' },
  // geth serves Prometheus text at /debug/metrics/prometheus (metrics/prometheus, the exp server):
  // /metrics on its port is a 404
  geth: { height: 'chain_head_block', peers: 'p2p_peers', path: '/debug/metrics/prometheus' },
  // nethermind_blocks is named as a count; the chain head is Blockchain.Metrics' ethereum_blockchain_height
  // and the connected peers Network.Metrics' ethereum_peer_count (nethermind_sync_peers is split by client_type)
  nethermind: { height: 'ethereum_blockchain_height', peers: 'ethereum_peer_count' },
  besu: { height: 'ethereum_blockchain_height', peers: 'ethereum_peer_count' },
  erigon: { height: 'chain_head_block', peers: 'p2p_peers', path: '/debug/metrics/prometheus' },
  reth: { height: 'reth_blockchain_tree_canonical_chain_height', peers: 'reth_network_connected_peers' },
  vouch: {},
  dirk: {},
  web3signer: {},
  horcrux: {},
};

export const metricNamesOf = (client: string): string[] => {
  const { path: _path, ...names } = CLIENT_METRICS[client] ?? {};
  return Object.values(names).filter((n): n is string => typeof n === 'string');
};
