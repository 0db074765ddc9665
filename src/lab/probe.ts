/**
 * TCP probes: `open` (something answered), `refused` (the host answered with a reset: the
 * firewall let the packet in and nothing listens), or `blocked` (no answer in time, or
 * unreachable). probe-main.js runs them inside a lab host's namespace.
 */
import { createConnection } from 'node:net';

export type ProbeVerdict = 'open' | 'refused' | 'blocked';
export interface ProbeTarget {
  address: string;
  port: number;
}

export function probe(target: ProbeTarget, timeoutMs: number): Promise<ProbeVerdict> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: target.address, port: target.port });
    const done = (v: ProbeVerdict) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done('blocked'));
    socket.once('connect', () => done('open'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : 'blocked'));
  });
}

export const probeAll = (targets: ProbeTarget[], timeoutMs: number) =>
  Promise.all(targets.map((t) => probe(t, timeoutMs)));
