/**
 * Step 4, carrying slashing protection, decided per family from the files read off the hosts
 * (pure): what to write on the target so it can never sign below what the old host signed, and
 * the copy the witness keeps for a future failover whose old host is dead.
 */
import { posix } from 'node:path';
import { compareHRS, parseSignState, serializeSignState, type SignState } from '../chain/cometbft-sign-state.js';
import type { Family } from '../inventory/clients.js';
import { COMETBFT_SIGN_STATE, sealedPath, validatorKeyFiles, witnessStateDir } from '../keys/layout.js';
import { cometbftFloor, journalFloor, opcertFloor, type CarryFloor, type FloorInput } from './floor.js';

export type { CarryFloor };

export interface CarryInput {
  family: Family;
  identity: string;
  /** The old host's state files by path (after fencing; keys read from the sealed folder); empty when it is dead. */
  old: Record<string, string>;
  target: Record<string, string>;
  /** The witness's copies by their path on the witness (stateFiles(family, identity, 'witness')). */
  witness?: Record<string, string>;
  /** Host names, so a refusal names the file and where it is. */
  hosts?: { old?: string; target?: string; witness?: string };
  oldHostDead: boolean;
  /** The chain's height now, when known: a dead host's watermark is moved past it. */
  chainHead?: number;
  /** The highest height the chain showed the identity signing: the fence step's reading, the observer's now. */
  chainSigned?: number;
  /** What an earlier attempt of this failover carried (the journal), which a resumed run must not forget. */
  journal?: CarryFloor;
  /** ethereum: the remote signer group holds the protection. */
  signerGroup?: { client: string; hosts: number; threshold: number };
}

export type CarryDecision =
  | {
      ok: true;
      writes: { path: string; content: string; mode: string }[];
      witnessCopy: { path: string; content: string }[];
      summary: string;
      /** What was carried, for the journal; undefined when nothing is (ethereum). */
      floor?: CarryFloor;
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

const fmt = (s: SignState) => `${s.height}/${s.round}/${s.step}`;

/** The sources of one family's state: the old host's file, the target's, the witness's copy. */
function sources(input: CarryInput): Pick<FloorInput, 'old' | 'target' | 'witness'> {
  const { family, identity } = input;
  const [path] = stateFiles(family, identity, 'old');
  const [copy] = stateFiles(family, identity, 'witness');
  const at = (host: string | undefined, fallback: string, p: string) => `${host ?? fallback}'s ${p}`;
  const witnessText = input.witness?.[copy!] ?? (input.oldHostDead ? input.old[path!] : undefined); // a dead host's "old" may be the copy
  return {
    ...(input.oldHostDead
      ? {}
      : { old: { what: at(input.hosts?.old, 'the old host', path!), text: input.old[path!] } }),
    target: { what: at(input.hosts?.target, 'the target', path!), text: input.target[path!] },
    witness: { what: at(input.hosts?.witness, 'the witness', copy!), text: witnessText },
  };
}

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
  const floorInput: FloorInput = {
    ...sources(input),
    ...(input.chainSigned !== undefined ? { chainSigned: input.chainSigned } : {}),
    ...(input.oldHostDead && input.chainHead !== undefined ? { chainHead: input.chainHead } : {}),
    ...(input.journal ? { journal: input.journal } : {}),
  };
  const [copyPath] = stateFiles(family, identity, 'witness');
  const [path] = stateFiles(family, identity, 'old');
  const copyText = floorInput.witness?.text;
  if (family === 'cosmos') {
    const verdict = cometbftFloor(floorInput);
    if (!verdict.ok) return verdict;
    const content = serializeSignState(verdict.floor);
    // a file that already stands for the floor (same height/round/step) is left as it is
    const at = (text: string | undefined) => {
      try {
        return text !== undefined && compareHRS(parseSignState(text), verdict.floor) === 0;
      } catch {
        return false;
      }
    };
    const targetAt = at(input.target[path!]);
    return {
      ok: true,
      writes: targetAt ? [] : [{ path: path!, content, mode: '0600' }],
      witnessCopy: at(copyText) ? [] : [{ path: copyPath!, content }],
      summary: `watermark ${fmt(verdict.floor)} (height/round/step; the highest of: ${verdict.seen.join(', ') || 'none'})${verdict.notes.length ? `; ${verdict.notes.join('; ')}` : ''}`,
      floor: journalFloor(verdict.floor),
    };
  }
  // cardano: the certificate itself moves with the keys; its counter must not go back.
  const verdict = opcertFloor(floorInput);
  if (!verdict.ok) return verdict;
  const cert = input.target[path!]!;
  return {
    ok: true,
    writes: [],
    witnessCopy: copyText === cert ? [] : [{ path: copyPath!, content: cert }],
    summary: `operational certificate counter ${verdict.floor.counter} (${verdict.seen.length ? verdict.seen.join(', ') : `${where} unknown`}), KES period ${verdict.floor.kesPeriod}${verdict.notes.length ? `; ${verdict.notes.join('; ')}` : ''}`,
    floor: { counter: verdict.floor.counter },
  };
}
