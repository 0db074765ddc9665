/**
 * A simulated CometBFT validator's side of the privval link (./privval.ts): it listens on
 * priv_validator_laddr and serves one signer connection at a time, as CometBFT's
 * SignerListenerEndpoint does (it accepts again only once the connection is lost). At start it
 * asks the signer for its key and waits at most 3 s (privval/socket_listeners.go
 * defaultTimeoutAcceptSeconds, v0.38.17) for one to connect; without one CometBFT does not start
 * (node/node.go), which is why only the live validator listens. A request unanswered in 5 s
 * (defaultTimeoutReadWriteSeconds) is lost with its connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { onPrivvalLines, sendPrivval, type PrivvalRequest } from './privval.js';

/** What CometBFT prints, and exits 1 with, when no signer connects at its start. */
export const NO_SIGNER_AT_START =
  "ERROR: failed to create node: error with private validator socket client: can't get pubkey: endpoint connection timed out";

export const ACCEPT_TIMEOUT_MS = 3000;
const READ_WRITE_TIMEOUT_MS = 5000;

export type SignAnswer = { type: 'signed'; signature: string; signer: string } | { type: 'failed'; why: string };

export interface RemoteSigner {
  /** The signer's key address (from its pubkey answer); undefined while none is connected. */
  address(): string | undefined;
  sign(height: number, round: number, step: number, block: string | null): Promise<SignAnswer>;
  close(): void;
}

/**
 * Listens for the signer. Resolves once a signer answered the pubkey request, or rejects with
 * CometBFT's words after the accept timeout.
 */
export function listenForSigner(
  endpoint: { host: string; port: number },
  chainId: string,
  log: (line: string) => void,
): Promise<RemoteSigner> {
  let current: { socket: Socket; address?: string; peer: string } | undefined;
  let pending: { resolve: (m: Record<string, unknown> | undefined) => void } | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let server: Server;

  const ask = (request: PrivvalRequest): Promise<Record<string, unknown> | undefined> =>
    new Promise((resolve) => {
      const conn = current;
      if (!conn) return resolve(undefined);
      const timer = setTimeout(() => {
        log(`SignerListener: request timed out (${READ_WRITE_TIMEOUT_MS} ms): dropping the connection`);
        conn.socket.destroy();
      }, READ_WRITE_TIMEOUT_MS);
      pending = {
        resolve: (m) => {
          clearTimeout(timer);
          pending = undefined;
          resolve(m);
        },
      };
      sendPrivval(conn.socket, request);
    });
  /** One request at a time on the connection, as CometBFT's SignerClient sends them. */
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = queue.then(f, f);
    queue = next.catch(() => undefined);
    return next;
  };

  return new Promise((resolve, reject) => {
    let started = false;
    const signer: RemoteSigner = {
      address: () => current?.address,
      async sign(height, round, step, block) {
        return serial(async () => {
          const reply = await ask({ type: 'sign', chainId, height: String(height), round, step, block });
          if (!reply) return { type: 'failed', why: 'no signer connected' } as const;
          if (reply.type === 'signed' && typeof reply.signature === 'string')
            return { type: 'signed', signature: reply.signature, signer: current?.peer ?? 'signer' } as const;
          return {
            type: 'failed',
            why: typeof reply.description === 'string' ? `RemoteSignerError: ${reply.description}` : 'empty response',
          } as const;
        });
      },
      close() {
        current?.socket.destroy();
        server.close();
      },
    };
    server = createServer((socket) => {
      if (current) {
        socket.destroy(); // one signer served at a time: another waits until this one is lost
        return;
      }
      const conn: { socket: Socket; address?: string; peer: string } = {
        socket,
        peer: `${socket.remoteAddress}`,
      };
      current = conn;
      onPrivvalLines(socket, (m) => pending?.resolve(m));
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        if (current === conn) current = undefined;
        pending?.resolve(undefined);
        log('SignerListener: the signer connection was lost');
      });
      void serial(async () => {
        const reply = await ask({ type: 'pubkey', chainId });
        if (reply?.type === 'pubkey' && typeof reply.address === 'string') {
          conn.address = reply.address;
          log(`remote signer connected from ${conn.peer}: key ${reply.address}`);
          if (!started) {
            started = true;
            resolve(signer);
          }
        } else socket.destroy();
      });
    });
    server.on('error', (err) => reject(err));
    server.listen(endpoint.port, endpoint.host);
    setTimeout(() => {
      if (started) return;
      server.close();
      current?.socket.destroy();
      reject(new Error(NO_SIGNER_AT_START));
    }, ACCEPT_TIMEOUT_MS).unref();
  });
}
