/**
 * The failover journal: the plan, its approvals, and each step's start and end, written durably
 * before and after every step. A failover killed at any instant resumes from it
 * (`stake failover --resume`); it lives beside the inventory, in `.stake/failover/<identity>.json`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readIfExists, writeDurably } from '../files.js';
import type { CarryFloor } from './floor.js';
import type { FailoverPlan, StepName } from './plan.js';

export interface StepRecord {
  name: StepName;
  started?: string;
  ended?: string;
  ms?: number;
  detail?: string;
  error?: string;
}

export interface Journal {
  version: 1;
  inventory: string;
  plan: FailoverPlan;
  code: string;
  expires: string;
  approvers: string[];
  /** How the approvals were given: signed files, or typed at one terminal. */
  approval: 'signatures' | 'terminal';
  by: string;
  startedAt: string;
  /** forward until a failure before the point of no return turns it into a rollback. */
  direction: 'forward' | 'rollback';
  state: 'running' | 'done' | 'rolled-back';
  steps: StepRecord[];
  rollback?: StepRecord;
  /** Chain heights around the handover (when an observer could see them). */
  lastOldHeight?: number;
  firstNewHeight?: number;
  /** The identity's double signs the chain showed when the old host was fenced: verify fails on any more. */
  doubleSignsBefore?: number;
  /** The quorum hosts the lock was taken on: only they must release it. */
  lockedOn?: string[];
  /** What step 4 carried, for the audit record. */
  carried?: string;
  /** The floor step 4 decided, journalled before it writes: a resumed carry never goes below it. */
  carriedFloor?: CarryFloor;
}

export const journalDir = (inventory: string) => join(dirname(inventory), '.stake', 'failover');
export const journalPath = (inventory: string, identity: string) => join(journalDir(inventory), `${identity}.json`);

export function readJournal(path: string): Journal | undefined {
  const text = readIfExists(path);
  return text === undefined ? undefined : (JSON.parse(text) as Journal);
}

export const writeJournal = (path: string, journal: Journal) =>
  writeDurably(path, `${JSON.stringify(journal, null, 2)}\n`, 0o600);

/** The journals of failovers that have not ended, beside this inventory. */
export function unfinishedJournals(inventory: string): { path: string; journal: Journal }[] {
  let names: string[];
  try {
    names = readdirSync(journalDir(inventory)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .map((n) => ({ path: join(journalDir(inventory), n), journal: readJournal(join(journalDir(inventory), n))! }))
    .filter((j) => j.journal && j.journal.state === 'running');
}
