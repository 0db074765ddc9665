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

export function runConformance(raw: unknown): ConformanceResult {
  const test = raw as TestFile;
  const failures: string[] = [];
  const name = typeof test?.name === 'string' ? test.name : '(unnamed)';
  if (!Array.isArray(test?.steps)) return { name, passed: false, failures: ['not a test file: no steps'] };
  const db = new SlashingProtection(test.genesis_validators_root);
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
