/**
 * The lab chain as a chain observer, for the family whose clients' API the lab does not serve yet
 * (cardano: Ogmios). Cosmos and ethereum labs are read as a real network is, through the
 * sentries' CometBFT RPC and the beacon nodes' Beacon API (src/observe/). This adapter hides what only the lab knows (the
 * host of each signature): it answers with what a chain could show, the key's heights and the
 * double signs, so stake behaves here as it will once those APIs are read. A lab inventory is
 * DIR/inventory.yaml beside DIR/lab.json; any other inventory has none.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChainObserver } from '../observe/observer.js';
import type { ChainReading, IdentityOnChain } from '../observe/model.js';
import { queryChain, type ClientReport } from './chain/protocol.js';
import type { IdentitySummary } from './chain/ledger.js';
import { labPaths } from './layout.js';
import { readLabState } from './state.js';

const onChain = (s: IdentitySummary): IdentityOnChain => ({
  identity: s.identity,
  ...(s.lastHeight !== undefined ? { lastHeight: s.lastHeight } : {}),
  signed: s.signatures,
  missed: s.missed,
  equivocations: s.doubleSigns.map((d) => ({
    identity: d.identity,
    height: d.height,
    ...(d.round ? { round: d.round } : {}),
    what: 'two signatures on the lab chain',
    sources: ['the lab chain'],
  })),
  flags: [],
});

/** The lab chain of a lab inventory whose family has no API observer yet; undefined otherwise. */
export function labObserverFor(inventory: string): ChainObserver | undefined {
  const state = join(dirname(inventory), 'lab.json');
  if (!existsSync(state)) return undefined;
  const lab = readLabState(state);
  if (!lab || lab.family !== 'cardano') return undefined;
  const signatureLog = labPaths(dirname(inventory)).signatures;
  /** The chain's summary and each host's freshest report, asked once per call. */
  const ask = async () => {
    const status = await queryChain(lab.chain.socket, 5000);
    const reports = new Map<string, ClientReport>();
    for (const r of status.reports) {
      const seen = reports.get(r.host);
      if (!seen || r.at > seen.at) reports.set(r.host, r);
    }
    return { summary: status.summary, reports };
  };
  return {
    what: 'the lab chain',
    blockTimeMs: lab.blockTimeMs,
    unjudged: [],
    async read(): Promise<ChainReading> {
      const { summary } = await ask();
      return {
        head: summary.height,
        sources: [{ source: 'the lab chain', client: 'lab' }],
        disagreements: [],
        identity: (name) => {
          const s = summary.identities.find((i) => i.identity === name);
          return s ? onChain(s) : undefined;
        },
      };
    },
    // what the lab chain can tell of a host: a fresh report with a peer is a client at the head
    async headOf(host) {
      const { summary, reports } = await ask();
      const report = reports.get(host.name);
      if (!report) return { error: 'its client has not reported to the lab chain' };
      const age = Date.now() - Date.parse(report.at);
      if (age > Math.max(3000, lab.blockTimeMs * 5))
        return { error: `its client's last report is ${Math.round(age / 1000)} s old` };
      return { head: summary.height, syncing: report.peers === 0 };
    },
    signatures: (identity, fromHeight) => signaturesFrom(signatureLog, identity, fromHeight),
  };
}

/** The identity's signatures the lab chain logged from a height on, one per height. */
function signaturesFrom(path: string, identity: string, fromHeight: number): { height: number; at: string }[] {
  if (!existsSync(path)) return [];
  const out = new Map<number, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes(`"${identity}"`)) continue;
    try {
      const s = JSON.parse(line) as { identity: string; height: number; at: string };
      if (s.identity === identity && s.height >= fromHeight && !out.has(s.height)) out.set(s.height, s.at);
    } catch {
      // a line still being written
    }
  }
  return [...out.entries()].sort(([a], [b]) => a - b).map(([height, at]) => ({ height, at }));
}
