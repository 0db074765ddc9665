/**
 * The lab chain as a chain observer (src/failover/observer.ts): the same judge the tests trust,
 * asked over its socket, and its signature log read from the lab folder. A lab inventory is
 * DIR/inventory.yaml beside DIR/lab.json; any other inventory has no lab observer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChainObserver, ObservedSignature } from '../failover/observer.js';
import { queryChain, type ClientReport } from './chain/protocol.js';
import { labPaths } from './layout.js';
import { readLabState } from './state.js';

/** The lab chain of a lab inventory; undefined for any other inventory. */
export function labObserverFor(inventory: string): ChainObserver | undefined {
  const state = join(dirname(inventory), 'lab.json');
  if (!existsSync(state)) return undefined;
  const lab = readLabState(state);
  if (!lab) return undefined;
  const signatureLog = labPaths(dirname(inventory)).signatures;
  return {
    what: 'the lab chain',
    blockTimeMs: lab.blockTimeMs,
    async read() {
      const status = await queryChain(lab.chain.socket, 5000);
      const reports = new Map<string, ClientReport>();
      for (const r of status.reports) {
        const seen = reports.get(r.host);
        if (!seen || r.at > seen.at) reports.set(r.host, r);
      }
      return {
        head: status.summary.height,
        identity: (name) => status.summary.identities.find((i) => i.identity === name),
        client: (host) => reports.get(host),
        doubleSigns: status.summary.doubleSigns,
      };
    },
    signaturesSince: (identity, sinceMs) => signaturesSince(signatureLog, identity, sinceMs),
  };
}

/** The identity's signatures the lab chain logged at or after `sinceMs`. */
function signaturesSince(path: string, identity: string, sinceMs: number): ObservedSignature[] {
  if (!existsSync(path)) return [];
  const out: ObservedSignature[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes(`"${identity}"`)) continue;
    try {
      const s = JSON.parse(line) as ObservedSignature;
      if (s.identity === identity && Date.parse(s.at) >= sinceMs) out.push(s);
    } catch {
      // a line still being written
    }
  }
  return out;
}
