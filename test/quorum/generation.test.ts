/** The generation verdict: what the quorum's records say about the live active host, and what one host's answer says. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  decideGeneration,
  duplicateKeyHolders,
  parseQuorumAnswer,
  type GenerationRecord,
} from '../../src/quorum/generation.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import type { Inventory } from '../../src/inventory/schema.js';
import { example } from '../support/helpers.js';

const cosmos = resolveInventory(parse(example('cosmos')) as Inventory);

describe('the generation verdict', () => {
  const id = cosmos.identities[0]!;
  const quorum = [id.active.name, ...id.standby.map((h) => h.name), id.witness!.name];
  const rec = (generation: number, active: string): GenerationRecord => ({
    generation,
    active,
    since: '2026-11-01T00:00:00Z',
    approvers: ['alice', 'bob'],
    plan: 'P',
  });

  test('no record anywhere: a first deploy', () => {
    assert.equal(
      decideGeneration(
        id,
        quorum.map((host) => ({ host, record: null })),
      ).kind,
      'first',
    );
  });

  test('the highest generation a majority holds is the truth; a lagging minority does not matter', () => {
    const v = decideGeneration(id, [
      { host: quorum[0]!, record: rec(1, id.active.name) },
      { host: quorum[1]!, record: rec(2, id.standby[0]!.name) },
      { host: quorum[2]!, record: rec(2, id.standby[0]!.name) },
    ]);
    assert.equal(v.kind, 'stale');
  });

  test('without a majority answering, or agreeing, nothing is trusted', () => {
    assert.equal(decideGeneration(id, [{ host: quorum[0]!, record: rec(1, id.active.name) }]).kind, 'unknown');
    assert.equal(
      decideGeneration(id, [
        { host: quorum[0]!, record: rec(1, id.active.name) },
        { host: quorum[1]!, record: rec(2, id.active.name) },
        { host: quorum[2]!, record: rec(3, id.active.name) },
      ]).kind,
      'unknown',
    );
  });

  test('matching the inventory: live', () => {
    const v = decideGeneration(
      id,
      quorum.map((host) => ({ host, record: rec(4, id.active.name) })),
    );
    assert.equal(v.kind, 'live');
  });

  test('parsing what a host said; a damaged record counts as none; a copied key is found', () => {
    const a = parseQuorumAnswer('val', `G\t${JSON.stringify(rec(3, 'val'))}\nK\t${'ab'.repeat(20)}\n`);
    assert.equal(a.record?.generation, 3);
    assert.equal(a.keyAddress, 'AB'.repeat(20));
    assert.equal(parseQuorumAnswer('val', 'G\t{"generation": "x"\n').record, null);
    assert.deepEqual(
      duplicateKeyHolders('a', [
        { host: 'a', record: null, keyAddress: 'K1' },
        { host: 'b', record: null, keyAddress: 'K1' },
        { host: 'c', record: null, keyAddress: 'K2' },
      ]),
      ['b'],
    );
  });
});
