/**
 * Step 4, carrying slashing protection, decided per family from the files read off the hosts
 * (pure): what to write on the target so it can never sign below what the old host signed, and
 * the copy the witness keeps for a future failover whose old host is dead.
 */
import { posix } from 'node:path';
import { parseOpcert } from '../chain/cardano-opcert.js';
import {
  mergeSignStates,
  parseSignState,
  serializeSignState,
  STEP,
  type SignState,
} from '../chain/cometbft-sign-state.js';
import type { Family } from '../inventory/clients.js';
import { COMETBFT_SIGN_STATE, sealedPath, validatorKeyFiles, witnessStateDir } from '../keys/layout.js';

export interface CarryInput {
  family: Family;
  identity: string;
  /** The old host's state files by path (after fencing; keys read from the sealed folder), or the witness's copies when it is dead. */
  old: Record<string, string>;
  target: Record<string, string>;
  oldHostDead: boolean;
  /** The chain's height now, when known: a dead host's watermark is moved past it. */
  chainHead?: number;
  /** ethereum: the remote signer group holds the protection. */
  signerGroup?: { client: string; hosts: number; threshold: number };
}

export type CarryDecision =
  | {
      ok: true;
      writes: { path: string; content: string; mode: string }[];
      witnessCopy: { path: string; content: string }[];
      summary: string;
    }
  | { ok: false; why: string; hint: string };

const opcertPath = (identity: string) =>
  sealedPath(
    identity,
    validatorKeyFiles('cardano').find((k) => k.name === 'node.cert')!,
  );

/** The files each side's state is read from (paths under the host's root); for the witness, its copies' paths. */
export function stateFiles(family: Family, identity: string, side: 'old' | 'target' | 'witness'): string[] {
  if (side === 'witness')
    return family === 'ethereum'
      ? []
      : [posix.join(witnessStateDir(identity), family === 'cosmos' ? 'priv_validator_state.json' : 'node.cert')];
  if (family === 'cosmos') return [COMETBFT_SIGN_STATE];
  if (family === 'cardano') return [opcertPath(identity)];
  return [];
}

/** The witness copies keyed by the path the old host would have had them at. */
export function witnessAsOld(
  family: Family,
  identity: string,
  witness: Record<string, string>,
): Record<string, string> {
  const [from] = stateFiles(family, identity, 'witness');
  const [to] = stateFiles(family, identity, 'old');
  return from && to && witness[from] !== undefined ? { [to]: witness[from]! } : {};
}

const fmt = (s: SignState) => `${s.height}/${s.round}/${s.step}`;

export function decideCarry(input: CarryInput): CarryDecision {
  const { family, identity } = input;
  if (family === 'ethereum') {
    if (input.signerGroup) {
      return {
        ok: true,
        writes: [],
        witnessCopy: [],
        summary: `slashing protection stays with the ${input.signerGroup.client} signers (${input.signerGroup.threshold} of ${input.signerGroup.hosts}), which refuse a slashable signature from any validator client; nothing to move`,
      };
    }
    return {
      ok: false,
      why: `${identity} signs with keys held by its validator client: stake cannot carry its slashing protection yet`,
      hint: "export the old client's EIP-3076 interchange, stake protection merge it with the target's, import it there, then move the keys by hand",
    };
  }
  const where = input.oldHostDead ? "the witness's last copy" : 'the old host';
  if (family === 'cosmos') {
    const path = COMETBFT_SIGN_STATE;
    let old: SignState | undefined;
    let target: SignState | undefined;
    try {
      if (input.old[path] !== undefined) old = parseSignState(input.old[path]!);
      if (input.target[path] !== undefined) target = parseSignState(input.target[path]!);
    } catch (err) {
      return {
        ok: false,
        why: `a priv_validator_state.json cannot be read: ${(err as Error).message}`,
        hint: 'repair the file from a backup; never start a signer from a guessed watermark',
      };
    }
    if (!old && input.oldHostDead && input.chainHead === undefined)
      return {
        ok: false,
        why: `the witness holds no copy of ${identity}'s priv_validator_state.json, and the chain head is unknown, so the watermark the dead host reached is unknown`,
        hint: "recover the file from the dead host's disk, or run stake status while the active host is up so the witness keeps a copy",
      };
    const zero: SignState = { height: 0n, round: 0, step: STEP.none };
    let merged = mergeSignStates(old ?? zero, target ?? zero);
    if (input.oldHostDead && input.chainHead !== undefined && merged.height < BigInt(input.chainHead)) {
      // The dead host may have signed up to the head: nothing at or below it may be signed again.
      merged = { height: BigInt(input.chainHead), round: 0, step: STEP.precommit };
    }
    const content = serializeSignState(merged);
    const writes = target && content === serializeSignState(target) ? [] : [{ path, content, mode: '0600' }];
    return {
      ok: true,
      writes,
      witnessCopy: [{ path: stateFiles(family, identity, 'witness')[0]!, content }],
      summary: `watermark ${fmt(merged)} (height/round/step; ${where} ${old ? fmt(old) : 'none'}, target ${target ? fmt(target) : 'none'}${input.oldHostDead && input.chainHead !== undefined ? `, chain head ${input.chainHead}` : ''})`,
    };
  }
  // cardano: the certificate itself moves with the keys; its counter must not go back.
  const path = opcertPath(identity);
  try {
    const target = input.target[path] !== undefined ? parseOpcert(input.target[path]!) : undefined;
    const old = input.old[path] !== undefined ? parseOpcert(input.old[path]!) : undefined;
    if (!target)
      return {
        ok: false,
        why: `the target holds no sealed operational certificate for ${identity}`,
        hint: `push the keys to it: stake keys push ${identity} --dir EXPORT`,
      };
    if (old && target.counter < old.counter) {
      return {
        ok: false,
        why: `the target's operational certificate has issue counter ${target.counter}, below the ${old.counter} of ${where}: the chain would reject its blocks`,
        hint: `issue a new operational certificate with counter ${old.counter} or more (offline, with the cold key), push it with stake keys push, and plan again`,
      };
    }
    return {
      ok: true,
      writes: [],
      witnessCopy: [{ path: stateFiles(family, identity, 'witness')[0]!, content: input.target[path]! }],
      summary: `operational certificate counter ${target.counter} (${where} ${old ? old.counter : 'unknown'}), KES period ${target.kesPeriod}`,
    };
  } catch (err) {
    return {
      ok: false,
      why: `an operational certificate cannot be read: ${(err as Error).message}`,
      hint: 'push a valid node.cert with stake keys push',
    };
  }
}
