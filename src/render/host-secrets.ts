/**
 * Secrets a host's clients need that stake never renders: made on the host itself, the first
 * time a deploy reaches it, and never read back. A CometBFT node key (node_key.json, as
 * `cometbft init` writes it: its id is learnt from the public half, the private key never leaves
 * the host), the engine API's JWT, which the execution client and the beacon node on the same
 * host share, and tmkms's secret-connection key (its identity towards the validator it dials). Pure: which secrets a host needs follows from its client and tier; the script that
 * makes them is ../apply/secrets.ts.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import { COMETBFT_HOME } from './clients/cometbft.js';
import { JWT_PATH } from './clients/ethereum/common.js';
import { TMKMS_CONNECTION_KEY } from './clients/cosmos-signer.js';

export type SecretKind = 'cometbft-node-key' | 'engine-jwt' | 'tmkms-connection-key';

export interface HostSecret {
  kind: SecretKind;
  /** Where the clients read it, relative to the host's root. */
  path: string;
  /** The file's owner and group (applied where stake manages owners: a host whose root is /). */
  owner: string;
  group: string;
  mode: string;
  /** Service users that must be able to read it: members of `group`. */
  readers: string[];
  /** For people: what it is. */
  what: string;
}

export const NODE_KEY_PATH = `${COMETBFT_HOME}/config/node_key.json`;

/** The group whose members may read the engine API's JWT (the execution client and the beacon node). */
export const ENGINE_GROUP = 'stake-engine';

/** The secrets a host's clients need, in the order they are made. */
export function hostSecrets(host: Pick<ResolvedHost, 'client' | 'tier' | 'execution'>): HostSecret[] {
  const out: HostSecret[] = [];
  if (host.client === 'cometbft')
    out.push({
      kind: 'cometbft-node-key',
      path: NODE_KEY_PATH,
      owner: 'cometbft',
      group: 'cometbft',
      mode: '0600',
      readers: ['cometbft'],
      what: 'CometBFT node key',
    });
  if (host.client === 'tmkms')
    out.push({
      kind: 'tmkms-connection-key',
      path: TMKMS_CONNECTION_KEY,
      owner: 'tmkms',
      group: 'tmkms',
      mode: '0600',
      readers: ['tmkms'],
      what: 'tmkms secret-connection key',
    });
  if (host.tier === 'beacon' && host.execution && host.client)
    out.push({
      kind: 'engine-jwt',
      path: JWT_PATH,
      owner: 'root',
      group: ENGINE_GROUP,
      mode: '0640',
      readers: [host.execution, host.client],
      what: 'engine API JWT',
    });
  return out;
}
