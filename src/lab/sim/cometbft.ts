/**
 * A simulated CometBFT validator: with a priv_validator_key.json at its configured path, it
 * precommits each height and round the chain offers (new ones, and the recent ones offered again),
 * but only above the watermark in priv_validator_state.json (CometBFT's CheckHRS), and it writes
 * the new watermark (durably) before the signature leaves the process, as CometBFT's FilePV does.
 * Without a key it is a full node that signs nothing.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { checkHRS, parseSignState, serializeSignState, STEP, type SignState } from '../../chain/cometbft-sign-state.js';
import type { Behaviour, SimContext } from './context.js';
import { readIfExists, writeDurably } from '../../files.js';

interface PrivValidatorKey {
  address: string;
  pub_key: { value: string };
  priv_key: { value: string };
}

const b64url = (b: Buffer) => b.toString('base64url');

export function cometbftValidator(ctx: SimContext): Behaviour {
  const { keyFile, stateFile } = ctx.config;
  return {
    onHeight({ height, round }) {
      const keyText = keyFile ? readIfExists(keyFile) : undefined;
      if (!keyText || !stateFile) return { signing: false };
      const key = JSON.parse(keyText) as PrivValidatorKey;
      const identity = ctx.lab.identities.find((i) => i.keyAddress === key.address);
      if (!identity) return { signing: false, note: `key ${key.address} belongs to no identity of this lab` };
      if (ctx.peersUp() === 0) return { signing: true, note: 'no peer connected: cannot see the chain, not signing' };

      const text = readIfExists(stateFile);
      const state: SignState = text === undefined ? { height: 0n, round: 0, step: STEP.none } : parseSignState(text);
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
      writeDurably(
        stateFile,
        serializeSignState({
          height: BigInt(height),
          round,
          step: STEP.precommit,
          signature,
          signbytes: signbytes.toString('hex').toUpperCase(),
        }),
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
