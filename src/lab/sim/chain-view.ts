/**
 * The blocks a simulated node holds: the ones it saw while it could see the chain (a node with no
 * peer sees nothing), and the ones it fetched back by block sync once it could again. Its head is
 * the top of its unbroken run of blocks, so a node that was cut off is behind until it catches up,
 * as a real one is; its API serves what it holds and nothing more. Pure.
 */
import type { ChainBlock } from '../chain/blocks.js';

/** The blocks a node keeps (older ones are pruned, as a node with a retain height prunes). */
export const BLOCKS_HELD = 5000;

const PRUNE_BATCH = 500;

export class ChainView {
  private readonly blocks = new Map<number, ChainBlock>();
  /** The lowest height held. */
  base = 0;
  /** The top of the unbroken run from base. */
  head = 0;

  constructor(private readonly keep = BLOCKS_HELD) {}

  add(block: ChainBlock): void {
    if (this.blocks.has(block.height)) return;
    this.blocks.set(block.height, block);
    if (this.base === 0) this.base = this.head = block.height;
    while (this.blocks.has(this.base - 1)) this.base--;
    while (this.blocks.has(this.head + 1)) this.head++;
    if (this.blocks.size <= this.keep + PRUNE_BATCH) return; // pruned in batches: a sort per block would cost every tick
    const heights = [...this.blocks.keys()].sort((a, b) => a - b);
    for (const h of heights.slice(0, this.blocks.size - this.keep)) this.blocks.delete(h);
    this.base = Math.max(this.base, heights[heights.length - this.keep]!);
    if (this.head < this.base) this.head = this.base;
    while (this.blocks.has(this.head + 1)) this.head++;
  }

  get(height: number): ChainBlock | undefined {
    return height >= this.base && height <= this.head ? this.blocks.get(height) : undefined;
  }

  /** Blocks above the head it has seen but cannot join yet: it is behind and should sync. */
  get behind(): boolean {
    for (const h of this.blocks.keys()) if (h > this.head) return true;
    return false;
  }
}
