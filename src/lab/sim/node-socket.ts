/**
 * The simulated cardano-node's local socket (`--socket-path`): where a local client, the lab's
 * Ogmios, learns the node's chain. A real node speaks the node-to-client mini-protocols there; the
 * lab's stands in with one request, newline-delimited JSON: `{"from":N}` answered by the node's
 * head and the blocks it holds from N on (at most BLOCKS_PER_ANSWER; from 0, its newest). What crosses is only what
 * the node holds, so an Ogmios in front of a cut-off relay is as behind as its node. Ogmios
 * connects as the node's user: the socket is made under the node's UMask (0077 in its unit).
 */
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { ChainBlock } from '../chain/blocks.js';
import { onLines } from '../chain/protocol.js';
import type { ChainView } from './chain-view.js';

export const BLOCKS_PER_ANSWER = 200;

export interface NodeAnswer {
  head: number;
  /** The node has seen blocks above its head that it cannot join yet. */
  behind: boolean;
  blocks: ChainBlock[];
}

/** The node's side: answers every `{"from":N}` from its view; `close` ends its clients' connections too, as the node's exit does. */
export function serveNodeSocket(path: string, view: ChainView): { close: () => void } {
  rmSync(path, { force: true }); // a socket file left by the process before: cardano-node replaces it too
  const clients = new Set<Socket>();
  const server: Server = createServer((socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    onLines<{ from?: unknown }>(socket, (request) => {
      // from 0 (a client that holds nothing yet): the newest blocks, as chain-sync from the tip
      const asked = Number.isSafeInteger(request.from) && (request.from as number) > 0 ? (request.from as number) : 0;
      const from = Math.max(view.base, asked || view.head - BLOCKS_PER_ANSWER + 1);
      const blocks: ChainBlock[] = [];
      for (let h = from; h <= view.head && blocks.length < BLOCKS_PER_ANSWER; h++) {
        const b = view.get(h);
        if (b) blocks.push(b);
      }
      const answer: NodeAnswer = { head: view.head, behind: view.behind, blocks };
      socket.write(`${JSON.stringify(answer)}\n`);
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(path);
  return {
    close: () => {
      server.close();
      for (const c of clients) c.destroy();
    },
  };
}

/** Ogmios's side: one connection to the node, asked in turn; `undefined` from `ask` when the node is gone. */
export class NodeLink {
  private socket: Socket | undefined;
  private waiting: ((answer: NodeAnswer | undefined) => void)[] = [];

  constructor(private readonly path: string) {}

  private connect(): Promise<Socket | undefined> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve) => {
      const socket = createConnection(this.path);
      socket.once('connect', () => {
        this.socket = socket;
        resolve(socket);
      });
      socket.once('error', () => resolve(undefined));
      onLines<NodeAnswer>(socket, (answer) => this.waiting.shift()?.(answer));
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        for (const w of this.waiting.splice(0)) w(undefined);
      });
    });
  }

  async ask(from: number, timeoutMs = 2000): Promise<NodeAnswer | undefined> {
    const socket = await this.connect();
    if (!socket) return undefined;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy(); // an answer this late is a node that is not there
      }, timeoutMs);
      this.waiting.push((answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      socket.write(`${JSON.stringify({ from })}\n`);
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}
