/**
 * A simulated CometBFT validator: with a priv_validator_key.json at its configured path, it
 * precommits each height and round the chain offers (new ones, and the recent ones offered again),
 * but only above the watermark in priv_validator_state.json (CometBFT's CheckHRS), and it writes
 * the new watermark (durably) before the signature leaves the process, as CometBFT's FilePV does.
 * Without a key it is a full node that signs nothing.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import {
  checkHRS,
  mergeSignStates,
  parseSignState,
  serializeSignState,
  STEP,
  type SignState,
} from '../../chain/cometbft-sign-state.js';
import type { Behaviour, SimContext } from './context.js';
import { readIfExists, writeDurably } from '../../files.js';

interface PrivValidatorKey {
  address: string;
  pub_key: { value: string };
  priv_key: { value: string };
}

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * What CometBFT says when it will not start (privval/file.go `loadFilePV`, v0.38.25): a key file
 * present whose state file is missing or unreadable ends the process (cmtos.Exit, status 1).
 * Without a key file the real node generates one (LoadOrGenFilePV, node/setup.go); the lab's
 * node signs nothing instead, which is the same on the chain (a key no validator has).
 */
export function cometbftStartError(keyFile: string | undefined, stateFile: string | undefined): string | undefined {
  if (!keyFile || !stateFile || readIfExists(keyFile) === undefined) return undefined;
  const text = readIfExists(stateFile);
  if (text === undefined) return `open ${stateFile}: no such file or directory`;
  try {
    parseSignState(text);
    return undefined;
  } catch (err) {
    return `Error reading PrivValidator state from ${stateFile}: ${(err as Error).message}`;
  }
}

function readState(file: string): SignState | undefined {
  const text = readIfExists(file);
  try {
    return text === undefined ? undefined : parseSignState(text);
  } catch {
    return undefined;
  }
}

const FRESH: SignState = { height: 0n, round: 0, step: STEP.none };
const higher = (a: SignState | undefined, b: SignState | undefined): SignState =>
  !a ? (b ?? FRESH) : !b ? a : mergeSignStates(b, a); // the file (b) when equal: it has the sign bytes

export function cometbftValidator(ctx: SimContext): Behaviour {
  const { keyFile, stateFile } = ctx.config;
  // the key and the watermark as loaded at start (CometBFT reads both only then)
  let loadedKey = keyFile ? readIfExists(keyFile) : undefined;
  let known: SignState | undefined = loadedKey && stateFile ? readState(stateFile) : undefined;
  return {
    onHeight({ height, round }) {
      const keyText = keyFile ? readIfExists(keyFile) : undefined;
      if (!keyText || !stateFile) {
        loadedKey = undefined;
        known = undefined;
        return { signing: false };
      }
      if (keyText !== loadedKey) {
        // A key moved in under the running node. CometBFT would read it only at its next start:
        // the lab takes it as that start, so the node checks its state as CometBFT does at start
        // (without one it signs nothing: CometBFT would not have started), loads it, and meets the
        // chain again (which offers it the recent heights once more).
        const refused = cometbftStartError(keyFile, stateFile);
        if (refused) return { signing: false, note: `with this key CometBFT would not start: ${refused}` };
        loadedKey = keyText;
        known = readState(stateFile);
        ctx.rejoin();
        return { signing: true, note: 'a key appeared: loaded as at a start, meeting the chain again' };
      }
      const key = JSON.parse(keyText) as PrivValidatorKey;
      const identity = ctx.lab.identities.find((i) => i.keyAddress === key.address);
      if (!identity) return { signing: false, note: `key ${key.address} belongs to no identity of this lab` };
      if (ctx.peersUp() === 0) return { signing: true, note: 'no peer connected: cannot see the chain, not signing' };

      // CometBFT keeps the watermark it loaded at start in memory and rewrites the file at every
      // signature, so a file lost, damaged or lowered under a running node changes nothing until a
      // restart (which then refuses to start, cometbftStartError). A file raised under it is read
      // here: stricter than CometBFT, never looser.
      const state = higher(known, readState(stateFile));
      known = state;
      const verdict = checkHRS(state, BigInt(height), round, STEP.precommit);
      if (!verdict.ok) {
        ctx.log(`refused to sign height ${height} round ${round}: ${verdict.why}`);
        return { signing: true, note: `watermark at ${state.height}/${state.round}: refusing ${height}/${round}` };
      }
      // The same height/round/step already signed (a restart right after signing): nothing new to send.
      if (verdict.reuse) return { signing: true };

      const signbytes = createHash('sha256')
        .update(`${ctx.lab.name}/${identity.name}/${height}/${round}/precommit`)
        .digest();
      const seed = Buffer.from(key.priv_key.value, 'base64').subarray(0, 32);
      const pub = Buffer.from(key.pub_key.value, 'base64');
      const privateKey = createPrivateKey({
        key: { kty: 'OKP', crv: 'Ed25519', d: b64url(seed), x: b64url(pub) },
        format: 'jwk',
      });
      const signature = sign(null, signbytes, privateKey).toString('base64');
      // The watermark first: a crash after this line loses one vote, never signs twice.
      known = { height: BigInt(height), round, step: STEP.precommit };
      writeDurably(
        stateFile,
        serializeSignState({ ...known, signature, signbytes: signbytes.toString('hex').toUpperCase() }),
      );
      ctx.submit({
        identity: identity.name,
        height,
        ...(round > 0 ? { round } : {}),
        host: ctx.host.name,
        signer: ctx.signer,
        kind: 'precommit',
      });
      return { signing: true };
    },
  };
}
