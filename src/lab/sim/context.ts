/** What every simulated client's behaviour gets: its host, its config, its peers and the chain. */
import type { Socket } from 'node:net';
import type { Signature } from '../chain/ledger.js';
import type { LabHostRecord, LabState } from '../state.js';
import type { Endpoint, SimConfig } from './config.js';

export interface SimContext {
  lab: LabState;
  host: LabHostRecord;
  config: SimConfig;
  /** Peers connected now. */
  peersUp(): number;
  submit(signature: Omit<Signature, 'at'>): void;
  log(message: string): void;
  /** host#pid: tells two signing processes apart. */
  signer: string;
  /** Drops the chain connection and connects again (the chain then offers the recent heights again). */
  rejoin(): void;
}

export interface HeightOutcome {
  /** Holds the key (or signer access) and would sign. */
  signing: boolean;
  note?: string;
}

/** A height offered by the chain: new, at a new round (cosmos), or offered again (`replay`). */
export interface Offer {
  height: number;
  round: number;
  replay: boolean;
}

export interface Behaviour {
  onHeight(offer: Offer): Promise<HeightOutcome> | HeightOutcome;
  /** An inbound connection on one of its listeners (dirk's signing API answers on it). */
  onConnection?(endpoint: Endpoint, socket: Socket): void;
  stop?(): void;
}

export const idle: Behaviour = { onHeight: () => ({ signing: false }) };
