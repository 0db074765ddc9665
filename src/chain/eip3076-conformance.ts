/**
 * Runs test files in the format of the official EIP-3076 interchange test suite
 * (github.com/eth-clients/slashing-protection-interchange-tests): for each step, import the
 * interchange into a database that starts empty, then attempt each block and attestation and
 * compare with `should_succeed_complete` (this module keeps every record: the complete strategy).
 * Pure: the caller reads the files.
 */
import { InterchangeError, SlashingProtection } from './eip3076.js';

export interface ConformanceResult {
  name: string;
  passed: boolean;
  failures: string[];
}

interface TestFile {
  name: string;
  genesis_validators_root: string;
  steps: {
    should_succeed: boolean;
    contains_slashable_data: boolean;
    interchange: unknown;
    blocks: {
      pubkey: string;
      slot: string;
      signing_root?: string;
      should_succeed: boolean;
      should_succeed_complete?: boolean;
    }[];
    attestations: {
      pubkey: string;
      source_epoch: string;
      target_epoch: string;
      signing_root?: string;
      should_succeed: boolean;
      should_succeed_complete?: boolean;
    }[];
  }[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const DECIMAL = /^\d+$/;

/** Where one attempted block or attestation of a test file is not of the suite's form, or undefined. */
function attemptProblem(x: unknown, where: string, numbers: string[]): string | undefined {
  if (!isObject(x)) return `${where} is not an object`;
  if (typeof x.pubkey !== 'string') return `${where}.pubkey is not a string`;
  for (const field of numbers)
    if (typeof x[field] !== 'string' || !DECIMAL.test(x[field])) return `${where}.${field} is not a decimal string`;
  if (x.signing_root !== undefined && typeof x.signing_root !== 'string')
    return `${where}.signing_root is not a string`;
  if (typeof x.should_succeed !== 'boolean') return `${where}.should_succeed is not true or false`;
  if (x.should_succeed_complete !== undefined && typeof x.should_succeed_complete !== 'boolean')
    return `${where}.should_succeed_complete is not true or false`;
  return undefined;
}

/**
 * Where a file is not a test of the suite's form (README of the suite: name, genesis_validators_root,
 * steps of interchange, blocks and attestations), or undefined: a damaged file fails by name
 * instead of stopping the run on the first field it lacks.
 */
function shapeProblem(test: unknown): string | undefined {
  if (!isObject(test)) return 'not a test file: not a JSON object';
  if (!Array.isArray(test.steps)) return 'not a test file: no steps';
  if (typeof test.genesis_validators_root !== 'string') return 'not a test file: no genesis_validators_root';
  for (const [i, step] of test.steps.entries()) {
    if (!isObject(step)) return `not a test file: step ${i} is not an object`;
    for (const flag of ['should_succeed', 'contains_slashable_data'])
      if (typeof step[flag] !== 'boolean') return `not a test file: step ${i}.${flag} is not true or false`;
    for (const list of ['blocks', 'attestations'])
      if (!Array.isArray(step[list])) return `not a test file: step ${i}.${list} is not a list`;
    const problem =
      (step.blocks as unknown[]).map((b, j) => attemptProblem(b, `step ${i} block ${j}`, ['slot'])).find(Boolean) ??
      (step.attestations as unknown[])
        .map((a, j) => attemptProblem(a, `step ${i} attestation ${j}`, ['source_epoch', 'target_epoch']))
        .find(Boolean);
    if (problem) return `not a test file: ${problem}`;
  }
  return undefined;
}

export function runConformance(raw: unknown): ConformanceResult {
  const failures: string[] = [];
  const name = isObject(raw) && typeof raw.name === 'string' ? raw.name : '(unnamed)';
  const problem = shapeProblem(raw);
  if (problem) return { name, passed: false, failures: [problem] };
  const test = raw as unknown as TestFile;
  let db: SlashingProtection;
  try {
    db = new SlashingProtection(test.genesis_validators_root);
  } catch (err) {
    if (!(err instanceof InterchangeError)) throw err;
    return { name, passed: false, failures: [`not a test file: ${err.message}`] };
  }
  for (const [i, step] of test.steps.entries()) {
    let imported = true;
    try {
      db.import(step.interchange);
    } catch (err) {
      if (!(err instanceof InterchangeError)) throw err;
      imported = false;
      if (step.should_succeed) failures.push(`step ${i}: the import was refused (${err.message}) but should succeed`);
    }
    if (imported && !step.should_succeed) failures.push(`step ${i}: the import succeeded but should be refused`);
    if (!imported && step.contains_slashable_data) break; // rejecting slashable data ends the test (README)
    for (const [j, b] of step.blocks.entries()) {
      const expected = b.should_succeed_complete ?? b.should_succeed;
      const v = db.signBlock(b.pubkey, BigInt(b.slot), b.signing_root);
      if (v.ok !== expected)
        failures.push(
          `step ${i} block ${j} (slot ${b.slot}): ${v.ok ? 'signed' : `refused (${v.why})`}, expected ${expected ? 'signed' : 'refused'}`,
        );
    }
    for (const [j, a] of step.attestations.entries()) {
      const expected = a.should_succeed_complete ?? a.should_succeed;
      const v = db.signAttestation(a.pubkey, BigInt(a.source_epoch), BigInt(a.target_epoch), a.signing_root);
      if (v.ok !== expected)
        failures.push(
          `step ${i} attestation ${j} (${a.source_epoch}->${a.target_epoch}): ${v.ok ? 'signed' : `refused (${v.why})`}, expected ${expected ? 'signed' : 'refused'}`,
        );
    }
  }
  return { name, passed: failures.length === 0, failures };
}
