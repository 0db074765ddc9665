/**
 * The lab chain's blocks: what it committed at each height, in no client's format. A height is
 * committed one tick after it was offered (the signatures that arrived by then are in it, as a
 * CometBFT commit holds the precommits its proposer had), with the equivocations the ledger found
 * since the last block as evidence. Every simulated node keeps the blocks it saw and serves them
 * through its client's own API (CometBFT RPC, the Beacon API, ...), so stake's chain observer reads
 * the lab as it reads a real network. Pure: the chain process sends them.
 */

export interface BlockSignature {
  identity: string;
  round: number;
  /** When the chain received it. */
  at: string;
  /** cardano: the operational certificate's counter the block was forged under. */
  counter?: number;
}

export interface BlockEvidence {
  identity: string;
  /** The height (and round) signed twice. */
  height: number;
  round: number;
  /** When the second signature was seen. */
  at: string;
}

export interface ChainBlock {
  height: number;
  /** When it was committed (ISO). */
  time: string;
  /** The round it was committed at (cosmos; 0 elsewhere). */
  round: number;
  /** The identities whose signature for this height the chain had when it committed it. */
  signed: BlockSignature[];
  /** Double signs found since the block before, included here as evidence. */
  evidence: BlockEvidence[];
  /**
   * cardano: other blocks of this slot by a second producer with the same keys (Ledger.forgedAlso).
   * A real network sees them as a fork and adopts one; the lab's relays serve the other first.
   */
  also?: BlockSignature[];
}

/** How many blocks the chain keeps to hand to a node that catches up: more than any lab run makes. */
export const BLOCKS_KEPT = 20_000;

/** The committed blocks, oldest first, bounded; `since` is what a node asks for when it catches up. */
export class BlockLog {
  private readonly blocks: ChainBlock[] = [];

  constructor(private readonly keep = BLOCKS_KEPT) {}

  add(block: ChainBlock): void {
    this.blocks.push(block);
    if (this.blocks.length > this.keep) this.blocks.splice(0, this.blocks.length - this.keep);
  }

  get head(): number {
    return this.blocks.at(-1)?.height ?? 0;
  }

  /** The blocks from `height` on, at most `limit` of them (the oldest first). */
  since(height: number, limit = this.keep): ChainBlock[] {
    const first = this.blocks.findIndex((b) => b.height >= height);
    return first < 0 ? [] : this.blocks.slice(first, first + limit);
  }
}

/** The evidence a block carries: double signs not yet included, each once. */
export function newEvidence(
  doubles: readonly { identity: string; height: number; round?: number }[],
  included: Set<string>,
  at: string,
): BlockEvidence[] {
  const out: BlockEvidence[] = [];
  for (const d of doubles) {
    const key = `${d.identity}/${d.height}/${d.round ?? 0}`;
    if (included.has(key)) continue;
    included.add(key);
    out.push({ identity: d.identity, height: d.height, round: d.round ?? 0, at });
  }
  return out;
}
