/** The rollout's stages and waves: who restarts together, and who never does. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { conflictGroups, quietGroups, rolloutStages } from '../../src/apply/rollout.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import type { Inventory } from '../../src/inventory/schema.js';
import { example } from '../support/helpers.js';

const cosmos = resolveInventory(parse(example('cosmos')) as Inventory);
const ethereum = resolveInventory(parse(example('ethereum')) as Inventory);
const cardano = resolveInventory(parse(example('cardano')) as Inventory);
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

  test('relays are in the upstream stage: cardano relays restart before the block producers', () => {
    const stages = rolloutStages(cardano, all(cardano), new Set(all(cardano)));
    assert.deepEqual(
      stages.map((s) => s.name),
      ['sentries, relays and beacons', 'validators', 'other hosts'],
    );
    const upstream = stages[0]!.waves.flat().sort();
    assert.deepEqual(upstream, ['relay-fra-1', 'relay-fra-2', 'relay-nyc-1', 'relay-nyc-2']);
    assert.deepEqual(stages[1]!.waves, [['bp-fra'], ['bp-nyc']]);
  });

  test('a stage with no host to do anything is not listed', () => {
    assert.deepEqual(
      rolloutStages(cosmos, all(cosmos), new Set()).map((s) => s.name),
      ['sentries, relays and beacons', 'validators', 'other hosts'],
      'cosmos has no signers',
    );
    assert.deepEqual(rolloutStages(cosmos, ['val-waw'], new Set(['val-waw'])), [
      { name: 'validators', quiet: [], waves: [['val-waw']] },
    ]);
  });

  test('hosts serving no identity together restart in one wave, after the jump host they are reached through', () => {
    const others = rolloutStages(cosmos, all(cosmos), new Set(all(cosmos))).find((s) => s.name === 'other hosts')!;
    assert.deepEqual(others.waves, [['bastion-fra'], ['witness-ams', 'monitor-ams']]);
    const upstream = rolloutStages(cosmos, all(cosmos), new Set(all(cosmos)))[0]!;
    assert.deepEqual(upstream.waves, [['sentry-fra-1'], ['sentry-fra-2'], ['sentry-waw-1'], ['sentry-waw-2']]);
  });

  test("two identities: the second one's hosts join the first waves that hold no rival of theirs", () => {
    const inv = resolveInventory(parse(example('cosmos')) as Inventory);
    const second = { ...inv.identities[0]!, name: 'other', upstream: [], standby: [], signer: undefined };
    const hosts = ['sentry-fra-1', 'sentry-fra-2', 'val-fra', 'val-waw'];
    const stages = rolloutStages({ ...inv, identities: [inv.identities[0]!, second] }, hosts, new Set(hosts));
    assert.deepEqual(
      stages.map((s) => s.waves),
      [
        [['sentry-fra-1'], ['sentry-fra-2']],
        [['val-fra'], ['val-waw']],
      ],
    );
  });
});

describe('waves of several identities', () => {
  test('a host never joins a wave holding one of its rivals, even beside hosts that are not', () => {
    const inv = resolveInventory(parse(example('cosmos')) as Inventory);
    const [first] = inv.identities;
    const byName = (n: string) => inv.hosts.find((h) => h.name === n)!;
    const east = { ...first!, upstream: [byName('sentry-fra-1'), byName('sentry-fra-2')], standby: [] };
    const west = { ...first!, name: 'west', upstream: [byName('sentry-waw-1'), byName('sentry-waw-2')], standby: [] };
    const hosts = ['sentry-fra-1', 'sentry-waw-1', 'sentry-fra-2', 'sentry-waw-2'];
    const [upstream] = rolloutStages({ ...inv, identities: [east, west] }, hosts, new Set(hosts));
    assert.deepEqual(upstream!.waves, [
      ['sentry-fra-1', 'sentry-waw-1'],
      ['sentry-fra-2', 'sentry-waw-2'],
    ]);
  });
});

describe('conflict groups', () => {
  test('per identity: its upstreams, its active host with its standbys, its signer group; never a lone host', () => {
    assert.deepEqual(conflictGroups(cosmos), [
      ['sentry-fra-1', 'sentry-fra-2', 'sentry-waw-1', 'sentry-waw-2'],
      ['val-fra', 'val-waw'],
    ]);
    assert.deepEqual(conflictGroups(ethereum), [
      ['beacon-fra-1', 'beacon-fra-2', 'beacon-lon-1', 'beacon-lon-2'],
      ['vc-fra', 'vc-lon'],
      ['signer-fra', 'signer-lon', 'signer-ams'],
    ]);
    const alone = { ...cosmos.identities[0]!, standby: [], upstream: [cosmos.identities[0]!.upstream[0]!] };
    assert.deepEqual(conflictGroups({ ...cosmos, identities: [alone] }), []);
  });
});

describe('jump hosts', () => {
  test('a jump host restarts in a wave of its own, before the hosts reached through it', () => {
    // ethereum: every host is reached through bastion-fra; the other hosts all reload sshd
    const others = rolloutStages(ethereum, ['witness-ams', 'bastion-fra', 'monitor-ams'], new Set(all(ethereum)));
    assert.deepEqual(others.find((s) => s.name === 'other hosts')!.waves, [
      ['bastion-fra'],
      ['witness-ams', 'monitor-ams'],
    ]);
    // hosts behind one jump host are not rivals of each other
    const validators = rolloutStages(ethereum, ['vc-fra'], new Set(['vc-fra']));
    assert.deepEqual(validators[0]!.waves, [['vc-fra']]);
  });
});

describe('hosts with nothing to restart', () => {
  test('the jump host others are reached through goes first, alone; the rest then together', () => {
    // ethereum: every host is reached through bastion-fra (the ssh defaults' jump)
    const others = rolloutStages(ethereum, all(ethereum), new Set()).find((s) => s.name === 'other hosts')!;
    assert.deepEqual(others.quiet.slice().sort(), ['bastion-fra', 'monitor-ams', 'witness-ams']);
    assert.deepEqual(quietGroups(ethereum, others.quiet), [['bastion-fra'], ['witness-ams', 'monitor-ams']]);
    assert.deepEqual(quietGroups(ethereum, ['witness-ams', 'monitor-ams']), [['witness-ams', 'monitor-ams']]);
    assert.deepEqual(quietGroups(ethereum, []), []);
  });

  test('without jump hosts, one group as before', () => {
    const direct = resolveInventory({
      ...(parse(example('ethereum')) as Inventory),
      ssh: { ...(parse(example('ethereum')) as Inventory).ssh, jump: undefined },
    } as Inventory);
    assert.equal(
      direct.hosts.some((h) => h.ssh.jump),
      false,
    );
    assert.deepEqual(quietGroups(direct, ['bastion-fra', 'witness-ams']), [['bastion-fra', 'witness-ams']]);
  });
});
