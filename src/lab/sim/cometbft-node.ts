/**
 * A simulated CometBFT node's RPC server: plain HTTP on the rpc.laddr its config.toml names,
 * answering from the blocks the node holds (./chain-view.ts) in CometBFT's own JSON
 * (./cometbft-rpc.ts). GET only, as the URI handler (the JSON-RPC POST form is not served: stake's
 * observer uses the URI form, and a POST meets a 405).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { nodeIdFromNodeKey } from '../../render/node-ids.js';
import { readIfExists } from '../../files.js';
import type { ChainView } from './chain-view.js';
import { otherValidators, rpcAnswer, type RpcNode, type RpcValidator } from './cometbft-rpc.js';
import type { SimContext } from './context.js';

/** Requests larger than this are not RPC calls stake makes: refused before they are read. */
const MAX_REQUEST_BYTES = 8192;

function ownKey(ctx: SimContext): { address: string; publicKey: string } {
  const text = ctx.config.keyFile ? readIfExists(ctx.config.keyFile) : undefined;
  try {
    if (text) {
      const key = JSON.parse(text) as { address: string; pub_key: { value: string } };
      return { address: key.address.toUpperCase(), publicKey: key.pub_key.value };
    }
  } catch {
    // damaged: the node shows a key of its own, as one that generated its own would
  }
  const seed = createHash('sha256').update(`${ctx.lab.name}/${ctx.host.name}/own-validator-key`).digest();
  return {
    address: createHash('sha256').update(seed).digest('hex').slice(0, 40).toUpperCase(),
    publicKey: seed.toString('base64'),
  };
}

function nodeIdOf(ctx: SimContext): string {
  const text = ctx.config.nodeKeyFile ? readIfExists(ctx.config.nodeKeyFile) : undefined;
  try {
    if (text) return nodeIdFromNodeKey(text);
  } catch {
    // a node key it cannot read: CometBFT would not start; the p2p side has already said so
  }
  return createHash('sha256').update(`${ctx.host.name}/node-key`).digest('hex').slice(0, 40);
}

/** The validator set: the lab's identities and three other validators of the network, ten each. */
export function labValidatorSet(ctx: Pick<SimContext, 'lab'>, chainId: string): RpcValidator[] {
  const own = ctx.lab.identities.flatMap((i) =>
    i.keyAddress && i.keyPublic ? [{ identity: i.name, address: i.keyAddress, publicKey: i.keyPublic, power: 10 }] : [],
  );
  return [...own, ...otherValidators(chainId)];
}

/** The RPC server for one node; hand it the sockets accepted on the RPC port. */
export function cometbftRpcServer(ctx: SimContext, view: ChainView): Server {
  const chainId = ctx.lab.chainId ?? ctx.lab.name;
  const validators = labValidatorSet(ctx, chainId);
  const api = ctx.config.api!;
  const p2p = ctx.config.listen.find((e) => e.port !== api.port && !ctx.config.metrics.some((m) => m.port === e.port));
  const server = createServer({ maxHeaderSize: MAX_REQUEST_BYTES }, (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('Method Not Allowed\n');
      return;
    }
    const node: RpcNode = {
      chainId,
      moniker: ctx.host.name,
      nodeId: nodeIdOf(ctx),
      listenAddr: p2p ? `tcp://${p2p.host}:${p2p.port}` : '',
      rpcAddr: `tcp://${api.host}:${api.port}`,
      // read at each request: a key moved in or out changes what the node shows at its next start
      own: ownKey(ctx),
      validators,
      view,
      catchingUp: view.behind,
    };
    const answer = rpcAnswer(node, req.url ?? '/');
    res.writeHead(answer.status, { 'Content-Type': answer.status === 404 ? 'text/plain' : 'application/json' });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  });
  server.on('clientError', (_err, socket: Socket) => socket.destroy());
  // validator clients hold a connection to this port open without a request (the lab's stand-in
  // for their API link): no timeout may close it
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  return server;
}
