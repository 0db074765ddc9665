/** The lab's record of itself (DIR/lab.json): what it made, so status can report and down can undo it. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Family } from '../inventory/clients.js';
import type { LabAddressing, LabMode } from './addressing.js';
import type { MachineRecord } from './machines.js';
import type { ProcessRecord } from './processes.js';

export interface LabHostRecord {
  name: string;
  tier: string;
  /** The folder that stands for the host's `/`. */
  root: string;
  /** Lab addresses, the one other tiers use first. */
  addresses: string[];
  sshPort: number;
  netns?: string;
  /** Process hosts: the host's own sshd, started by the lab. */
  sshd?: ProcessRecord;
  /** systemd hosts: the booted machine (its overlay, cgroups and nspawn process). */
  machine?: MachineRecord;
}

/**
 * How the lab's hosts run: `systemd`, each a Debian machine booted under systemd in its own
 * namespace (what production runs); `process`, each an sshd and a root folder on this machine.
 */
export type HostMode = 'systemd' | 'process';

/** A machine setting the lab raised, put back by `lab down` if it still holds the lab's value. */
export interface RaisedSetting {
  path: string;
  was: string;
  now: string;
}

export interface LabIdentityRecord {
  name: string;
  /** Hosts that may ever sign for it: active first, then standbys. */
  members: string[];
  /** cosmos: the `address` of its throwaway priv_validator_key.json. */
  keyAddress?: string;
  /** cosmos: its public key (base64 ed25519), as the validator set shows it. */
  keyPublic?: string;
  /** ethereum: its validator's index and public key on the lab's beacon chain. */
  validatorIndex?: number;
  validatorPubkey?: string;
  /** ethereum: the signer group and how many must sign. */
  signers?: string[];
  threshold?: number;
  /** cardano: the pool's cold verification key (hex), whose blake2b-224 is its pool id. */
  coldVerificationKey?: string;
}

export interface LabState {
  version: 1;
  name: string;
  family: Family;
  /** The inventory's chain.network: what the simulated nodes' APIs name their chain (absent in older labs). */
  chainId?: string;
  /** The original inventory (absolute path). */
  origin: string;
  mode: LabMode;
  /** Absent in labs made before systemd hosts: process. */
  hostMode?: HostMode;
  slot: number;
  createdAt: string;
  /** One height (slot) every this many milliseconds. */
  blockTimeMs: number;
  /**
   * cardano: when slot 0 began (ISO, a whole second): the network's system start. The lab chain
   * keeps a slot clock from it (slot h begins at slotZero + h × blockTimeMs), so its Ogmios can
   * give the system start and slot length a real one gives, and a block's time follows from its slot.
   */
  slotZero?: string;
  addressing: LabAddressing;
  network?: { switchNs: string; operatorLink: string; internetNs: string; namespaces: string[] };
  hosts: LabHostRecord[];
  identities: LabIdentityRecord[];
  chain: { socket: string; process?: ProcessRecord };
  /**
   * systemd hosts: the folder bound read-only into every host at VIEW_IN_HOST, holding what the
   * simulated clients read (a copy of this state) and the chain's socket.
   */
  view?: string;
  raised?: RaisedSetting[];
  /** The machine-wide claim of this lab's slot. */
  slotClaim: string;
}

export const hostModeOf = (state: Pick<LabState, 'hostMode'>): HostMode => state.hostMode ?? 'process';

export function readLabState(path: string): LabState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const state = JSON.parse(text) as LabState;
  if (state.version !== 1)
    throw new Error(`${path}: lab state version ${String(state.version)} is not one this stake knows`);
  return state;
}

/** Written to a temporary file and renamed: a crash never leaves half a record. */
export function writeLabState(path: string, state: LabState): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
}
