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
import type { ChainBlock } from '../chain/blocks.js';
import type { Behaviour, HeightOutcome, Offer, SimContext } from './context.js';
import type { RemoteSigner } from './remote-signer.js';
import { readIfExists, writeDurably } from '../../files.js';

interface PrivValidatorKey {
  address: string;
  pub_key: { value: string };
  priv_key: { value: string };
}

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * The address CometBFT signs under, from the key file: derived from the private key, as
 * loadFilePV overwrites the file's pub_key and address with the private key's (privval/file.go,
 * v0.38.17), so the file's "address" field is not believed. A file that is not JSON ends the
 * start with CometBFT's words; one without an ed25519 private key panics (its PrivKey is nil).
 */
export function privValidatorAddress(text: string): { address: string; error?: undefined } | { error: string } {
  let key: { priv_key?: { type?: unknown; value?: unknown } };
  try {
    key = JSON.parse(text) as typeof key;
  } catch (err) {
    return { error: `Error reading PrivValidator key from {file}: ${(err as Error).message}` };
  }
  const raw = typeof key?.priv_key?.value === 'string' ? Buffer.from(key.priv_key.value, 'base64') : undefined;
  if (key?.priv_key?.type !== 'tendermint/PrivKeyEd25519' || raw?.length !== 64)
    return { error: 'panic: runtime error: invalid memory address or nil pointer dereference' };
  // an ed25519 private key of 64 bytes: the seed, then the public key
  const address = createHash('sha256').update(raw.subarray(32)).digest().subarray(0, 20).toString('hex').toUpperCase();
  return { address };
}

/**
 * What CometBFT says when it will not start (privval/file.go `loadFilePV`, v0.38.25): a key file
 * present whose state file is missing or unreadable ends the process (cmtos.Exit, status 1).
 * Without a key file the real node generates one (LoadOrGenFilePV, node/setup.go), and so does
 * the lab's (main.ts, before this check): a key no validator has, which signs nothing.
 */
export function cometbftStartError(keyFile: string | undefined, stateFile: string | undefined): string | undefined {
  if (!keyFile || !stateFile) return undefined;
  const keyText = readIfExists(keyFile);
  if (keyText === undefined) return undefined;
  const key = privValidatorAddress(keyText);
  if (key.error) return key.error.replace('{file}', keyFile);
  const text = readIfExists(stateFile);
  if (text === undefined) return `open ${stateFile}: no such file or directory`;
  try {
    parseSignState(text);
    return undefined;
  } catch (err) {
    return `Error reading PrivValidator state from ${stateFile}: ${(err as Error).message}`;
  }
}

/**
 * CometBFT's look-back before it joins consensus (consensus/state.go `checkDoubleSigningRisk`,
 * v0.38.17): at height H (its last block + 1) it reads the commits it holds for H-1 down to
 * H-(n-1) (n is consensus.double_sign_check_height, capped at H), and a commit signature of its
 * own key there ends the start with ErrSignatureFoundInPastBlocks. Returns that height. Pure.
 */
export function signatureInPastBlocks(
  blockAt: (height: number) => Pick<ChainBlock, 'signed'> | undefined,
  identity: string,
  height: number,
  n: number,
): number | undefined {
  if (n <= 0 || height <= 0) return undefined;
  const depth = Math.min(n, height);
  for (let i = 1; i < depth; i++) {
    const block = blockAt(height - i);
    if (block?.signed.some((s) => s.identity === identity)) return height - i;
  }
  return undefined;
}

/**
 * The block a validator votes for at a height and round: the one its host saw proposed. Two
 * validators served by one signer may see different ones (a late proposal, a nil vote), which is
 * what makes serving two of them dangerous; the signer's watermark refuses the second.
 */
export const blockIdOf = (ctx: Pick<SimContext, 'lab' | 'host'>, height: number, round: number) =>
  createHash('sha256')
    .update(`${ctx.lab.name}/${ctx.host.name}/${height}/${round}`)
    .digest('hex')
    .slice(0, 40)
    .toUpperCase();

/** What CometBFT prints when the look-back finds its key (ErrSignatureFoundInPastBlocks, in SwitchToConsensus's panic). */
export const SIGNATURE_FOUND = 'found signature from the same key';

/** The blocks the node holds, and whether it has caught up with the chain (block sync done). */
export interface HeldBlocks {
  head: number;
  behind: boolean;
  get(height: number): ChainBlock | undefined;
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

export interface ValidatorOptions {
  /** The blocks the node holds: the look-back reads them. */
  view: HeldBlocks;
  /** consensus.double_sign_check_height as config.toml says it now (read again at each start). */
  checkHeight: () => number;
  /** A start refused by the look-back ends the process, as CometBFT's panic does (exit status 2). */
  refuseStart: (message: string) => void;
  /**
   * With priv_validator_laddr set: the remote signer (tmkms, horcrux) that dialed in. The node
   * then holds no key: it signs through the signer, which keeps the watermark (./remote-signer.ts).
   */
  remote?: RemoteSigner;
}

export function cometbftValidator(ctx: SimContext, options: ValidatorOptions): Behaviour {
  const { keyFile, stateFile } = ctx.config;
  const { view } = options;
  // the key and the watermark as loaded at start (CometBFT reads both only then)
  let loadedKey = keyFile ? readIfExists(keyFile) : undefined;
  let known: SignState | undefined = loadedKey && stateFile ? readState(stateFile) : undefined;
  // CometBFT joins consensus once block sync has caught up, after the look-back; until then it signs nothing
  let joined = false;
  // the process's own start (a refused look-back ends it) or a key that appeared under it (taken as a start)
  let processStart = true;
  let checkHeight = ctx.config.doubleSignCheckHeight ?? 0;
  // the chain's height as its new offers show it: block sync is done when the node holds the one below
  let tip = 0;
  /**
   * The look-back for a height offered again: the lab offers old heights as a chain slower than the
   * failover would still be at them, so a node at that height would hold the blocks below it only,
   * and CometBFT's look-back from there is what decides whether it would have joined at all.
   */
  const refusedAt = (identity: string, offer: Offer): number | undefined =>
    offer.height <= view.head
      ? signatureInPastBlocks((h) => view.get(h), identity, offer.height, checkHeight)
      : undefined;
  /** Joins consensus as CometBFT does: block sync first, then the look-back; undefined once joined. */
  const join = (identity: string): HeightOutcome | undefined => {
    if (joined) return undefined;
    // block sync first: CometBFT switches to consensus once it holds the chain up to its peers'
    // head (blocksync/pool.go IsCaughtUp), which only a new height shows, not one offered again
    if (tip === 0 || view.behind || view.head < tip - 1)
      return { signing: true, note: 'catching up (block sync) before joining consensus' };
    checkHeight = options.checkHeight();
    const found = signatureInPastBlocks((h) => view.get(h), identity, view.head + 1, checkHeight);
    if (found !== undefined) {
      const why = `${SIGNATURE_FOUND} at height ${found} (double_sign_check_height ${checkHeight}, joining at ${view.head + 1})`;
      if (processStart) options.refuseStart(why);
      // a key that appeared under a running node: the start it stands for is refused, and tried
      // again at the next height, as systemd's restarts would
      return { signing: false, note: `with this key CometBFT would not start: ${why}` };
    }
    joined = true;
    ctx.log(`joined consensus at height ${view.head + 1} (look-back of ${checkHeight} heights clear)`);
    return undefined;
  };
  const lookedBackAt = (identity: string, offer: Offer): HeightOutcome | undefined => {
    const lookedBack = offer.replay ? refusedAt(identity, offer) : undefined;
    return lookedBack === undefined
      ? undefined
      : {
          signing: true,
          note: `not signing ${offer.height}: a node at that height would not have joined consensus (${SIGNATURE_FOUND} at height ${lookedBack})`,
        };
  };
  const { remote } = options;
  return {
    async onHeight(offer) {
      const { height, round } = offer;
      if (!offer.replay) tip = Math.max(tip, height);
      if (remote) {
        const address = remote.address();
        if (!address) return { signing: false, note: 'no remote signer connected: not signing' };
        const identity = ctx.lab.identities.find((i) => i.keyAddress === address);
        if (!identity)
          return { signing: false, note: `the signer's key ${address} belongs to no identity of this lab` };
        if (ctx.peersUp() === 0) return { signing: true, note: 'no peer connected: cannot see the chain, not signing' };
        const waiting = join(identity.name) ?? lookedBackAt(identity.name, offer);
        if (waiting) return waiting;
        const answer = await remote.sign(height, round, STEP.precommit, blockIdOf(ctx, height, round));
        if (answer.type !== 'signed')
          return { signing: true, note: `the remote signer did not sign ${height}/${round}: ${answer.why}` };
        ctx.submit({
          identity: identity.name,
          height,
          ...(round > 0 ? { round } : {}),
          host: ctx.host.name,
          // the vote itself tells signers apart: the same vote twice is a retry, another is a double sign
          signer: `${answer.signer}:${answer.signature.slice(0, 16)}`,
          kind: 'precommit',
        });
        return { signing: true };
      }
      const keyText = keyFile ? readIfExists(keyFile) : undefined;
      if (!keyText || !stateFile) {
        loadedKey = undefined;
        known = undefined;
        joined = false;
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
        joined = false;
        processStart = false;
        ctx.rejoin();
        return { signing: true, note: 'a key appeared: loaded as at a start, meeting the chain again' };
      }
      const key = JSON.parse(keyText) as PrivValidatorKey;
      const derived = privValidatorAddress(keyText);
      if (derived.error !== undefined)
        return { signing: false, note: `CometBFT could not load this key: ${derived.error}` };
      const identity = ctx.lab.identities.find((i) => i.keyAddress === derived.address);
      if (!identity) return { signing: false, note: `key ${derived.address} belongs to no identity of this lab` };
      if (ctx.peersUp() === 0) return { signing: true, note: 'no peer connected: cannot see the chain, not signing' };

      const waiting = join(identity.name) ?? lookedBackAt(identity.name, offer);
      if (waiting) return waiting;

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
