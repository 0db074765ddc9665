/**
 * The eight steps of the failover protocol (docs/failover.md), each idempotent (a resumed failover runs the
 * interrupted step again from its start), plus the rollback that unfences the old host when a
 * step before the generation bump fails. Each returns a line for the journal and the output.
 * Steps 1-3 are in steps/guard.ts, 4-7 in steps/move.ts, 8 and the rollback in steps/close.ts;
 * what they act with is ./context.ts.
 */
import { record, rollback } from './steps/close.js';
import { fence, lock, preflight } from './steps/guard.js';
import { activate, bump, carry, verify } from './steps/move.js';

export { rollback };

export const STEP_RUNNERS = { lock, preflight, fence, carry, bump, activate, verify, record } as const;
