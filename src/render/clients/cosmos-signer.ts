/**
 * Cosmos remote signers: tmkms (one signer holding the whole key) and horcrux (an m-of-n
 * threshold of cosigners). Both dial out to a validator's priv_validator_laddr; the validator
 * never calls them. Formats from the signers' own source (docs/reference/tmkms.md at v0.15.0,
 * docs/reference/horcrux.md at v3.3.2).
 *
 * Which validator a signer serves is a file, as a key is: stake renders one complete config per
 * validator host of the identity (serve-<validator>), and the one of the active host again at the
 * serving path, where the signer reads its config. A failover moves it itself (the fence takes it
 * away, so a fenced signer serves nobody whatever the old validator host does; activation writes
 * the target's), and the next deploy finds it as rendered.
 */
import { posix } from 'node:path';
import { validatorHostsOf, type ResolvedHost, type ResolvedIdentity } from '../../inventory/resolve.js';
import { baseData, binaryPath, identitiesOf, onHost, type HostContext } from '../context.js';
import { RenderError } from '../errors.js';
import type { RenderedFile, Service } from '../types.js';

/** tmkms's folders: secrets (0700, as `tmkms init` makes it) and the signing state. */
export const TMKMS_HOME = '/var/lib/tmkms';
/** The file tmkms is started with (`tmkms start -c`): the serve-<validator> config a failover placed. */
export const TMKMS_SERVING = `${TMKMS_HOME}/serving.toml`;
/** tmkms's own secret-connection key: base64 of a 32-byte Ed25519 seed, made on the host by deploy. */
export const TMKMS_CONNECTION_KEY = `${TMKMS_HOME}/secrets/kms-identity.key`;
/** The identity's consensus key on a tmkms host, in CometBFT's priv_validator_key.json form (softsign key_format "json"). */
export const tmkmsKeyPath = (identity: string) => `${TMKMS_HOME}/secrets/${identity}.priv_validator_key.json`;
/** tmkms's watermark for a chain (where `tmkms init` puts it: state/<chain-id>-consensus.json). */
export const tmkmsStatePath = (chainId: string) => `${TMKMS_HOME}/state/${chainId}-consensus.json`;

/** horcrux's home: config.yaml (the serving config), state/, raft/, horcrux.pid. */
export const HORCRUX_HOME = '/var/lib/horcrux';
export const HORCRUX_SERVING = `${HORCRUX_HOME}/config.yaml`;
/** keyDir: the cosigner's shard and its ECIES key, pushed by stake keys push. */
export const HORCRUX_KEYS = `${HORCRUX_HOME}/keys`;
export const horcruxShardPath = (chainId: string) => `${HORCRUX_KEYS}/${chainId}_shard.json`;
export const HORCRUX_ECIES_KEY = `${HORCRUX_KEYS}/ecies_keys.json`;
/** The cluster watermark a cosigner keeps (signer/config.go: <home>/state/{chain-id}_priv_validator_state.json). */
export const horcruxStatePath = (chainId: string) => `${HORCRUX_HOME}/state/${chainId}_priv_validator_state.json`;

/** Where stake renders the config that serves one validator host. */
export const servePath = (client: 'tmkms' | 'horcrux', validator: string) =>
  client === 'tmkms' ? `/etc/tmkms/serve-${validator}.toml` : `/etc/horcrux/serve-${validator}.yaml`;

/**
 * horcrux's raft and gRPC timeouts. `horcrux config init` defaults to 500ms; stake's cosigners sit
 * in different datacenters (signer-dc-quorum), so a leader election and a share round trip get
 * twice that, as horcrux's own migrated example uses.
 */
const HORCRUX_TIMEOUT = '1000ms';

/** A validator's priv_validator_laddr as a signer dials it. */
export const privvalAddr = (validator: ResolvedHost) =>
  `tcp://${hostPort(validator.privateAddress, validator.ports.privval?.port ?? 26659)}`;

/** host:port, an IPv6 address in brackets (Go's net.SplitHostPort, which horcrux and CometBFT use, needs them). */
export const hostPort = (address: string, port: number) =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

/** A cosigner's shard id: its place in the signer group, from 1 (horcrux: 1..n, one per cosigner). */
const shardIdOf = (id: ResolvedIdentity, host: ResolvedHost) => id.signer!.hosts.indexOf(host) + 1;

const SERVE_TEMPLATES = { tmkms: 'tmkms/tmkms.toml.liquid', horcrux: 'horcrux/config.yaml.liquid' } as const;

/** The config that makes a signer serve one validator host (its client's own format). */
function serveFile(
  ctx: HostContext,
  client: 'tmkms' | 'horcrux',
  validator: ResolvedHost,
  data: Record<string, unknown>,
): RenderedFile {
  const template = SERVE_TEMPLATES[client];
  return {
    path: servePath(client, validator.name),
    mode: '0640',
    owner: `${client}:${client}`,
    format: client === 'tmkms' ? 'toml' : 'yaml',
    content: ctx.engine.render(template, {
      ...baseData(ctx),
      version: ctx.inv.clients[client]?.version ?? '',
      validator: { name: validator.name, addr: privvalAddr(validator) },
      ...data,
    }),
    restarts: [client],
    template: ctx.engine.origin(template),
  };
}

/**
 * The serve-<validator> files, and the serving config: the one of the identity's active host
 * again, where the signer reads its config. A failover writes it itself (the target's), as it moves a key, so the next
 * deploy finds it as rendered.
 */
function serveFiles(
  ctx: HostContext,
  client: 'tmkms' | 'horcrux',
  id: ResolvedIdentity,
  validators: readonly ResolvedHost[],
  data: Record<string, unknown>,
): RenderedFile[] {
  const serves = validators.map((v) => serveFile(ctx, client, v, data));
  const serve = serves.find((f) => f.path === servePath(client, id.active.name))!;
  return [...serves, { ...serve, path: client === 'tmkms' ? TMKMS_SERVING : HORCRUX_SERVING, mode: '0600' }];
}

export function renderCosmosSigner(ctx: HostContext): { files: RenderedFile[]; services: Service[] } {
  const { host, inv } = ctx;
  const ids = identitiesOf(ctx, 'signer');
  if (ids.length !== 1 || !ids[0]!.signer)
    throw new RenderError(
      ids.length === 0
        ? `signer "${host.name}" is in no identity's signer group`
        : `signer "${host.name}" is in the signer groups of ${ids.map((i) => i.name).join(' and ')}`,
      'a cosmos signer host signs for one identity: list it under exactly one validators.<identity>.signer.hosts',
    );
  const id = ids[0]!;
  const chainId = inv.chain.network;
  // by name: a failover swaps active and standby, and must not reorder the files
  const validators = [...new Set(validatorHostsOf(id))].sort((a, b) => a.name.localeCompare(b.name));
  const files: RenderedFile[] = [];
  const binary = onHost(host, binaryPath(inv, host.client!));
  if (host.client === 'tmkms') {
    files.push(
      ...serveFiles(ctx, 'tmkms', id, validators, {
        identity: id.name,
        chain_id: chainId,
        serving_path: onHost(host, TMKMS_SERVING),
        state_file: onHost(host, tmkmsStatePath(chainId)),
        key_path: onHost(host, tmkmsKeyPath(id.name)),
        secret_key: onHost(host, TMKMS_CONNECTION_KEY),
      }),
    );
    return {
      files,
      services: [
        {
          name: 'tmkms',
          description: `tmkms signer ${host.name} (${id.name})`,
          user: 'tmkms',
          exec: [binary, 'start', '-c', onHost(host, TMKMS_SERVING), ...(inv.clients.tmkms?.args ?? [])],
          // the state's folder made by deploy: tmkms writes its state through a temp in it, and
          // does not make the folder (src/chain/state.rs: NamedTempFile::new_in)
          writable: [onHost(host, TMKMS_HOME), onHost(host, posix.dirname(tmkmsStatePath(chainId)))],
          after: [],
          jit: false,
          // tmkms listens on nothing: it dials its validator (and redials every second)
          health: { steady: 3 },
        },
      ],
    };
  }
  if (host.client === 'horcrux') {
    const group = id.signer!;
    const p2p = host.ports.p2p?.port ?? 2222;
    files.push(
      ...serveFiles(ctx, 'horcrux', id, validators, {
        identity: id.name,
        chain_id: chainId,
        shard_id: shardIdOf(id, host),
        threshold: group.threshold,
        cosigners: group.hosts.map((h) => ({
          id: shardIdOf(id, h),
          addr: `tcp://${hostPort(h.privateAddress, h.ports.p2p?.port ?? 2222)}`,
        })),
        grpc_timeout: HORCRUX_TIMEOUT,
        raft_timeout: HORCRUX_TIMEOUT,
        key_dir: onHost(host, HORCRUX_KEYS),
        serving_path: onHost(host, HORCRUX_SERVING),
        debug_addr: hostPort(host.privateAddress, host.ports.metrics?.port ?? 6001),
      }),
    );
    return {
      files,
      services: [
        {
          name: 'horcrux',
          description: `horcrux cosigner ${shardIdOf(id, host)} of ${group.hosts.length} ${host.name} (${id.name}, ${group.threshold} of ${group.hosts.length})`,
          user: 'horcrux',
          exec: [binary, 'start', '--home', onHost(host, HORCRUX_HOME), ...(inv.clients.horcrux?.args ?? [])],
          writable: [onHost(host, HORCRUX_HOME)],
          after: [],
          jit: false,
          health: { tcp: p2p },
        },
      ],
    };
  }
  throw new RenderError(
    `signer "${host.name}" runs ${host.client}, which stake cannot render`,
    'stake renders the cosmos signers tmkms and horcrux',
  );
}
