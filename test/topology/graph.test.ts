import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveInventory, type ResolvedInventory } from '../../src/inventory/resolve.js';
import { computeGraph, sourceLabel, type Flow } from '../../src/topology/graph.js';
import { example, validateText } from '../support/helpers.js';
import { InventoryBuilder } from '../support/inventory-builder.js';

const resolve = (text: string): ResolvedInventory => resolveInventory(validateText(text).inventory!);
const show = (f: Flow) => `${sourceLabel(f.from)} -> ${f.to} ${f.port}/${f.protocol}`;
const into = (flows: Flow[], host: string) =>
  flows
    .filter((f) => f.to === host)
    .map(show)
    .sort();

describe('topology graph', () => {
  const cosmos = resolve(example('cosmos'));
  const eth = resolve(example('ethereum'));
  const ada = resolve(example('cardano'));

  test('a cosmos validator accepts exactly: its sentries p2p, SSH from bastion and admins, metrics and node exporter from the monitor, its loopback RPC', () => {
    const flows = computeGraph(cosmos).flows;
    assert.deepEqual(
      into(flows, 'val-fra'),
      [
        '10.3.0.9 -> val-fra 26660/tcp'.replace('10.3.0.9', 'monitor-ams'),
        'monitor-ams -> val-fra 9100/tcp',
        '198.51.100.0/24 -> val-fra 22/tcp',
        'bastion-fra -> val-fra 22/tcp',
        'sentry-fra-1 -> val-fra 26656/tcp',
        'sentry-fra-2 -> val-fra 26656/tcp',
        'sentry-waw-1 -> val-fra 26656/tcp',
        'sentry-waw-2 -> val-fra 26656/tcp',
        'val-fra -> val-fra 26657/tcp',
      ].sort(),
    );
  });

  test('public sentries take p2p from the internet; private sentries only from their own validators and sentries', () => {
    const flows = computeGraph(cosmos).flows;
    assert.ok(into(flows, 'sentry-fra-1').includes('internet -> sentry-fra-1 26656/tcp'));
    const privateSentry = into(flows, 'sentry-fra-2').filter((f) => f.endsWith('26656/tcp'));
    assert.deepEqual(
      privateSentry,
      ['sentry-fra-1', 'sentry-waw-1', 'sentry-waw-2', 'val-fra', 'val-waw'].map(
        (h) => `${h} -> sentry-fra-2 26656/tcp`,
      ),
    );
  });

  test('no validator or signer host accepts anything from the internet, in any example', () => {
    for (const inv of [cosmos, eth, ada]) {
      for (const f of computeGraph(inv).flows.filter((x) => x.from.kind === 'internet')) {
        assert.ok(
          ['sentry', 'relay', 'beacon'].includes(inv.host(f.to).tier),
          `${show(f)} reaches a ${inv.host(f.to).tier}`,
        );
        assert.equal(inv.host(f.to).public, true);
      }
    }
  });

  test('ethereum: validator clients call every upstream beacon API and every dirk; dirks peer; engine API stays on loopback', () => {
    const flows = computeGraph(eth).flows;
    for (const vc of ['vc-fra', 'vc-lon']) {
      for (const [beacon, port] of [
        ['beacon-fra-1', 5052],
        ['beacon-fra-2', 5051],
        ['beacon-lon-1', 5051],
        ['beacon-lon-2', 5052],
      ] as const) {
        assert.ok(into(flows, beacon).includes(`${vc} -> ${beacon} ${port}/tcp`), `${vc} -> ${beacon}`);
      }
      for (const signer of ['signer-fra', 'signer-lon', 'signer-ams'])
        assert.ok(into(flows, signer).includes(`${vc} -> ${signer} 13141/tcp`));
    }
    assert.ok(into(flows, 'signer-ams').includes('signer-fra -> signer-ams 13141/tcp'));
    const engine = flows.filter((f) => f.service === 'engine');
    assert.equal(engine.length, 4);
    assert.ok(engine.every((f) => f.local && sourceLabel(f.from) === f.to));
    assert.ok(into(flows, 'beacon-fra-1').includes('internet -> beacon-fra-1 9001/udp'), 'lighthouse QUIC');
    assert.ok(into(flows, 'beacon-fra-1').includes('internet -> beacon-fra-1 30303/udp'), 'geth discovery');
  });

  test('cardano: block producers and relays peer both ways; relays with each other', () => {
    const flows = computeGraph(ada).flows;
    assert.ok(into(flows, 'bp-fra').includes('relay-nyc-2 -> bp-fra 3001/tcp'));
    assert.ok(into(flows, 'relay-nyc-2').includes('bp-fra -> relay-nyc-2 3001/tcp'));
    assert.ok(into(flows, 'relay-fra-1').includes('relay-nyc-1 -> relay-fra-1 3001/tcp'));
    assert.equal(into(flows, 'bp-fra').filter((f) => f.startsWith('internet')).length, 0);
  });

  test('SSH: bastions only from admin networks; a host reached through a non-bastion jump host accepts SSH from it', () => {
    const flows = computeGraph(cosmos).flows;
    assert.deepEqual(
      into(flows, 'bastion-fra').filter((f) => f.endsWith('22/tcp')),
      ['198.51.100.0/24 -> bastion-fra 22/tcp'],
    );
    const chained = resolve(
      InventoryBuilder.example('cosmos')
        .setHost('val-fra', { ssh: { jump: 'sentry-fra-2' } })
        .text(),
    );
    const ssh = into(computeGraph(chained).flows, 'val-fra').filter((f) => f.endsWith('22/tcp'));
    assert.ok(ssh.includes('sentry-fra-2 -> val-fra 22/tcp'));
  });

  test('each flow names the inventory paths that cause it', () => {
    for (const f of computeGraph(eth).flows) assert.ok(f.because.length > 0 && f.purpose.length > 0, show(f));
  });

  test('the graph is deterministic', () => {
    assert.deepEqual(computeGraph(resolve(example('ethereum'))), computeGraph(eth));
  });
});
