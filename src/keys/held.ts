/**
 * Whether a host holds an identity's own key at the client's path, as a shell condition, by what
 * the files say in public: CometBFT's key file names its key by an address (the public key's
 * hash), printed and compared, never the key. A CometBFT node started without a key writes one
 * of its own there (cometbft v0.38.17 node/setup.go LoadOrGenFilePV): a key of no validator, which
 * every standby that ran CometBFT holds beside its sealed key. Other clients make no key of their
 * own, so for them a file at the path is the key.
 */
import type { KeyFile } from './layout.js';

/** The address a CometBFT key file names, as a shell substitution (empty when it names none). */
export const cometbftAddressOf = (file: string) =>
  `$(sed -n 's/.*"address" *: *"\\([0-9A-Fa-f]*\\)".*/\\1/p' ${file} 2>/dev/null | head -n 1)`;

/** Does this key file make its own key when none is there (so a file at the path may be not the identity's)? */
export const makesOwnKey = (k: KeyFile) => k.name === 'priv_validator_key.json';

/**
 * A shell condition, true when the file at the path is the identity's key: there, and (for a
 * client that makes its own key) either no key is sealed to compare with, or the sealed one names
 * the same address. Paths are the host's, already quoted by the caller's `at`.
 */
export function identityKeyAtPathTest(active: string, sealed: string, k: KeyFile): string {
  if (!makesOwnKey(k)) return `[ -f ${active} ]`;
  return `{ [ -f ${active} ] && { [ ! -f ${sealed} ] || [ "${cometbftAddressOf(active)}" = "${cometbftAddressOf(sealed)}" ]; }; }`;
}
