/** The rollout's stages and waves: who restarts together, and who never does. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { rolloutStages } from '../../src/apply/rollout.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import type { Inventory } from '../../src/inventory/schema.js';
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
