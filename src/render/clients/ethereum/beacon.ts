/** Beacon hosts: the execution client and the consensus client, joined by the engine API on loopback. */
import { onHost, type HostContext } from '../../context.js';
import { RenderError } from '../../errors.js';
import {
  type Rendered,
  port,
  renderArgs,
  configFile,
  service,
  binaryOf,
  extraArgs,
  EXECUTION_NETWORKS,
  JWT_PATH,
} from './common.js';

function renderExecution(ctx: HostContext): Rendered {
  const { host, inv } = ctx;
  const client = host.execution!;
  if (client !== 'geth' && client !== 'nethermind') {
    throw new RenderError(
      `beacon "${host.name}" pairs with ${client}, which stake cannot render yet`,
      'stake renders the execution clients geth and nethermind',
    );
  }
  const network = inv.chain.network;
  if (!EXECUTION_NETWORKS.includes(network)) {
    throw new RenderError(
      `${client} on "${host.name}": no built-in network "${network}"`,
      `stake renders ${EXECUTION_NETWORKS.join(', ')}; for another network, override templates/${client}/args.yaml.liquid`,
    );
  }
  const datadir = onHost(host, `/var/lib/${client}`);
  const args = renderArgs(ctx, `${client}/args.yaml.liquid`, {
    network,
    datadir,
    jwt: onHost(host, JWT_PATH),
    p2p: port(host, 'el-p2p', 30303),
    http: port(host, 'el-http', 8545),
    engine: port(host, 'engine', 8551),
    metrics: port(host, 'el-metrics', 6060),
    metrics_address: host.privateAddress,
  });
  return {
    files: [],
    services: [
      service({
        name: client,
        description: `${client} execution client for ${host.name} (${network})`,
        user: client,
        exec: [binaryOf(ctx, client), ...args, ...extraArgs(ctx, client)],
        writable: [datadir],
        jit: client === 'nethermind',
        health: { tcp: port(host, 'el-http', 8545) },
      }),
    ],
  };
}

export function renderBeacon(ctx: HostContext): Rendered {
  const { host, inv } = ctx;
  const execution = renderExecution(ctx);
  const client = host.client!;
  const data = {
    network: inv.chain.network,
    jwt: onHost(host, JWT_PATH),
    checkpoint_sync_url: inv.chain.checkpoint_sync_url ?? '',
    private_address: host.privateAddress,
    engine: port(host, 'engine', 8551),
    p2p: port(host, 'p2p', 9000),
    quic: port(host, 'quic', 9001),
    http: port(host, 'http', client === 'teku' ? 5051 : 5052),
    metrics: port(host, 'metrics', client === 'teku' ? 8008 : 5054),
  };
  const name = `${client}-beacon`;
  const description = `${client} beacon node ${host.name} (${inv.chain.network})`;
  const after = execution.services.map((s) => s.name);
  const health = { tcp: data.http };
  if (client === 'lighthouse') {
    const datadir = onHost(host, '/var/lib/lighthouse/beacon');
    const args = renderArgs(ctx, 'lighthouse/beacon.args.yaml.liquid', { ...data, datadir });
    return {
      files: [],
      services: [
        ...execution.services,
        service({
          name,
          description,
          user: 'lighthouse',
          exec: [binaryOf(ctx, 'lighthouse'), ...args, ...extraArgs(ctx, 'lighthouse')],
          writable: [datadir],
          after,
          health,
        }),
      ],
    };
  }
  if (client === 'teku') {
    const datadir = onHost(host, '/var/lib/teku/beacon');
    const path = '/etc/teku/beacon.yaml';
    return {
      files: [configFile(ctx, 'teku/beacon.yaml.liquid', path, 'teku', name, { ...data, datadir })],
      services: [
        ...execution.services,
        service({
          name,
          description,
          user: 'teku',
          exec: [binaryOf(ctx, 'teku'), `--config-file=${onHost(host, path)}`, ...extraArgs(ctx, 'teku')],
          writable: [datadir],
          after,
          jit: true,
          health,
        }),
      ],
    };
  }
  throw new RenderError(
    `beacon "${host.name}" runs ${client}, which stake cannot render yet`,
    'stake renders the beacon clients lighthouse and teku',
  );
}
