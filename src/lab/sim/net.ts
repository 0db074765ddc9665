/** The network side of a simulated client: listeners that hold connections, and peers it keeps dialling. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Endpoint } from './config.js';

/** Listens on every endpoint; rejects on the first that cannot be bound (as a real client fails to start). */
export async function listenAll(
  endpoints: Endpoint[],
  onConnection: (endpoint: Endpoint, socket: Socket) => void,
): Promise<Server[]> {
  const servers: Server[] = [];
  for (const e of endpoints) {
    const server = createServer((socket) => {
      socket.on('error', () => socket.destroy());
      onConnection(e, socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new Error(`cannot listen on ${e.host}:${e.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`),
        ),
      );
      server.listen(e.port, e.host, () => resolve());
    });
    servers.push(server);
  }
  return servers;
}

/** A connection to a peer that redials every second while down; over TLS when given its options (the handshake must pass). */
export class Peer {
  socket: Socket | undefined;
  connected = false;
  /** Why the last connection failed (a refused TLS handshake says why here). */
  lastError: string | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly endpoint: Endpoint,
    private readonly onSocket?: (socket: Socket) => void,
    private readonly tls?: ConnectionOptions,
  ) {
    this.dial();
  }

  private dial(): void {
    if (this.stopped) return;
    const at = { host: this.endpoint.host, port: this.endpoint.port };
    const socket = this.tls ? tlsConnect({ ...this.tls, ...at }) : createConnection(at);
    this.socket = socket;
    // A firewall that drops packets would leave the dial hanging: give up after a second.
    socket.setTimeout(1000, () => {
      if (!this.connected) socket.destroy();
    });
    socket.once(this.tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.lastError = undefined;
      socket.setTimeout(0);
      this.onSocket?.(socket);
    });
    socket.on('error', (err) => {
      this.lastError = err.message;
      socket.destroy();
    });
    socket.once('close', () => {
      this.connected = false;
      // a client redials its peer every second, as a real one backs off: the pace, not a wait for a condition
      if (!this.stopped) this.timer = setTimeout(() => this.dial(), 1000);
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.destroy();
  }
}
