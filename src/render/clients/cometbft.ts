/**
 * CometBFT nodes. A validator peers only with its own sentries (pex off, no seeds); a sentry
 * keeps the validator's id private, always lets it in, and uses pex and the chain's seeds when
 * it is public. RPC stays on loopback; Prometheus listens on the private address for the monitor.
 */
import { validatorHostsOf, type ResolvedHost } from '../../inventory/resolve.js';
import { baseData, binaryPath, identitiesOf, nodeIdOf, onHost, unique, type HostContext } from '../context.js';
import type { RenderedFile, Service } from '../types.js';
import { privvalAddr } from './cosmos-signer.js';

export const COMETBFT_HOME = '/var/lib/cometbft';

/**
 * consensus.double_sign_check_height on a validator: at start CometBFT reads the last commits it
 * holds and will not join consensus while its key signed one of the last 9 (consensus/state.go
 * checkDoubleSigningRisk), so a key copied onto a node that follows the chain panics instead of
 * signing twice. The price is that a restart signs again 10 heights after its last signature: stake
 * failover and deploy wait for them before they start it (src/observe/look-back.ts).
 */
export const VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT = 10;

/**
 * On a validator with a remote signer, the active host's priv_validator_laddr
 * (CMT_PRIV_VALIDATOR_LADDR: CometBFT reads its config through viper with the CMT prefix,
 * cmd/cometbft/main.go and libs/cli/setup.go, v0.38.17). Rendered on the active host only, and
 * moved by a failover itself (fence removes it, activation writes it), as it moves a key.
 */
export const PRIVVAL_ENV = '/etc/stake/cometbft-privval.env';

/** The file that makes a validator listen for its remote signer. */
export const privvalEnvContent = (host: ResolvedHost) =>
  `# Rendered by stake: this host is the one its remote signers serve.\nCMT_PRIV_VALIDATOR_LADDR=${privvalAddr(host)}\n`;

const peer = (ctx: HostContext, h: ResolvedHost) =>
  `${nodeIdOf(ctx, h)}@${h.privateAddress}:${h.ports.p2p?.port ?? 26656}`;

export function renderCometbft(ctx: HostContext): { files: RenderedFile[]; services: Service[] } {
  const { host, inv } = ctx;
  const isValidator = host.tier === 'validator';
  const p2p = host.ports.p2p?.port ?? 26656;
  let data: Record<string, unknown>;

  if (isValidator) {
    const ids = identitiesOf(ctx, 'active', 'standby');
    const sentries = unique(ids.flatMap((id) => id.upstream));
    data = {
      role: 'validator',
      // with a remote signer, the active host alone listens for it: its laddr comes from
      // PRIVVAL_ENV, rendered there only (a standby that listened would wait for a signer and
      // fail its start: node/node.go asks the signer for its key at once)
      privval_laddr: '',
      seeds: [],
      persistent_peers: sentries.map((s) => peer(ctx, s)),
      unconditional_peer_ids: sentries.map((s) => nodeIdOf(ctx, s)),
      private_peer_ids: [],
      pex: false,
      external_address: '',
      double_sign_check_height: VALIDATOR_DOUBLE_SIGN_CHECK_HEIGHT,
    };
  } else {
    const ids = identitiesOf(ctx, 'upstream');
    // by name: a failover swaps active and standby, and must not reorder a sentry's peers
    const validators = unique(ids.flatMap(validatorHostsOf));
    const otherSentries = unique(ids.flatMap((id) => id.upstream)).filter((s) => s !== host);
    data = {
      role: host.public ? 'public sentry' : 'private sentry',
      privval_laddr: '',
      seeds: host.public ? (inv.chain.seeds ?? []) : [],
      persistent_peers: [...validators.map((v) => peer(ctx, v)), ...(inv.chain.persistent_peers ?? [])],
      unconditional_peer_ids: [...validators, ...otherSentries].map((h) => nodeIdOf(ctx, h)),
      private_peer_ids: validators.map((v) => nodeIdOf(ctx, v)),
      pex: host.public,
      external_address: `${host.public ? host.address : host.privateAddress}:${p2p}`,
      double_sign_check_height: 0,
    };
  }

  const home = onHost(host, COMETBFT_HOME);
  const content = ctx.engine.render('cometbft/config.toml.liquid', {
    ...baseData(ctx),
    ...data,
    proxy_app: 'tcp://127.0.0.1:26658',
    rpc_laddr: `tcp://127.0.0.1:${host.ports.rpc?.port ?? 26657}`,
    p2p_laddr: `tcp://0.0.0.0:${p2p}`,
    prometheus_listen_addr: `${host.privateAddress}:${host.ports.metrics?.port ?? 26660}`,
  });
  const binary = onHost(host, binaryPath(inv, 'cometbft'));
  const remoteSigner = isValidator && identitiesOf(ctx, 'active', 'standby').some((id) => id.signer);
  const served = isValidator && identitiesOf(ctx, 'active').some((id) => id.signer);
  return {
    files: [
      {
        path: `${COMETBFT_HOME}/config/config.toml`,
        mode: '0640',
        owner: 'cometbft:cometbft',
        format: 'toml',
        content,
        restarts: ['cometbft'],
        template: ctx.engine.origin('cometbft/config.toml.liquid'),
      },
      ...(served
        ? [
            {
              path: PRIVVAL_ENV,
              mode: '0644',
              owner: 'root:root',
              format: 'text' as const,
              content: privvalEnvContent(host),
              restarts: ['cometbft'],
              template: 'src/render/clients/cometbft.ts',
            },
          ]
        : []),
    ],
    services: [
      {
        name: 'cometbft',
        description: `CometBFT ${data.role} ${host.name} (${inv.chain.network})`,
        user: 'cometbft',
        exec: [binary, 'start', '--home', home, ...(inv.clients.cometbft?.args ?? [])],
        writable: [home],
        ...(remoteSigner ? { environmentFile: onHost(host, PRIVVAL_ENV) } : {}),
        after: [],
        jit: false,
        health: { tcp: p2p },
      },
    ],
  };
}
