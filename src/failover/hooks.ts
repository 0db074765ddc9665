/**
 * A seam at each step boundary of a failover. Real use passes no hook; the tests pass one to
 * kill the process or cut a host exactly between two steps (test/support/), so no code that
 * runs in production reads a fault from the environment or executes a command for a test.
 */
import type { StepName } from './plan.js';

export type StepBoundary = 'before' | 'after';

export type StepHook = (when: StepBoundary, step: StepName) => void | Promise<void>;
