/** Which host is live for an identity, from each kind of generation verdict. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerationRecord, GenerationVerdict } from '../../src/quorum/generation.js';
import { liveActive } from '../../src/quorum/live.js';

const identity = { active: { name: 'val-fra' } } as Parameters<typeof liveActive>[1];
const record = (generation: number, active: string): GenerationRecord => ({
  generation,
  active,
  since: 't',
  approvers: [],
  plan: 'P',
});

describe('the live active host', () => {
  test("a live verdict: the record's host, recorded, at its generation", () => {
    assert.deepEqual(liveActive({ kind: 'live', record: record(4, 'val-fra'), holders: ['a', 'b'] }, identity), {
      host: 'val-fra',
      recorded: true,
      generation: 4,
    });
  });

  test("a stale checkout does not move the signer: the quorum's host, not the file's", () => {
    const verdict: GenerationVerdict = {
      kind: 'stale',
      record: record(6, 'val-waw'),
      holders: ['a', 'b'],
      inventoryActive: 'val-fra',
    };
    assert.deepEqual(liveActive(verdict, identity), { host: 'val-waw', recorded: true, generation: 6 });
  });

  test("before the first deploy the inventory's active host, not recorded, at generation 0", () => {
    assert.deepEqual(liveActive({ kind: 'first', quorum: ['val-fra', 'val-waw', 'witness-ams'] }, identity), {
      host: 'val-fra',
      recorded: false,
      generation: 0,
    });
  });

  test('a quorum that cannot tell names nobody', () => {
    assert.equal(liveActive({ kind: 'unknown', why: 'only 1 of 3 answered' }, identity), undefined);
  });
});
