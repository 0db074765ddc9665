/**
 * How stake sees the chain: the head, which host last signed for an identity, whether a host's
 * client follows the chain, the signatures themselves. Failover's preflight (synced), the
 * dead-host safety window and step 7 (verify) ask it, and so do `stake status` and the drill.
 * This file is the interface only: an adapter per chain implements it (the lab's is
 * src/lab/observer.ts), and the commands pick one for the inventory, so nothing here knows
 * where a reading comes from.
 */

/** Two signatures of one identity at one height (cosmos: and round): the thing that must never happen. */
export interface ObservedDoubleSign {
  identity: string;
  height: number;
  /** cosmos: the round, when not 0. */
  round?: number;
  hosts: string[];
  signers: string[];
}

/** What the chain knows of one identity's signing. */
export interface ObservedIdentity {
  identity: string;
  signatures: number;
  firstHeight?: number;
  lastHeight?: number;
  lastSigner?: string;
  /** Heights signed per host. */
  byHost: Record<string, number>;
  missed: number;
  doubleSigns: ObservedDoubleSign[];
  /** Blocks the chain refused as invalid (cardano: an operational certificate counter out of order). */
  rejected?: { height: number; host: string; why: string }[];
}

/** What a host's client last told the chain about itself. */
export interface ObservedClient {
  host: string;
  client: string;
  /** Connected peers, and how many it is configured for. */
  peers: number;
  peersWanted: number;
  /** Holds the identity's key (or signer access) and would sign. */
  signing: boolean;
  note?: string;
  /** ISO time of the report. */
  at: string;
}

/** One signature the chain accepted. */
export interface ObservedSignature {
  identity: string;
  height: number;
  host: string;
  signer: string;
  /** ISO time it was seen. */
  at: string;
}

export interface ChainReading {
  head: number;
  /** Per identity: signatures, last height and signer, double signs. */
  identity(name: string): ObservedIdentity | undefined;
  /** The freshest report of a host's client, if it sent one. */
  client(host: string): ObservedClient | undefined;
  doubleSigns: number;
}

export interface ChainObserver {
  /** Names it in messages: "the lab chain". */
  what: string;
  /** Milliseconds per height, to turn windows of heights into deadlines. */
  blockTimeMs: number;
  read(): Promise<ChainReading>;
  /** The identity's signatures seen since a time (ms since the epoch), for timelines. */
  signaturesSince(identity: string, sinceMs: number): ObservedSignature[];
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
