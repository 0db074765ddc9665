/**
 * How failover sees the chain: the head, which host last signed for an identity, whether a
 * host's client follows the chain. Preflight (synced), the dead-host safety window and step 7
 * (verify) ask it. For a lab inventory it is the lab chain, the same judge the tests trust; a
 * real chain has no observer in stake yet, and the steps that need one say so.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { queryChain, type ClientReport } from '../lab/chain/protocol.js';
import type { IdentitySummary } from '../lab/chain/ledger.js';
import { readLabState } from '../lab/state.js';

export interface ChainReading {
  head: number;
  /** Per identity: signatures, last height and signer, double signs. */
  identity(name: string): IdentitySummary | undefined;
  /** The freshest report of a host's client, if it sent one. */
  client(host: string): ClientReport | undefined;
  doubleSigns: number;
}

export interface ChainObserver {
  /** Names it in messages: "the lab chain". */
  what: string;
  /** Milliseconds per height, to turn windows of heights into deadlines. */
  blockTimeMs: number;
  read(): Promise<ChainReading>;
}

/** The lab chain of a lab inventory (DIR/inventory.yaml beside DIR/lab.json); undefined for any other inventory. */
export function observerFor(inventory: string): ChainObserver | undefined {
  const state = join(dirname(inventory), 'lab.json');
  if (!existsSync(state)) return undefined;
  const lab = readLabState(state);
  if (!lab) return undefined;
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
  };
}

/** Is the host's client following the chain: a fresh report, with a peer? */
export function syncedVerdict(
  reading: ChainReading,
  host: string,
  blockTimeMs: number,
  now: Date,
): { ok: boolean; detail: string } {
  const report = reading.client(host);
  if (!report) return { ok: false, detail: 'its client has not reported to the chain' };
  const age = now.getTime() - Date.parse(report.at);
  const fresh = age <= Math.max(3000, blockTimeMs * 5);
  if (!fresh) return { ok: false, detail: `its client's last report is ${Math.round(age / 1000)} s old` };
  if (report.peers === 0) return { ok: false, detail: 'its client has no peer: it cannot follow the chain' };
  return { ok: true, detail: `following the chain with ${report.peers} of ${report.peersWanted} peers` };
}
