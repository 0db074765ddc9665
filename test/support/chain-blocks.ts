/** Lab chain blocks for the observer's unit tests: one every `blockMs`, from a fixed time. */
import type { ChainBlock } from '../../src/lab/chain/blocks.js';

/** The time of height `h` on a chain of one block every `blockMs`. */
export const timeOf = (h: number, blockMs: number) =>
  new Date(Date.UTC(2026, 11, 2, 7, 0, 0) + h * blockMs).toISOString();

/** Block `height`, with the identities that signed it in time and the evidence it carries. */
export function chainBlock(
  height: number,
  signed: string[],
  evidence: ChainBlock['evidence'] = [],
  blockMs = 1000,
): ChainBlock {
  const time = timeOf(height, blockMs);
  return { height, time, round: 0, signed: signed.map((identity) => ({ identity, round: 0, at: time })), evidence };
}
