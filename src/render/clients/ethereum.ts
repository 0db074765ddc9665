/**
 * Ethereum: beacon hosts run an execution client (geth, nethermind) and a consensus client
 * (lighthouse, teku) joined by the engine API on loopback with a JWT secret; validator hosts run
 * a validator client (lighthouse, teku, vouch) pointed at ALL their upstream beacons, with
 * doppelganger protection, and at their remote signers; signer hosts run dirk or web3signer.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { ResolvedHost } from '../../inventory/resolve.js';
import { baseData, binaryPath, identitiesOf, onHost, type HostContext } from '../context.js';
import { RenderError, TemplateError } from '../errors.js';
import type { RenderedFile, Service } from '../types.js';

/** The engine API's shared secret: created on the host by deploy, never rendered (it is a secret). */
export const JWT_PATH = '/etc/stake/ethereum/jwt.hex';
export const CERTS = '/etc/stake/ethereum/certs';
const EXECUTION_NETWORKS = ['mainnet', 'holesky', 'sepolia', 'hoodi'];

type Rendered = { files: RenderedFile[]; services: Service[] };

const port = (h: ResolvedHost, name: string, fallback: number) => h.ports[name]?.port ?? fallback;

/** Renders a template whose output is a YAML list of command-line arguments. */
function renderArgs(ctx: HostContext, template: string, data: Record<string, unknown>): string[] {
  const text = ctx.engine.render(template, { ...baseData(ctx), ...data });
  let args: unknown;
  try {
    args = parseYaml(text, { strict: true });
  } catch (err) {
    throw new TemplateError(
      `template ${ctx.engine.origin(template)} produced invalid YAML: ${(err as Error).message.split('\n')[0]}`,
      'fix the template (or remove your override of it)',
    );
  }
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string' || typeof a === 'number')) {
    throw new TemplateError(
      `template ${ctx.engine.origin(template)} must produce a YAML list of arguments`,
      'one argument per "- " item',
    );
  }
  return args.map(String);
}

function configFile(
  ctx: HostContext,
  template: string,
  path: string,
  owner: string,
  restarts: string,
  data: Record<string, unknown>,
): RenderedFile {
  return {
    path,
    mode: '0640',
    owner: `${owner}:${owner}`,
    format: 'yaml',
    content: ctx.engine.render(template, { ...baseData(ctx), ...data }),
    restarts: [restarts],
    template: ctx.engine.origin(template),
  };
}

const service = (s: Omit<Service, 'after' | 'jit'> & Partial<Pick<Service, 'after' | 'jit'>>): Service => ({
  after: [],
  jit: false,
  ...s,
});
const binaryOf = (ctx: HostContext, client: string) => onHost(ctx.host, binaryPath(ctx.inv, client));
const extraArgs = (ctx: HostContext, client: string) => ctx.inv.clients[client]?.args ?? [];

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

function renderBeacon(ctx: HostContext): Rendered {
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

/** Beacon API URLs of every upstream beacon of the identities this validator host serves. */
function beaconUrls(ctx: HostContext): string[] {
  const beacons = [...new Set(identitiesOf(ctx, 'active', 'standby').flatMap((id) => id.upstream))];
  return beacons.map((b) => `http://${b.privateAddress}:${port(b, 'http', b.client === 'teku' ? 5051 : 5052)}`);
}

function renderValidatorClient(ctx: HostContext): Rendered {
  const { host, inv } = ctx;
  const client = host.client!;
  const ids = identitiesOf(ctx, 'active', 'standby');
  const signer = ids.find((id) => id.signer)?.signer;
  const urls = beaconUrls(ctx);
  const common = {
    network: inv.chain.network,
    fee_recipient: inv.chain.fee_recipient ?? '',
    private_address: host.privateAddress,
    beacon_urls: urls,
  };
  const name = `${client}-validator`;
  const description = `${client} validator client ${host.name} (${ids.map((i) => i.name).join(', ')})`;
  if (client === 'lighthouse') {
    if (signer) {
      throw new RenderError(
        `lighthouse on "${host.name}" would sign through ${signer.client}, which lighthouse configures per validator key`,
        "lighthouse lists web3signer keys one by one in validator_definitions.yml, which needs each key's public key: use teku (it asks web3signer for its keys) until stake keys push writes those entries",
      );
    }
    const datadir = onHost(host, '/var/lib/lighthouse/validator');
    const metrics = port(host, 'metrics', 5064);
    const args = renderArgs(ctx, 'lighthouse/validator.args.yaml.liquid', { ...common, datadir, metrics });
    return {
      files: [],
      services: [
        service({
          name,
          description,
          user: 'lighthouse',
          exec: [binaryOf(ctx, 'lighthouse'), ...args, ...extraArgs(ctx, 'lighthouse')],
          writable: [datadir],
          health: { tcp: metrics },
        }),
      ],
    };
  }
  if (client === 'teku') {
    const datadir = onHost(host, '/var/lib/teku/validator');
    const metrics = port(host, 'metrics', 8008);
    const signerUrl = signer ? `http://${signer.hosts[0]!.privateAddress}:${port(signer.hosts[0]!, 'http', 9000)}` : '';
    const path = '/etc/teku/validator.yaml';
    const file = configFile(ctx, 'teku/validator.yaml.liquid', path, 'teku', name, {
      ...common,
      datadir,
      metrics,
      signer_url: signerUrl,
      local_keys: `${onHost(host, '/var/lib/teku/validator/keys')}:${onHost(host, '/var/lib/teku/validator/passwords')}`,
    });
    return {
      files: [file],
      services: [
        service({
          name,
          description,
          user: 'teku',
          exec: [binaryOf(ctx, 'teku'), 'vc', `--config-file=${onHost(host, path)}`, ...extraArgs(ctx, 'teku')],
          writable: [datadir],
          jit: true,
          health: { tcp: metrics },
        }),
      ],
    };
  }
  if (client === 'vouch' && signer) {
    const metrics = port(host, 'metrics', 8081);
    const path = '/etc/vouch/vouch.yml';
    const beaconAddresses = [...new Set(ids.flatMap((id) => id.upstream))].map(
      (b) => `${b.privateAddress}:${port(b, 'http', b.client === 'teku' ? 5051 : 5052)}`,
    );
    const file = configFile(ctx, 'vouch/vouch.yml.liquid', path, 'vouch', 'vouch', {
      ...common,
      beacon_addresses: beaconAddresses,
      signer_endpoints: signer.hosts.map((s) => `${s.privateAddress}:${port(s, 'grpc', 13141)}`),
      threshold: signer.threshold,
      signer_count: signer.hosts.length,
      certs: onHost(host, CERTS),
      accounts: ids.map((id) => id.name),
      metrics_listen: `${host.privateAddress}:${metrics}`,
    });
    const datadir = onHost(host, '/var/lib/vouch');
    return {
      files: [file],
      services: [
        service({
          name: 'vouch',
          description,
          user: 'vouch',
          exec: [
            binaryOf(ctx, 'vouch'),
            `--base-dir=${datadir}`,
            `--config=${onHost(host, path)}`,
            ...extraArgs(ctx, 'vouch'),
          ],
          writable: [datadir],
          health: { tcp: metrics },
        }),
      ],
    };
  }
  throw new RenderError(
    `validator "${host.name}" runs ${client}${client === 'vouch' ? ' without a dirk group' : ''}, which stake cannot render`,
    'stake renders the validator clients lighthouse, teku and vouch (with dirk)',
  );
}

/** A stable 31-bit dirk server id from the host name: unique across instances, the same on every render. */
const dirkId = (name: string) =>
  Number.parseInt(createHash('sha256').update(name).digest('hex').slice(0, 8), 16) & 0x7fffffff || 1;

function renderSigner(ctx: HostContext): Rendered {
  const { host, inv } = ctx;
  const ids = identitiesOf(ctx, 'signer');
  const id = ids[0];
  if (!id?.signer)
    throw new RenderError(
      `signer "${host.name}" is in no identity's signer group`,
      'list it under validators.<identity>.signer.hosts, or remove it',
    );
  const group = id.signer;
  if (host.client === 'dirk') {
    const grpc = port(host, 'grpc', 13141);
    const metrics = port(host, 'metrics', 8181);
    const path = '/etc/dirk/dirk.yml';
    const storage = onHost(host, '/var/lib/dirk/protection');
    const file = configFile(ctx, 'dirk/dirk.yml.liquid', path, 'dirk', 'dirk', {
      identity: id.name,
      threshold: group.threshold,
      peer_count: group.hosts.length,
      server_id: dirkId(host.name),
      server_name: host.name,
      listen_address: `${host.privateAddress}:${grpc}`,
      certs: onHost(host, CERTS),
      storage_path: storage,
      wallets: onHost(host, '/var/lib/dirk/wallets'),
      metrics_listen: `${host.privateAddress}:${metrics}`,
      peers: group.hosts.map((h) => ({
        id: dirkId(h.name),
        endpoint: `${h.privateAddress}:${port(h, 'grpc', 13141)}`,
      })),
      clients: [...new Set(ids.flatMap((i) => [i.active, ...i.standby]).map((h) => h.name))],
    });
    return {
      files: [file],
      services: [
        service({
          name: 'dirk',
          description: `dirk signer ${host.name} (${id.name}, ${group.threshold} of ${group.hosts.length})`,
          user: 'dirk',
          exec: [
            binaryOf(ctx, 'dirk'),
            `--base-dir=${onHost(host, '/var/lib/dirk')}`,
            `--config=${onHost(host, path)}`,
            ...extraArgs(ctx, 'dirk'),
          ],
          writable: [onHost(host, '/var/lib/dirk')],
          health: { tcp: grpc },
        }),
      ],
    };
  }
  if (host.client === 'web3signer') {
    const http = port(host, 'http', 9000);
    const args = renderArgs(ctx, 'web3signer/args.yaml.liquid', {
      private_address: host.privateAddress,
      http,
      metrics: port(host, 'metrics', 9001),
      keys: onHost(host, '/var/lib/web3signer/keys'),
      network: inv.chain.network,
      slashing_db_url: 'jdbc:postgresql://127.0.0.1/web3signer',
    });
    return {
      files: [],
      services: [
        service({
          name: 'web3signer',
          description: `web3signer ${host.name} (${id.name})`,
          user: 'web3signer',
          exec: [binaryOf(ctx, 'web3signer'), ...args, ...extraArgs(ctx, 'web3signer')],
          writable: [onHost(host, '/var/lib/web3signer')],
          jit: true,
          health: { tcp: http },
        }),
      ],
    };
  }
  throw new RenderError(
    `signer "${host.name}" runs ${host.client}, which stake cannot render`,
    'stake renders the ethereum signers dirk and web3signer',
  );
}

export function renderEthereum(ctx: HostContext): Rendered {
  if (ctx.host.tier === 'beacon') return renderBeacon(ctx);
  if (ctx.host.tier === 'validator') return renderValidatorClient(ctx);
  return renderSigner(ctx);
}
