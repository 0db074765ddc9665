/**
 * cardano-node, P2P topology. A block producer's local roots are its own relays only: no public
 * roots, no bootstrap peers, never ledger peers, so it talks to nothing else. A relay's local
 * roots are the block producers (active and standby, so either can produce; by name, so a
 * failover changes no relay) and the other relays; its public roots (and bootstrap peers) are the
 * chain's `bootstrap_peers`.
 */
import { companionsOf } from '../../inventory/clients.js';
import { validatorHostsOf, type ResolvedHost } from '../../inventory/resolve.js';
import { RenderError } from '../errors.js';
import { baseData, binaryPath, identitiesOf, onHost, unique, type HostContext } from '../context.js';
import type { RenderedFile, Service } from '../types.js';

export const CARDANO_TOPOLOGY = '/etc/cardano/topology.json';
/**
 * The node configuration: the network's own config.json as the pinned cardano-node ships it (a
 * template per network), with what stake needs set on top. The genesis files it names are read
 * beside it and come with the network, as the node's release provides them (not rendered).
 */
export const CARDANO_CONFIG = '/etc/cardano/config.json';
export const CARDANO_KEYS = '/var/lib/cardano/keys';
export const CARDANO_SOCKET = '/var/lib/cardano/node.socket';

/**
 * What stake sets in the network's config.json (cardano-node 10.1.4, legacy tracing, the default:
 * Cardano.Node.Configuration.POM `UseTraceDispatcher` defaults to false):
 * - hasPrometheus on the private address: the shipped 127.0.0.1 is out of the monitor's reach;
 * - TraceBlockFetchDecisions: without it the node never emits its connected-peers metric
 *   (Cardano.Tracing.Tracers: `cardano_node_metrics_peers_connectedPeers_int`);
 * - hasEKG kept, TurnOnLogMetrics and TraceChainDb on: the slot and block metrics need all three;
 * - EnableP2P on (absent means off), and no peer sharing on a block producer, whose relays are
 *   its only peers and must not be handed on.
 */
export function nodeConfiguration(
  shipped: Record<string, unknown>,
  host: ResolvedHost,
  producer: boolean,
): Record<string, unknown> {
  return {
    ...shipped,
    EnableP2P: true,
    ...(producer ? { PeerSharing: false } : {}),
    TurnOnLogging: true,
    TurnOnLogMetrics: true,
    TraceChainDb: true,
    TraceBlockFetchDecisions: true,
    hasEKG: shipped.hasEKG ?? 12788,
    hasPrometheus: [host.privateAddress, host.ports.metrics?.port ?? 12798],
  };
}

function shippedConfiguration(ctx: HostContext): Record<string, unknown> {
  const network = ctx.inv.chain.network;
  const template = `cardano-node/config.${network}.json.liquid`;
  if (!ctx.engine.has(template))
    throw new RenderError(
      `stake has no cardano-node configuration for network "${network}" (it ships mainnet's, from cardano-node 10.1.4)`,
      `put the network's config.json (from its cardano-node release) in your templates as cardano-node/config.${network}.json.liquid`,
    );
  const text = ctx.engine.render(template, baseData(ctx));
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
    return doc as Record<string, unknown>;
  } catch (err) {
    throw new RenderError(
      `${ctx.engine.origin(template)} is not a cardano-node configuration: ${(err as Error).message}`,
      'the template must hold the network config.json as the node release ships it (a JSON object)',
    );
  }
}

const accessPoint = (h: ResolvedHost) => ({ address: h.privateAddress, port: h.ports.p2p?.port ?? 3001 });

function hostPort(peer: string): { address: string; port: number } {
  const at = peer.lastIndexOf(':');
  return { address: peer.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(peer.slice(at + 1)) };
}

export function renderCardano(ctx: HostContext): { files: RenderedFile[]; services: Service[] } {
  const { host, inv } = ctx;
  const producer = host.tier === 'validator';
  const bootstrap = (inv.chain.bootstrap_peers ?? []).map(hostPort);
  let topology: Record<string, unknown>;
  if (producer) {
    const relays = unique(identitiesOf(ctx, 'active', 'standby').flatMap((id) => id.upstream));
    topology = {
      bootstrapPeers: null,
      localRoots: [
        { accessPoints: relays.map(accessPoint), advertise: false, trustable: true, valency: relays.length },
      ],
      publicRoots: [{ accessPoints: [], advertise: false }],
      useLedgerAfterSlot: -1,
    };
  } else {
    const ids = identitiesOf(ctx, 'upstream');
    // by name: a failover swaps active and standby, and must not reorder a relay's local roots
    const producers = unique(ids.flatMap(validatorHostsOf));
    const relays = unique(ids.flatMap((id) => id.upstream)).filter((r) => r !== host);
    const local = [...producers, ...relays];
    if (bootstrap.length === 0) {
      throw new RenderError(
        `relay "${host.name}" has no peers outside the pool: chain.bootstrap_peers is empty`,
        'add chain.bootstrap_peers (e.g. backbone.cardano.iog.io:3001)',
      );
    }
    topology = {
      bootstrapPeers: bootstrap,
      localRoots: [{ accessPoints: local.map(accessPoint), advertise: false, trustable: true, valency: local.length }],
      publicRoots: [{ accessPoints: bootstrap, advertise: false }],
      useLedgerAfterSlot: 0,
    };
  }

  const template = 'cardano-node/topology.json.liquid';
  const binary = onHost(host, binaryPath(inv, 'cardano-node'));
  const p2p = host.ports.p2p?.port ?? 3001;
  const keys = producer
    ? [
        '--shelley-kes-key',
        onHost(host, `${CARDANO_KEYS}/kes.skey`),
        '--shelley-vrf-key',
        onHost(host, `${CARDANO_KEYS}/vrf.skey`),
        '--shelley-operational-certificate',
        onHost(host, `${CARDANO_KEYS}/node.cert`),
      ]
    : [];
  const configTemplate = `cardano-node/config.${inv.chain.network}.json.liquid`;
  const configuration = nodeConfiguration(shippedConfiguration(ctx), host, producer);
  return {
    files: [
      {
        path: CARDANO_CONFIG,
        mode: '0644',
        owner: 'cardano:cardano',
        format: 'json',
        content: `${JSON.stringify(configuration, null, 2)}\n`,
        restarts: ['cardano-node'],
        template: ctx.engine.origin(configTemplate),
      },
      {
        path: CARDANO_TOPOLOGY,
        mode: '0644',
        owner: 'cardano:cardano',
        format: 'json',
        content: `${ctx.engine.render(template, { ...baseData(ctx), topology }).trim()}\n`,
        restarts: ['cardano-node'],
        template: ctx.engine.origin(template),
      },
    ],
    services: [
      {
        name: 'cardano-node',
        description: `cardano-node ${producer ? 'block producer' : 'relay'} ${host.name} (${inv.chain.network})`,
        user: 'cardano',
        exec: [
          binary,
          'run',
          '--topology',
          onHost(host, CARDANO_TOPOLOGY),
          '--config',
          onHost(host, CARDANO_CONFIG),
          '--database-path',
          onHost(host, '/var/lib/cardano/db'),
          '--socket-path',
          onHost(host, CARDANO_SOCKET),
          '--host-addr',
          '0.0.0.0',
          '--port',
          String(p2p),
          ...keys,
          ...(inv.clients['cardano-node']?.args ?? []),
        ],
        writable: [onHost(host, '/var/lib/cardano')],
        after: [],
        jit: false,
        health: { tcp: p2p },
      },
      ...(companionsOf(host.client, host.tier).includes('ogmios') ? [ogmiosService(ctx)] : []),
    ],
  };
}

/**
 * Ogmios (v6.13.0, server/src/Ogmios/Options.hs) beside a relay's node: the JSON API through which
 * stake reads the chain, as it reads CometBFT's RPC on a sentry and the Beacon API on a beacon
 * node. Never on a block producer, which holds the keys and answers nobody. On loopback only
 * (`--host` takes an IPv4 address), so no firewall opening: stake reaches it over SSH.
 * It runs as the node's user: the node's socket is its own (UMask=0077) and only its user may
 * connect; a relay holds no keys, and Ogmios writes nothing (no writable path).
 */
function ogmiosService(ctx: HostContext): Service {
  const { host, inv } = ctx;
  const port = host.ports.ogmios?.port ?? 1337;
  return {
    name: 'ogmios',
    description: `Ogmios for the cardano-node relay ${host.name} (${inv.chain.network})`,
    user: 'cardano',
    exec: [
      onHost(host, binaryPath(inv, 'ogmios')),
      '--node-socket',
      onHost(host, CARDANO_SOCKET),
      '--node-config',
      onHost(host, CARDANO_CONFIG),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      ...(inv.clients.ogmios?.args ?? []),
    ],
    writable: [],
    after: ['cardano-node'],
    jit: false,
    health: { tcp: port },
  };
}
