/**
 * A small seeded generator (mulberry32): the same numbers in [0, 1) for the same seed on every
 * machine, so a run whose seed was printed can be replayed (the lab chain's re-offers, the random
 * fault test). Not for anything secret.
 */
export function seededDraw(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
