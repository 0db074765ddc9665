/**
 * A simulated beacon node's Beacon API server: plain HTTP on its configured API port, answering
 * from the blocks the node holds (./chain-view.ts) in the Beacon API's shapes (./beacon-api.ts).
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { beaconAnswer, labBeaconValidators, type BeaconNode } from './beacon-api.js';
import type { ChainView } from './chain-view.js';
import type { SimContext } from './context.js';

/** A request body larger than this is no request stake's observer makes. */
const MAX_BODY_BYTES = 64 * 1024;

export function beaconApiServer(ctx: SimContext, view: ChainView): Server {
  const node: BeaconNode = { view, validators: labBeaconValidators(ctx.lab.identities), slotMs: ctx.lab.blockTimeMs };
  const server = createServer({ maxHeaderSize: 8192 }, (req, res) => {
    let body = '';
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'Content-Type': 'application/json' }).end('{"code":413,"message":"PAYLOAD_TOO_LARGE"}');
        req.destroy();
      } else body += chunk.toString('utf8');
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const answer = beaconAnswer(node, req.method ?? 'GET', req.url ?? '/', body);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
    });
  });
  server.on('clientError', (_err, socket: Socket) => socket.destroy());
  // validator clients hold a connection to this port open without a request (the lab's stand-in
  // for their API link): no timeout may close it
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  return server;
}
