/**
 * What the lab chain knows: the current height (slot) and every signature it received. It judges
 * them as a chain would: two signatures for one identity at one height (and, for cosmos, one
 * round) from two signers are a double sign; a height after the identity first signed without its signature is missed (cardano:
 * only the slots the pool led). Pure, so the verdicts are unit-tested.
 */
import type { Family } from '../../inventory/clients.js';
import { isSlotLeader } from './leadership.js';
import type { BlockSignature } from './blocks.js';

export interface Signature {
  identity: string;
  height: number;
  /** The host that produced it. */
  host: string;
  /** The signing process: host and pid. One process signing a height twice is a retry, two processes are two signers. */
  signer: string;
  /** cosmos: the round at that height (0 when absent). Two signers at one height and round are a double sign. */
  round?: number;
  /** precommit (cosmos), attestation (ethereum), block (cardano). */
  kind: string;
  /** cardano: the operational certificate's issue counter. */
  counter?: number;
  at: string;
}

/** Two signatures of one identity at one height (cosmos: and round) by two signers: the judge's verdict. */
export interface DoubleSign {
  identity: string;
  height: number;
  /** cosmos: the round, when not 0. */
  round?: number;
  hosts: string[];
  signers: string[];
}

/**
 * What the lab chain knows of one identity: more than a real chain shows (the host of every
 * signature), which is why it is the judge the tests compare stake's observer against.
 */
export interface IdentitySummary {
  identity: string;
  signatures: number;
  firstHeight?: number;
  lastHeight?: number;
  lastSigner?: string;
  /** Heights signed per host. */
  byHost: Record<string, number>;
  missed: number;
  doubleSigns: DoubleSign[];
  /** Blocks the chain refused as invalid (cardano: an operational certificate counter out of order). */
  rejected?: { height: number; host: string; why: string }[];
}

export interface ChainSummary {
  family: Family;
  height: number;
  identities: IdentitySummary[];
  doubleSigns: number;
}

/**
 * Cardano's rule on a block's operational certificate (ouroboros-consensus Praos
 * `doValidateKESSignature`): with m the pool's last counter on the chain (0 for a pool with none),
 * the block's counter n must hold m <= n (else CounterTooSmallOCERT) and n <= m + 1 (else
 * CounterOverIncrementedOCERT). An invalid block is refused, not counted.
 */
export function opcertVerdict(last: number, counter: number): string | undefined {
  if (counter < last) return `CounterTooSmallOCERT: counter ${counter} below the chain's ${last}`;
  if (counter > last + 1)
    return `CounterOverIncrementedOCERT: counter ${counter} more than one above the chain's ${last}`;
  return undefined;
}

interface IdentityBook {
  byHeight: Map<number, Signature[]>;
  first?: number;
  last?: Signature;
  /** By `height/round`. */
  doubles: Map<string, DoubleSign>;
  byHost: Record<string, number>;
  count: number;
  /** cardano: the last operational certificate counter the chain accepted. */
  counter: number;
  rejected: { height: number; host: string; why: string }[];
}

/** A signature as a block carries it. */
const blockSignature = (identity: string, s: Signature): BlockSignature => ({
  identity,
  round: s.round ?? 0,
  at: s.at,
  ...(s.counter !== undefined ? { counter: s.counter } : {}),
});

export class Ledger {
  height = 0;
  private readonly books = new Map<string, IdentityBook>();

  constructor(
    readonly family: Family,
    identities: string[],
  ) {
    for (const id of identities) this.book(id);
  }

  private book(identity: string): IdentityBook {
    let b = this.books.get(identity);
    if (!b) {
      b = { byHeight: new Map(), doubles: new Map(), byHost: {}, count: 0, counter: 0, rejected: [] };
      this.books.set(identity, b);
    }
    return b;
  }

  tick(): number {
    return ++this.height;
  }

  /** Records a signature; returns false for a retry of one already recorded (same signer, same height), or an invalid block. */
  record(sig: Signature): boolean {
    const b = this.book(sig.identity);
    if (this.family === 'cardano' && sig.counter !== undefined) {
      const invalid = opcertVerdict(b.counter, sig.counter);
      if (invalid) {
        if (b.rejected.length < 100) b.rejected.push({ height: sig.height, host: sig.host, why: invalid });
        return false;
      }
      b.counter = sig.counter;
    }
    const at = b.byHeight.get(sig.height) ?? [];
    const round = sig.round ?? 0;
    if (at.some((s) => s.signer === sig.signer && (s.round ?? 0) === round)) return false;
    at.push(sig);
    b.byHeight.set(sig.height, at);
    b.count++;
    b.byHost[sig.host] = (b.byHost[sig.host] ?? 0) + 1;
    if (b.first === undefined || sig.height < b.first) b.first = sig.height;
    if (!b.last || sig.height >= b.last.height) b.last = sig;
    const sameRound = at.filter((s) => (s.round ?? 0) === round);
    if (sameRound.length > 1) {
      b.doubles.set(`${sig.height}/${round}`, {
        identity: sig.identity,
        height: sig.height,
        ...(round > 0 ? { round } : {}),
        hosts: [...new Set(sameRound.map((s) => s.host))],
        signers: sameRound.map((s) => s.signer),
      });
    }
    if (sig.height > this.height) this.height = sig.height;
    return true;
  }

  /** Heights the identity should have signed since its first signature, up to the last complete one. */
  private missed(identity: string, b: IdentityBook): number {
    if (b.first === undefined) return 0;
    let missed = 0;
    for (let h = b.first + 1; h < this.height; h++) {
      if (this.family === 'cardano' && !isSlotLeader(identity, h)) continue;
      if (!b.byHeight.has(h)) missed++;
    }
    return missed;
  }

  summary(): ChainSummary {
    const identities = [...this.books.entries()].map(([identity, b]): IdentitySummary => ({
      identity,
      signatures: b.count,
      ...(b.first !== undefined ? { firstHeight: b.first } : {}),
      ...(b.last ? { lastHeight: b.last.height, lastSigner: b.last.host } : {}),
      byHost: { ...b.byHost },
      missed: this.missed(identity, b),
      ...(b.rejected.length ? { rejected: [...b.rejected] } : {}),
      doubleSigns: [...b.doubles.values()].sort((x, y) => x.height - y.height || (x.round ?? 0) - (y.round ?? 0)),
    }));
    return {
      family: this.family,
      height: this.height,
      identities,
      doubleSigns: identities.reduce((n, i) => n + i.doubleSigns.length, 0),
    };
  }

  /** Each identity's first signature at a height: what the block committing that height holds. */
  signedAt(height: number): BlockSignature[] {
    const out: BlockSignature[] = [];
    for (const [identity, b] of this.books) {
      const first = b.byHeight.get(height)?.[0];
      if (first) out.push(blockSignature(identity, first));
    }
    return out;
  }

  /**
   * cardano: the other producers' blocks at a slot, beside the first (a second host forging with
   * the same keys): one per other signer. The network sees them as a fork, one block adopted.
   */
  forgedAlso(height: number): BlockSignature[] {
    const out: BlockSignature[] = [];
    for (const [identity, b] of this.books) {
      const [first, ...rest] = b.byHeight.get(height) ?? [];
      const seen = new Set([first?.signer]);
      for (const s of rest) {
        if (seen.has(s.signer)) continue;
        seen.add(s.signer);
        out.push(blockSignature(identity, s));
      }
    }
    return out;
  }

  /** Every double sign so far, in height order. */
  doubleSigns(): DoubleSign[] {
    return [...this.books.values()]
      .flatMap((b) => [...b.doubles.values()])
      .sort((x, y) => x.height - y.height || (x.round ?? 0) - (y.round ?? 0));
  }

  /** Each identity's last `depth` signed heights and rounds, lowest first: what a halted chain would still ask for. */
  recentlySigned(depth: number): { height: number; round: number }[] {
    const seen = new Map<string, { height: number; round: number }>();
    for (const b of this.books.values()) {
      const heights = [...b.byHeight.keys()].sort((x, y) => y - x).slice(0, depth);
      for (const h of heights)
        for (const sig of b.byHeight.get(h)!) seen.set(`${h}/${sig.round ?? 0}`, { height: h, round: sig.round ?? 0 });
    }
    return [...seen.values()].sort((x, y) => x.height - y.height || x.round - y.round);
  }

  /** The signatures of one identity in height order (for timelines). */
  signaturesOf(identity: string): Signature[] {
    const b = this.books.get(identity);
    if (!b) return [];
    return [...b.byHeight.entries()].sort(([x], [y]) => x - y).flatMap(([, sigs]) => sigs);
  }
}
