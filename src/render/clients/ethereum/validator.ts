/** Validator hosts: the validator client (lighthouse, teku, vouch) pointed at all its upstream beacons and its signers. */
import { posix } from 'node:path';
import { identitiesOf, onHost, type HostContext } from '../../context.js';
import { RenderError } from '../../errors.js';
import { type Rendered, port, renderArgs, configFile, service, binaryOf, extraArgs, CERTS } from './common.js';

/** Beacon API URLs of every upstream beacon of the identities this validator host serves. */
function beaconUrls(ctx: HostContext): string[] {
  const beacons = [...new Set(identitiesOf(ctx, 'active', 'standby').flatMap((id) => id.upstream))];
  return beacons.map((b) => `http://${b.privateAddress}:${port(b, 'http', b.client === 'teku' ? 5051 : 5052)}`);
}

export function renderValidatorClient(ctx: HostContext): Rendered {
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
            // vouch 1.9.2 has no --config: it reads <base-dir>/vouch.yml (main.go fetchConfig), and an
            // unknown flag stops it (pflag, exit 2)
            `--base-dir=${onHost(host, posix.dirname(path))}`,
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
