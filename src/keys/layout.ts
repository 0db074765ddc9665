/**
 * Where an identity's signing key material lives on a host (the failover protocol (docs/failover.md), Keys):
 * active at the client's own path, or sealed on a standby under a path the client never reads.
 * Paths are relative to the host's `root`. Pure: the lab places keys by it today; `stake keys`
 * and failover move them by it.
 */
import { posix } from 'node:path';
import type { Family } from '../inventory/clients.js';
import { COMETBFT_HOME } from '../render/clients/cometbft.js';
import { CERTS } from '../render/clients/ethereum.js';
import { dirkPassphrasePath } from '../render/clients/ethereum/common.js';

export interface KeyFile {
  /** A short name, also the file's name when sealed. */
  name: string;
  /** Where the client reads it. */
  path: string;
}

/** Sealed key material waits here on a standby, mode 0400. */
export const sealedDir = (identity: string) => `/var/lib/stake/sealed/${identity}`;
export const sealedPath = (identity: string, key: KeyFile) => posix.join(sealedDir(identity), key.name);

/**
 * The files that make a validator host able to sign, by family. With a remote signer group (ethereum
 * with Dirk) the validator client holds no key: its client certificate is its access to the signers,
 * and that is what moves.
 */
export function validatorKeyFiles(family: Family): KeyFile[] {
  switch (family) {
    case 'cosmos':
      return [{ name: 'priv_validator_key.json', path: `${COMETBFT_HOME}/config/priv_validator_key.json` }];
    case 'ethereum':
      return [
        { name: 'client.crt', path: `${CERTS}/client.crt` },
        { name: 'client.key', path: `${CERTS}/client.key` },
      ];
    case 'cardano':
      return ['kes.skey', 'vrf.skey', 'node.cert'].map((name) => ({ name, path: `/var/lib/cardano/keys/${name}` }));
  }
}

/** ethereum: the certificate authority Vouch and Dirk check each other's certificates against (public). */
export const SIGNER_CA_CERT = `${CERTS}/ca.crt`;

/** A Dirk signer's own certificate and key (dirk.yml certificates.server-cert and server-key). */
export const dirkServerCertFiles: readonly KeyFile[] = [
  { name: 'server.crt', path: `${CERTS}/server.crt` },
  { name: 'server.key', path: `${CERTS}/server.key` },
];

/** A Dirk signer's share of an identity's key. */
export const dirkShareFile = (identity: string): KeyFile => ({
  name: `${identity}.share`,
  path: `/var/lib/dirk/wallets/${identity}.share`,
});

/**
 * The passphrase that opens a Dirk signer's share (dirk.yml `unlocker.account-passphrases`, a
 * file:// URL read byte for byte: no trailing newline). It comes with the share, mode 0400.
 */
export const dirkPassphraseFile = (identity: string): KeyFile => ({
  name: `${identity}.passphrase`,
  path: dirkPassphrasePath(identity),
});

/** Cosmos: CometBFT's watermark beside its key (the rendered config's priv_validator_state_file). */
export const COMETBFT_SIGN_STATE = `${COMETBFT_HOME}/data/priv_validator_state.json`;

/**
 * The signing state a client's own init writes beside a new key, where the client will not start
 * without one: CometBFT's priv_validator_state.json at height 0 (`cometbft init`; privval/file.go
 * `loadFilePV` exits when a key is present and its state file is missing or unreadable). Written
 * only when a key is placed where none was and no state exists; a key already in place whose state
 * is gone is a lost watermark, which stake never papers over.
 */
export function initialSignState(family: Family): { path: string; content: string; mode: string } | undefined {
  if (family !== 'cosmos') return undefined;
  return { path: COMETBFT_SIGN_STATE, content: '{\n  "height": "0",\n  "round": 0,\n  "step": 0\n}\n', mode: '0600' };
}

/** Where the witness keeps the last copy of an identity's signing state, for a failover whose old host is dead. */
export const witnessStateDir = (identity: string) => `/var/lib/stake/${identity}/signing-state`;
