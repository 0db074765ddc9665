/**
 * The seeds every fast-check property runs with: its fixed seed, so a run is repeatable and CI
 * always covers the same cases, and a fresh random seed, so each run also explores cases no run
 * saw before. The random seed is printed (the test's diagnostic, and fast-check's own report on
 * a failure), so a failure found once can be replayed:
 *
 *   STAKE_SEED=123456 node --test dist/test/...   runs that seed only, in place of both
 *   STAKE_SEED=fixed  node --test dist/test/...   runs the fixed seeds only (mutation testing
 *                                                 does, so a mutant's verdict does not change
 *                                                 from one run to the next)
 */
import { randomInt } from 'node:crypto';

export interface PropertySeed {
  seed: number;
  /** How the seed was chosen, for the test's name: `fixed seed`, `random seed`, `replayed seed`. */
  label: string;
}

/** fast-check takes any 32-bit integer; a positive one is easy to copy from a log. */
const randomSeed = () => randomInt(1, 2 ** 31 - 1);

export function propertySeeds(fixed: number, env: NodeJS.ProcessEnv = process.env): PropertySeed[] {
  const chosen = env.STAKE_SEED?.trim();
  if (chosen === 'fixed') return [{ seed: fixed, label: 'fixed seed' }];
  if (chosen) {
    const seed = Number(chosen);
    if (!Number.isSafeInteger(seed)) throw new Error(`STAKE_SEED must be an integer or "fixed", not "${chosen}"`);
    return [{ seed, label: 'replayed seed' }];
  }
  return [
    { seed: fixed, label: 'fixed seed' },
    { seed: randomSeed(), label: 'random seed' },
  ];
}

/** The line a property prints before it runs: its seed and how to run it again. */
export const seedNote = (seed: number) => `seed ${seed} (replay: STAKE_SEED=${seed})`;
