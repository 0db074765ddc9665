/** Pure parts of deploy: the rollout's stages and waves, the generation verdict, service start order. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { startOrder } from '../../src/apply/host.js';
import {
  decideGeneration,
  duplicateKeyHolders,
  parseQuorumAnswer,
  type GenerationRecord,
} from '../../src/quorum/generation.js';
import { rolloutStages } from '../../src/apply/rollout.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import type { Inventory } from '../../src/inventory/schema.js';
import type { Service } from '../../src/render/types.js';
import { example } from '../support/helpers.js';

const cosmos = resolveInventory(parse(example('cosmos')) as Inventory);
const ethereum = resolveInventory(parse(example('ethereum')) as Inventory);
const all = (inv: typeof cosmos) => inv.hosts.map((h) => h.name);

describe('rollout stages', () => {
  test('signers, then the network-facing tiers, then validators, then the rest', () => {
    const stages = rolloutStages(ethereum, all(ethereum), new Set(all(ethereum)));
    assert.deepEqual(
      stages.map((s) => s.name),
      ['signers', 'sentries, relays and beacons', 'validators', 'other hosts'],
    );
  });

  test('never two upstreams, nor active and standby, nor two signers of one identity in one wave', () => {
    for (const inv of [cosmos, ethereum]) {
      const stages = rolloutStages(inv, all(inv), new Set(all(inv)));
      for (const wave of stages.flatMap((s) => s.waves)) {
        for (const id of inv.identities) {
          const groups = [id.upstream, [id.active, ...id.standby], id.signer?.hosts ?? []].map((g) =>
            g.map((h) => h.name),
          );
          for (const g of groups)
            assert.ok(
              wave.filter((h) => g.includes(h)).length <= 1,
              `${wave.join(',')} restarts two of ${g.join(',')}`,
            );
        }
      }
    }
  });

  test('hosts with nothing to restart go together; unrelated hosts share a wave', () => {
    const stages = rolloutStages(cosmos, all(cosmos), new Set(['sentry-fra-1', 'sentry-fra-2']));
    const sentries = stages.find((s) => s.name === 'sentries, relays and beacons')!;
    assert.deepEqual(sentries.waves, [['sentry-fra-1'], ['sentry-fra-2']]);
    assert.deepEqual(sentries.quiet.sort(), ['sentry-waw-1', 'sentry-waw-2']);
  });
});

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

describe('service start order', () => {
  const svc = (name: string, after: string[] = []): Service => ({
    name,
    description: '',
    user: name,
    exec: [],
    writable: [],
    after,
    jit: false,
    health: { tcp: 1 },
  });
  test('each service after those it names', () => {
    assert.deepEqual(startOrder([svc('lighthouse', ['geth']), svc('geth')], ['lighthouse', 'geth']), [
      'geth',
      'lighthouse',
    ]);
    assert.deepEqual(startOrder([svc('lighthouse', ['geth']), svc('geth')], ['lighthouse']), ['lighthouse']);
  });
});
