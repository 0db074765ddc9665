/** The network side of a simulated client: listeners that hold connections, and peers it keeps dialling. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
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

/** A connection to a peer that redials every second while down. */
export class Peer {
  socket: Socket | undefined;
  connected = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly endpoint: Endpoint,
    private readonly onSocket?: (socket: Socket) => void,
  ) {
    this.dial();
  }

  private dial(): void {
    if (this.stopped) return;
    const socket = createConnection({ host: this.endpoint.host, port: this.endpoint.port });
    this.socket = socket;
    // A firewall that drops packets would leave the dial hanging: give up after a second.
    socket.setTimeout(1000, () => {
      if (!this.connected) socket.destroy();
    });
    socket.once('connect', () => {
      this.connected = true;
      socket.setTimeout(0);
      this.onSocket?.(socket);
    });
    socket.on('error', () => socket.destroy());
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
