/**
 * The signer tier of a cosmos identity in `stake status` (docs/signers.md): for each tmkms host,
 * whether it runs, which validator it serves and its watermark. Which validator is told by the
 * serving config's digest on the host against the rendered serve-<validator> files: nothing the
 * host sends is taken as a name. Pure.
 */
import { parseTmkmsState } from '../chain/remote-signer-state.js';
import { validatorHostsOf, type ResolvedIdentity } from '../inventory/resolve.js';
import { servePath, TMKMS_SERVING, tmkmsStatePath } from '../render/clients/cosmos-signer.js';
import { sha256 } from '../render/host.js';
import { isAnswer, type StatusInput } from './report.js';

export interface SignerStatus {
  host: string;
  /** running, stopped, or unreachable. */
  state: 'running' | 'stopped' | 'unreachable';
  /** The validator its serving config names; `none` without one; `unknown` for one stake did not render. */
  serves?: string;
  /** Its watermark (height/round/step, CometBFT's steps), or why it is not known. */
  watermark?: string;
  height?: number;
}

/** Heights the watermark may trail the chain's last signature (read a moment apart) before it is an alarm. */
const WATERMARK_SLACK = 10;

/** The files a status probe reads on a signer host: its watermark. */
export const signerProbeFiles = (id: ResolvedIdentity, chainId: string): string[] =>
  id.signer?.client === 'tmkms' ? [tmkmsStatePath(chainId)] : [];

export function signerTier(
  input: StatusInput,
  id: ResolvedIdentity,
  live: string | undefined,
  lastSigned: number | undefined,
): { signers: SignerStatus[]; alarms: string[] } {
  const alarms: string[] = [];
  if (input.inv.family !== 'cosmos' || id.signer?.client !== 'tmkms') return { signers: [], alarms };
  const stateFile = tmkmsStatePath(input.inv.chain.network);
  const signers = id.signer.hosts.map((h): SignerStatus => {
    const a = input.answers.get(h.name);
    if (!isAnswer(a)) {
      alarms.push(`signer ${h.name} is unreachable: ${id.name} signs only while it is up`);
      return { host: h.name, state: 'unreachable' };
    }
    const state = a.facts.services.tmkms === 'active' ? 'running' : 'stopped';
    if (state === 'stopped') alarms.push(`signer ${h.name} is not running tmkms: ${id.name} cannot sign`);
    const render = input.renders.get(h.name);
    const serving = a.facts.files[TMKMS_SERVING];
    const serves = !serving
      ? 'none'
      : (validatorHostsOf(id).find((v) => {
          const file = render?.files.find((f) => f.path === servePath('tmkms', v.name));
          return file && sha256(file.content) === serving.sha256;
        })?.name ?? 'unknown');
    if (live && serves !== live && serves !== 'none')
      alarms.push(
        `signer ${h.name} serves ${serves === 'unknown' ? 'a validator stake did not render' : serves}, but ${live} is the live active host: its signer must serve ${live} alone`,
      );
    const text = a.probes[id.name]?.files[stateFile];
    let watermark: string | undefined;
    let height: number | undefined;
    if (text === undefined) watermark = 'none';
    else
      try {
        const w = parseTmkmsState(text, stateFile);
        height = Number(w.height);
        watermark = `${w.height}/${w.round}/${w.step}`;
        // a tmkms that lost its state starts from 0 and signs anything above it (the slack: the
        // chain and the file are read a moment apart)
        if (lastSigned !== undefined && height + WATERMARK_SLACK < lastSigned)
          alarms.push(
            `signer ${h.name}'s watermark ${watermark} is below the chain's last signature of ${id.name} (${lastSigned}): a tmkms that lost its state signs anything above it; stop it and restore the state`,
          );
      } catch (err) {
        watermark = 'unreadable';
        alarms.push(`signer ${h.name}'s state file is unreadable: ${(err as Error).message.slice(0, 200)}`);
      }
    return {
      host: h.name,
      state,
      serves,
      ...(watermark ? { watermark } : {}),
      ...(height !== undefined ? { height } : {}),
    };
  });
  return { signers, alarms };
}
