/** The lab's record of itself (DIR/lab.json): what it made, so status can report and down can undo it. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Family } from '../inventory/clients.js';
import type { LabAddressing, LabMode } from './addressing.js';
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
  sshd?: ProcessRecord;
}

export interface LabIdentityRecord {
  name: string;
  /** Hosts that may ever sign for it: active first, then standbys. */
  members: string[];
  /** cosmos: the `address` of its throwaway priv_validator_key.json. */
  keyAddress?: string;
  /** ethereum: the signer group and how many must sign. */
  signers?: string[];
  threshold?: number;
}

export interface LabState {
  version: 1;
  name: string;
  family: Family;
  /** The original inventory (absolute path). */
  origin: string;
  mode: LabMode;
  slot: number;
  createdAt: string;
  /** One height (slot) every this many milliseconds. */
  blockTimeMs: number;
  addressing: LabAddressing;
  network?: { switchNs: string; operatorLink: string; internetNs: string; namespaces: string[] };
  hosts: LabHostRecord[];
  identities: LabIdentityRecord[];
  chain: { socket: string; process?: ProcessRecord };
  /** The machine-wide claim of this lab's slot. */
  slotClaim: string;
}

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
