/**
 * The lab chain's wire protocol: JSON objects, one per line, over a Unix socket. Simulated clients
 * say hello, report how they are, and submit signatures; the chain announces every new height and
 * offers recent ones again (src/lab/chain/reoffer.ts); `lab status` asks for a summary.
 */
import { createConnection, type Socket } from 'node:net';
import type { ChainBlock } from './blocks.js';
import type { ChainSummary, Signature } from './ledger.js';

export interface ClientReport {
  host: string;
  client: string;
  pid: number;
  /** Connected peers (cosmos peers, cardano local roots, vouch's beacons, dirk's fellow signers). */
  peers: number;
  /** Configured peers. */
  peersWanted: number;
  /** Holds the identity's key (or signer access) and would sign. */
  signing: boolean;
  /** Why it is not signing a height it should, when it is not. */
  note?: string;
  at: string;
}

export type ToChain =
  | { type: 'hello'; host: string; client: string; pid: number }
  | { type: 'report'; report: ClientReport }
  | { type: 'sign'; signature: Signature }
  /** A node catching up asks for the blocks from a height on (block sync). */
  | { type: 'sync'; from: number }
  | { type: 'status' };

/**
 * A height (slot) offered for signing. `round` is CometBFT's round at that height (0 unless the
 * chain moved to a new round); `replay` marks a height the chain had offered before: what a real
 * chain's peers, a new round, a slow or halted chain, or a beacon node's old duty can put in front
 * of a signer. A signer that lost its watermark signs it again; the ledger calls that a double sign.
 */
export interface HeightOffer {
  type: 'height';
  height: number;
  round?: number;
  replay?: boolean;
}

export type FromChain =
  | HeightOffer
  /** A committed block, sent to every node as it is made and again to a node that asks (sync). */
  | { type: 'block'; block: ChainBlock }
  | { type: 'status'; summary: ChainSummary; reports: ClientReport[]; blockTimeMs: number };

/** Splits a stream into parsed lines; a malformed line is dropped, never fatal. */
export function onLines<T>(socket: Socket, handle: (message: T) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      try {
        handle(JSON.parse(line) as T);
      } catch {
        // a half-written or foreign line: skip it
      }
    }
  });
}

export const send = (socket: Socket, message: ToChain | FromChain) => {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
};

/** Asks a running chain for its summary; rejects when nothing answers within the timeout. */
export function queryChain(socketPath: string, timeoutMs = 2000): Promise<Extract<FromChain, { type: 'status' }>> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the lab chain at ${socketPath} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => send(socket, { type: 'status' }));
    onLines<FromChain>(socket, (m) => {
      if (m.type !== 'status') return;
      clearTimeout(timer);
      socket.destroy();
      resolve(m);
    });
  });
}
