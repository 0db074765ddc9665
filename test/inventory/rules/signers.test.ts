/**
 * The signer group rules at their boundaries: a threshold is a strict majority of the group
 * (two disjoint halves could otherwise each sign), no datacenter holds a quorum, losing one
 * datacenter leaves enough signers, whole-key signers stand alone, and every validator client
 * can speak to its group. Each case validates a whole inventory built from the ethereum example.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Inventory } from '../../../src/inventory/schema.js';
import { findingText, FOUR_SITES, ID, signerFindings, withSigners } from '../../support/signer-inventory.js';
import { validateText } from '../../support/helpers.js';
import { InventoryBuilder } from '../../support/inventory-builder.js';

describe('signer threshold: a strict majority of the group', () => {
  test('a 2-of-4 signer group is refused: two disjoint pairs could each sign', () => {
    assert.deepEqual(signerFindings(withSigners(FOUR_SITES, { client: 'dirk', threshold: 2 })), [
      `signer-threshold: signer threshold 2 of "${ID}" is not a strict majority of 4: two disjoint groups could sign conflicting messages | use a threshold from 3 to 4`,
    ]);
  });

  test('a 3-of-4 signer group over four datacenters passes', () => {
    assert.deepEqual(signerFindings(withSigners(FOUR_SITES, { client: 'dirk', threshold: 3 })), []);
  });

  test('a 2-of-3 group passes (the smallest strict majority), and 1 of 3 is refused', () => {
    const three = { 'signer-fra': 'fra1', 'signer-lon': 'lon1', 'signer-ams': 'ams1' };
    assert.deepEqual(signerFindings(withSigners(three, { client: 'dirk', threshold: 2 })), []);
    assert.deepEqual(signerFindings(withSigners(three, { client: 'dirk', threshold: 1 })), [
      `signer-threshold: signer threshold 1 of "${ID}" is not a strict majority of 3: two disjoint groups could sign conflicting messages | use a threshold from 2 to 3`,
    ]);
  });

  test('a threshold above the group, or below 1, is refused and says which', () => {
    assert.deepEqual(signerFindings(withSigners(FOUR_SITES, { client: 'dirk', threshold: 5 })), [
      `signer-threshold: signer threshold 5 of "${ID}" is above the 4 signer hosts | use a threshold from 3 to 4`,
    ]);
    assert.deepEqual(signerFindings(withSigners(FOUR_SITES, { client: 'dirk', threshold: 0 })), [
      `signer-threshold: signer threshold 0 of "${ID}" is below 1 | use a threshold from 3 to 4`,
    ]);
  });

  test('no threshold means every host must sign: 4 of 4 over four sites is then short when a site is lost', () => {
    assert.deepEqual(signerFindings(withSigners(FOUR_SITES, { client: 'dirk' })), [
      `signer-dc-availability: losing fra1 leaves 3 signers of "${ID}", below its threshold 4 | add a signer host in another datacenter, or lower the threshold (keeping a strict majority)`,
    ]);
  });
});

describe('signer datacenters', () => {
  test('a datacenter holding as many signers as the threshold is refused: that site alone could sign', () => {
    const twoInFra = { 'signer-fra': 'fra1', 'signer-fra-2': 'fra1', 'signer-lon': 'lon1' };
    assert.deepEqual(signerFindings(withSigners(twoInFra, { client: 'dirk', threshold: 2 })), [
      `signer-dc-quorum: fra1 alone holds 2 of the 2 signatures "${ID}" needs | spread the signer hosts so no datacenter holds a quorum`,
    ]);
  });

  test('a datacenter holding one signer fewer than the threshold, and losing it leaving exactly the threshold, is fine', () => {
    const twoInFra = {
      'signer-fra': 'fra1',
      'signer-fra-2': 'fra1',
      'signer-lon': 'lon1',
      'signer-ams': 'ams1',
      'signer-waw': 'waw1',
    };
    assert.deepEqual(signerFindings(withSigners(twoInFra, { client: 'dirk', threshold: 3 })), []);
  });

  test('losing the biggest datacenter must leave the threshold: 3 of 3 over three sites does not', () => {
    const three = { 'signer-fra': 'fra1', 'signer-lon': 'lon1', 'signer-ams': 'ams1' };
    assert.deepEqual(signerFindings(withSigners(three, { client: 'dirk', threshold: 3 })), [
      `signer-dc-availability: losing fra1 leaves 2 signers of "${ID}", below its threshold 3 | add a signer host in another datacenter, or lower the threshold (keeping a strict majority)`,
    ]);
  });

  test('a group of one threshold signer: no datacenter quorum to speak of, but losing its site leaves none', () => {
    assert.deepEqual(signerFindings(withSigners({ 'signer-fra': 'fra1' }, { client: 'dirk', threshold: 1 })), [
      `signer-dc-availability: losing fra1 leaves 0 signers of "${ID}", below its threshold 1 | add a signer host in another datacenter, or lower the threshold (keeping a strict majority)`,
    ]);
  });

  test('two signers over two sites, both needed: losing either leaves one', () => {
    const two = { 'signer-fra': 'fra1', 'signer-lon': 'lon1' };
    assert.deepEqual(signerFindings(withSigners(two, { client: 'dirk', threshold: 2 })), [
      `signer-dc-availability: losing fra1 leaves 1 signer of "${ID}", below its threshold 2 | add a signer host in another datacenter, or lower the threshold (keeping a strict majority)`,
    ]);
  });
});

describe('whole-key signers and the clients of a group', () => {
  /** The ethereum example signing through web3signer: lighthouse validator clients, web3signer hosts. */
  function web3signer(hosts: Record<string, string>, threshold?: number): Inventory {
    const inv = withSigners(
      hosts,
      threshold === undefined ? { client: 'web3signer' } : { client: 'web3signer', threshold },
      'web3signer',
    );
    inv.hosts['vc-fra']!.client = 'lighthouse';
    inv.hosts['vc-lon']!.client = 'lighthouse';
    return inv;
  }

  test('one web3signer host without a threshold is a signer: nothing to say', () => {
    assert.deepEqual(signerFindings(web3signer({ 'signer-fra': 'fra1' })), []);
  });

  test('two web3signer hosts hold the whole key twice: refused, pointing at the hosts', () => {
    const inv = web3signer({ 'signer-fra': 'fra1', 'signer-lon': 'lon1' });
    assert.deepEqual(signerFindings(inv), [
      `signer-threshold: web3signer holds the whole key on each host: 2 hosts with threshold 2 for "${ID}" | web3signer is not threshold signing: use one host and no threshold, or a threshold signer (dirk)`,
    ]);
  });

  test('one web3signer host with a threshold above 1 is refused too', () => {
    assert.deepEqual(signerFindings(web3signer({ 'signer-fra': 'fra1' }, 2)), [
      `signer-threshold: web3signer holds the whole key on each host: 1 host with threshold 2 for "${ID}" | web3signer is not threshold signing: use one host and no threshold, or a threshold signer (dirk)`,
    ]);
  });

  test('a signer host running another client than its group is named', () => {
    const inv = withSigners(
      { 'signer-fra': 'fra1', 'signer-lon': 'lon1', 'signer-ams': 'ams1' },
      { client: 'dirk', threshold: 2 },
    );
    inv.clients = { ...inv.clients, web3signer: { version: '1.0.0' } };
    inv.hosts['signer-lon']!.client = 'web3signer';
    assert.deepEqual(signerFindings(inv), [
      `tier-client-mismatch: signer host "signer-lon" runs web3signer, but the signer group of "${ID}" is dirk | make the host's client dirk, or the group's client web3signer`,
    ]);
  });

  test('a validator client that cannot speak to the group, and vouch without a group, are refused', () => {
    const three = { 'signer-fra': 'fra1', 'signer-lon': 'lon1', 'signer-ams': 'ams1' };
    const lighthouse = withSigners(three, { client: 'dirk', threshold: 2 });
    lighthouse.hosts['vc-lon']!.client = 'lighthouse';
    assert.deepEqual(signerFindings(lighthouse), [
      `tier-client-mismatch: validator "vc-lon" runs lighthouse, which cannot sign through dirk | with dirk, run vouch on the validator hosts`,
    ]);
    const alone = InventoryBuilder.example('ethereum').setSigner(ID, undefined).build();
    assert.deepEqual(signerFindings(alone), [
      `tier-client-mismatch: validator "vc-fra" runs vouch, which keeps no slashing protection and needs a dirk signer group | add signer: { client: dirk, threshold, hosts } to "${ID}"`,
      `tier-client-mismatch: validator "vc-lon" runs vouch, which keeps no slashing protection and needs a dirk signer group | add signer: { client: dirk, threshold, hosts } to "${ID}"`,
    ]);
  });

  test('a signer of another chain family is refused once; its validator clients are not judged against it', () => {
    const inv = withSigners({ 'signer-fra': 'fra1' }, { client: 'tmkms' }, 'tmkms');
    // the host rules also refuse tmkms on an ethereum host (hosts.ts); the group's finding is the signer rule's
    assert.deepEqual(
      signerFindings(inv).filter((f) => !f.includes('(host "')),
      [`tier-client-mismatch: tmkms is not a ethereum signer (identity "${ID}") | pick a signer of this chain family`],
    );
  });

  test('a cardano identity with a signer group is told that block producers sign locally', () => {
    const inv = InventoryBuilder.example('cardano').build();
    const [id] = Object.keys(inv.validators);
    inv.validators[id!]!.signer = { client: 'dirk', threshold: 1, hosts: [inv.validators[id!]!.active] };
    const { diagnostics } = validateText(InventoryBuilder.of(inv).text());
    assert.deepEqual(
      diagnostics.filter((d) => d.id === 'tier-client-mismatch' && d.summary.includes('signer')).map(findingText),
      [
        `tier-client-mismatch: dirk is not a cardano signer (identity "${id}") | cardano block producers sign locally: remove signer:`,
      ],
    );
  });
});
