/** Signer hosts: dirk (a threshold share of each key) or web3signer. */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { validatorHostsOf } from '../../../inventory/resolve.js';
import { identitiesOf, onHost, type HostContext } from '../../context.js';
import { RenderError } from '../../errors.js';
import {
  type Rendered,
  port,
  renderArgs,
  configFile,
  service,
  binaryOf,
  extraArgs,
  CERTS,
  dirkPassphrasePath,
} from './common.js';

const dirkId = (name: string) =>
  Number.parseInt(createHash('sha256').update(name).digest('hex').slice(0, 8), 16) & 0x7fffffff || 1;

export function renderSigner(ctx: HostContext): Rendered {
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
      // without a passphrase that opens its share, dirk keeps the account locked and denies every request
      passphrases: [`file://${onHost(host, dirkPassphrasePath(id.name))}`],
      metrics_listen: `${host.privateAddress}:${metrics}`,
      peers: group.hosts.map((h) => ({
        id: dirkId(h.name),
        endpoint: `${h.privateAddress}:${port(h, 'grpc', 13141)}`,
      })),
      // by name: a failover swaps active and standby, and must not reorder the permissions
      clients: [...new Set(ids.flatMap(validatorHostsOf).map((h) => h.name))],
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
            // dirk 1.2.0 has no --config: it reads <base-dir>/dirk.yml (main.go fetchConfig), and an
            // unknown flag stops it (pflag, exit 2)
            `--base-dir=${onHost(host, posix.dirname(path))}`,
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
