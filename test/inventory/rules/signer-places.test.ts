/**
 * Where the signer rules point, and what they do with hosts that are not what the group expects:
 * each finding at the line an operator must edit (the threshold, the list of hosts, the one host),
 * unknown or misplaced hosts judged by their own rules and never counted as a signer site, and
 * the cosmos signers' validator client.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Inventory } from '../../../src/inventory/schema.js';
import { InventoryBuilder } from '../../support/inventory-builder.js';
import {
  findingText,
  ID,
  pointsAt,
  signerDiagnostics,
  signerFindings,
  withSigners,
} from '../../support/signer-inventory.js';

const THREE = { 'signer-fra': 'fra1', 'signer-lon': 'lon1', 'signer-ams': 'ams1' };

/** The one finding of the signer rules, and what it points at. */
function onlyFinding(inv: Inventory): { text: string; at: string } {
  const { text, found } = signerDiagnostics(inv);
  assert.equal(found.length, 1, found.map(findingText).join('\n'));
  return { text: findingText(found[0]!), at: pointsAt(text, found[0]!) };
}

describe('where signer findings point', () => {
  test('a threshold that is wrong points at the threshold key', () => {
    assert.equal(onlyFinding(withSigners(THREE, { client: 'dirk', threshold: 1 })).at, 'threshold: 1');
  });

  test('the list of hosts or the threshold, whichever the operator must change', () => {
    const lighthouse = (inv: Inventory) => {
      inv.hosts['vc-fra']!.client = 'lighthouse';
      inv.hosts['vc-lon']!.client = 'teku';
      return inv;
    };
    const twoWhole = lighthouse(
      withSigners({ 'signer-fra': 'fra1', 'signer-lon': 'lon1' }, { client: 'web3signer' }, 'web3signer'),
    );
    assert.equal(onlyFinding(twoWhole).at, 'hosts:', 'two whole-key hosts: the list of hosts');
    const oneWhole = lighthouse(
      withSigners({ 'signer-fra': 'fra1' }, { client: 'web3signer', threshold: 2 }, 'web3signer'),
    );
    assert.equal(onlyFinding(oneWhole).at, 'threshold: 2', 'one whole-key host with a threshold: the threshold');
    const full = withSigners(THREE, { client: 'dirk' });
    assert.equal(onlyFinding(full).at, 'hosts:', 'the datacenter rules: the list of hosts');
    assert.equal(onlyFinding(withSigners(THREE, { client: 'dirk', threshold: -1 })).at, 'threshold: -1');
  });

  test('two whole-key hosts are refused even with a threshold of 1', () => {
    const inv = withSigners(
      { 'signer-fra': 'fra1', 'signer-lon': 'lon1' },
      { client: 'web3signer', threshold: 1 },
      'web3signer',
    );
    inv.hosts['vc-fra']!.client = 'lighthouse';
    inv.hosts['vc-lon']!.client = 'teku';
    const { text, at } = onlyFinding(inv);
    assert.match(text, /^signer-threshold: web3signer holds the whole key on each host: 2 hosts with threshold 1/);
    assert.equal(at, 'hosts:');
  });

  test('a signer host of another client, and a signer of another family, point at that host and that client', () => {
    const mixed = withSigners(THREE, { client: 'dirk', threshold: 2 });
    mixed.clients = { ...mixed.clients, web3signer: { version: '1.0.0' } };
    mixed.hosts['signer-ams']!.client = 'web3signer';
    assert.equal(onlyFinding(mixed).at, 'signer-ams');
    const { text, found } = signerDiagnostics(withSigners({ 'signer-fra': 'fra1' }, { client: 'tmkms' }, 'tmkms'));
    const family = found.find((d) => d.summary.includes('(identity'))!;
    assert.equal(pointsAt(text, family), 'tmkms');
  });

  test('a validator client that cannot speak to the group points at that validator in the identity', () => {
    const lighthouse = withSigners(THREE, { client: 'dirk', threshold: 2 });
    lighthouse.hosts['vc-fra']!.client = 'lighthouse';
    const { text, at } = onlyFinding(lighthouse);
    assert.match(text, /validator "vc-fra" runs lighthouse/);
    assert.equal(at, 'vc-fra');
  });
});

describe('hosts the group does not expect', () => {
  test('signer hosts that do not exist are reported as unknown, never counted as a datacenter', () => {
    const inv = withSigners({ 'signer-fra': 'fra1' }, { client: 'dirk', threshold: 2 });
    inv.validators[ID]!.signer!.hosts = ['signer-fra', 'ghost-1', 'ghost-2'];
    const { found } = signerDiagnostics(inv);
    assert.deepEqual(found.map(findingText), [], 'two unknown hosts are no site holding two signatures');
  });

  test('the biggest datacenter is found wherever its hosts are listed', () => {
    const inv = withSigners(
      { 'signer-lon': 'lon1', 'signer-fra': 'fra1', 'signer-fra-2': 'fra1' },
      { client: 'dirk', threshold: 2 },
    );
    assert.deepEqual(signerFindings(inv), [
      `signer-dc-quorum: fra1 alone holds 2 of the 2 signatures "${ID}" needs | spread the signer hosts so no datacenter holds a quorum`,
    ]);
  });

  test('two signers in one datacenter needing both: that site holds the quorum', () => {
    const inv = withSigners({ 'signer-fra': 'fra1', 'signer-fra-2': 'fra1' }, { client: 'dirk', threshold: 2 });
    assert.deepEqual(signerFindings(inv), [
      `signer-dc-quorum: fra1 alone holds 2 of the 2 signatures "${ID}" needs | spread the signer hosts so no datacenter holds a quorum`,
    ]);
  });

  test('a host of another tier as the active host is not judged as a validator client (wrong-tier says it)', () => {
    const inv = InventoryBuilder.example('ethereum').setActive(ID, 'beacon-fra-1').build();
    assert.deepEqual(signerFindings(inv), []);
  });

  test('an active host that does not exist is an unknown reference, not a crash', () => {
    const inv = InventoryBuilder.example('ethereum').setActive(ID, 'vc-nowhere').build();
    assert.deepEqual(signerFindings(inv), []);
  });

  test('a validator client that cannot speak to web3signer is told both clients that can', () => {
    const inv = withSigners({ 'signer-fra': 'fra1' }, { client: 'web3signer' }, 'web3signer');
    inv.hosts['vc-fra']!.client = 'lighthouse';
    assert.deepEqual(signerFindings(inv), [
      'tier-client-mismatch: validator "vc-lon" runs vouch, which cannot sign through web3signer | with web3signer, run lighthouse or teku on the validator hosts',
    ]);
  });

  test('web3signer speaks to teku as to lighthouse', () => {
    const inv = withSigners({ 'signer-fra': 'fra1' }, { client: 'web3signer' }, 'web3signer');
    inv.hosts['vc-fra']!.client = 'teku';
    inv.hosts['vc-lon']!.client = 'lighthouse';
    assert.deepEqual(signerFindings(inv), []);
  });
});

describe('cosmos signer groups', () => {
  /** The cosmos example signing through `client` on these signer hosts (name → dc). */
  function cosmosSigners(client: 'tmkms' | 'horcrux', placed: Record<string, string>, threshold?: number): Inventory {
    const builder = InventoryBuilder.example('cosmos');
    Object.entries(placed).forEach(([name, dc], i) =>
      builder.addHost(name, { tier: 'signer', dc, address: `10.${i + 1}.0.60`, client }),
    );
    builder.setClient(client, { version: '1.0.0' });
    builder.setSigner('cosmoshub', { client, hosts: Object.keys(placed), ...(threshold ? { threshold } : {}) });
    return builder.build();
  }

  test('cometbft validators sign through one tmkms, or a horcrux group with a strict majority', () => {
    assert.deepEqual(signerFindings(cosmosSigners('tmkms', { 'kms-fra': 'fra1' })), []);
    const horcrux = { 'hx-fra': 'fra1', 'hx-waw': 'waw1', 'hx-ams': 'ams1' };
    assert.deepEqual(signerFindings(cosmosSigners('horcrux', horcrux, 2)), []);
  });

  test('two tmkms hosts hold the whole key twice: the way out is horcrux', () => {
    const [finding] = signerFindings(cosmosSigners('tmkms', { 'kms-fra': 'fra1', 'kms-waw': 'waw1' }));
    assert.match(finding!, /use one host and no threshold, or a threshold signer \(horcrux\)$/);
  });
});
