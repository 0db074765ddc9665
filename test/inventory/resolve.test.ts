import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { edit, example, validateText } from '../support/helpers.js';
import { InventoryBuilder } from '../support/inventory-builder.js';

const resolve = (text: string) => {
  const r = validateText(text);
  assert.ok(r.inventory, JSON.stringify(r.diagnostics));
  return resolveInventory(r.inventory);
};

describe('resolved inventory', () => {
  test('ssh defaults merge under host settings; the jump host does not jump through itself', () => {
    const inv = resolve(
      InventoryBuilder.example('cosmos')
        .setHost('val-fra', { ssh: { port: 2222, user: 'ops' } })
        .text(),
    );
    const val = inv.host('val-fra');
    assert.deepEqual(val.ssh, {
      user: 'ops',
      port: 2222,
      knownHosts: './known_hosts',
      jump: 'bastion-fra',
      jumpFromDefault: true,
      become: 'sudo',
    });
    assert.equal(inv.host('bastion-fra').ssh.jump, undefined);
    assert.equal(inv.host('sentry-fra-1').ssh.user, 'stake');
  });

  test('ports are the client defaults with overrides applied', () => {
    const inv = resolve(
      InventoryBuilder.example('cosmos')
        .setHost('val-fra', { ports: { p2p: 26756 } })
        .text(),
    );
    assert.equal(inv.host('val-fra').ports.p2p?.port, 26756);
    assert.equal(inv.host('val-fra').ports.rpc?.port, 26657);
    const eth = resolve(example('ethereum'));
    assert.equal(eth.host('beacon-fra-1').ports.http?.port, 5052, 'lighthouse beacon API');
    assert.equal(eth.host('beacon-fra-2').ports.http?.port, 5051, 'teku beacon API');
    assert.equal(eth.host('beacon-fra-1').ports.engine?.port, 8551, 'geth engine API');
  });

  test('defaults: public sentries unless public: false, root /, systemd, firewall enforced', () => {
    const inv = resolve(example('cosmos'));
    assert.equal(inv.host('sentry-fra-1').public, true);
    assert.equal(inv.host('sentry-fra-2').public, false);
    assert.equal(inv.host('val-fra').public, false);
    assert.equal(inv.host('sentry-fra-1').privateAddress, '10.1.0.11');
    assert.equal(inv.host('sentry-fra-2').privateAddress, '10.1.0.12');
    assert.deepEqual(
      [inv.host('val-fra').root, inv.host('val-fra').init, inv.host('val-fra').firewall],
      ['/', 'systemd', 'enforce'],
    );
  });

  test('identities hold host objects; signer groups default their threshold to all hosts', () => {
    const eth = resolve(example('ethereum'));
    const id = eth.identities[0]!;
    assert.equal(id.active.name, 'vc-fra');
    assert.deepEqual(
      id.standby.map((h) => h.name),
      ['vc-lon'],
    );
    assert.equal(id.signer?.threshold, 2);
    assert.equal(id.witness?.name, 'witness-ams');
    const noThreshold = resolve(edit(example('ethereum'), '      threshold: 2\n', ''));
    assert.equal(noThreshold.identities[0]!.signer?.threshold, 3);
  });
});
