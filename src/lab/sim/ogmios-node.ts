/**
 * The lab's Ogmios on a cardano relay: HTTP on its --host:--port, answering from what its node
 * holds, learnt over the node's local socket (./node-socket.ts) as the real Ogmios follows its
 * node's tip. `GET /health` as Ogmios's (500 while it has no node), `POST /` for the stateless
 * queries (./ogmios-api.ts), anything else 404; and WebSocket on the same port for chain-sync
 * (`findIntersection`, `nextBlock`, each connection its own cursor, a `nextBlock` at the tip
 * answered when the next block comes). With its node stopped it is disconnected and answers no
 * query (HTTP 500; a WebSocket closed with -32000), as the real one, whose queries go through the node.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { LabState } from '../state.js';
import { ChainView } from './chain-view.js';
import { NodeLink } from './node-socket.js';
import { WebSocketServer } from 'ws';
import {
  chainSyncAnswer,
  healthAnswer,
  newCursor,
  ogmiosHttpAnswer,
  type OgmiosNode,
  type OgmiosPool,
} from './ogmios-api.js';

const MAX_BODY_BYTES = 64 * 1024;
/** How often it asks its node for new blocks: twice a slot, as a chain-sync client following the tip. */
const followMs = (slotMs: number) => Math.max(50, Math.floor(slotMs / 2));

/** The lab's pools as Ogmios names their blocks' issuers: each identity's cold key (lab up recorded it). */
export function labPools(lab: Pick<LabState, 'identities'>): OgmiosPool[] {
  return lab.identities
    .filter((i) => i.coldVerificationKey)
    .map((i) => ({ identity: i.name, verificationKey: i.coldVerificationKey!, opcertCount: 0, kesPeriod: 0 }));
}

export interface OgmiosServer {
  server: Server;
  stop: () => void;
}

export function ogmiosServer(lab: LabState, socketPath: string, network: string | null): OgmiosServer {
  const node: OgmiosNode = {
    view: new ChainView(),
    pools: labPools(lab),
    ...(lab.slotZero ? { systemStart: lab.slotZero, slotMs: lab.blockTimeMs } : {}),
  };
  const link = new NodeLink(socketPath);
  const startTime = new Date().toISOString();
  let connected = false;
  let lastTipUpdate: string | null = null;
  let totalConnections = 0;

  let following = true;
  const follow = async () => {
    while (following) {
      const answer = await link.ask(node.view.head > 0 ? node.view.head + 1 : 0);
      connected = answer !== undefined;
      const before = node.view.head;
      // a node that holds nothing below what it sends (it pruned, or began again) leaves a gap
      // Ogmios cannot join: it follows the node's chain from there, as chain-sync finds a new intersection
      const first = answer?.blocks[0]?.height;
      if (first !== undefined && before > 0 && first > before + 1) node.view = new ChainView();
      for (const block of answer?.blocks ?? []) node.view.add(block);
      if (node.view.head !== before) lastTipUpdate = new Date().toISOString();
      // more to fetch: ask again at once, else at the follow pace
      if (!answer || answer.blocks.length === 0 || node.view.head >= answer.head)
        await new Promise((r) => setTimeout(r, followMs(lab.blockTimeMs)));
    }
  };
  void follow();

  const server = createServer({ maxHeaderSize: 8192 }, (req, res) => {
    totalConnections++;
    let body = '';
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.destroy();
      } else body += chunk.toString('utf8');
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const path = (req.url ?? '/').split('?')[0];
      let answer: { status: number; body: string };
      if (req.method === 'GET' && path === '/health') {
        const made = node.view.get(node.view.head)?.time;
        answer = healthAnswer(node, {
          connected,
          startTime,
          lastTipUpdate,
          tipAgeMs: made ? Date.now() - Date.parse(made) : undefined,
          slotMs: lab.blockTimeMs,
          network,
          totalConnections,
        });
      } else if (req.method === 'POST' && path === '/') {
        // without its node the real one closes the WebSocket it proxies the POST through with
        // -32000 "Connection with the node lost or failed." (WebSocket.hs onIOException), and the
        // POST ends in an HTTP 500 (the lab's body: those words; the real one's is its web
        // framework's)
        answer = connected
          ? ogmiosHttpAnswer(node, body)
          : { status: 500, body: 'Connection with the node lost or failed.' };
      } else answer = { status: 404, body: '' };
      res
        .writeHead(
          answer.status,
          answer.body
            ? { 'Content-Type': answer.body.startsWith('{') ? 'application/json;charset=utf-8' : 'text/plain' }
            : {},
        )
        .end(answer.body);
    });
  });
  server.on('clientError', (_err, socket: Socket) => socket.destroy());

  // WebSocket on the same port: chain-sync, one cursor per connection, answers in order
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (req, socket, head) => {
    totalConnections++;
    sockets.handleUpgrade(req, socket, head, (ws) => {
      if (!connected) {
        // WebSocket.hs onIOException: the node could not be reached
        ws.close(
          1011,
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32000, message: 'Connection with the node lost or failed.' },
          }),
        );
        return;
      }
      const cursor = newCursor();
      let turn: Promise<void> = Promise.resolve();
      ws.on('message', (data) => {
        const text = data.toString();
        turn = turn.then(async () => {
          for (;;) {
            const answer = chainSyncAnswer(node, cursor, text);
            if (answer !== 'wait') {
              if (ws.readyState === ws.OPEN) ws.send(answer);
              return;
            }
            if (ws.readyState !== ws.OPEN || !following) return;
            await new Promise((r) => setTimeout(r, followMs(lab.blockTimeMs)));
          }
        });
      });
    });
  });
  return {
    server,
    stop: () => {
      following = false;
      link.close();
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.close();
    },
  };
}
