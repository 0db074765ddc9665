/** Lab addresses: distinct per host, public and private on their own networks, never shared between slots. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressesOf, planAddresses } from '../../src/lab/addressing.js';
import { inCidr } from '../../src/lab/firewall-matrix.js';
import { example } from '../support/helpers.js';
import { FAMILIES, resolved } from '../support/lab.js';

describe('lab addresses', () => {
  for (const family of FAMILIES) {
    test(`${family}: every host gets distinct lab addresses, public and private on their own /24s`, () => {
      const inv = resolved(example(family));
      const a = planAddresses(inv, 'netns', 3);
      const all = inv.hosts.flatMap((h) => addressesOf(a.hosts[h.name]!));
      assert.equal(new Set(all).size, all.length);
      for (const h of inv.hosts) {
        const lab = a.hosts[h.name]!;
        assert.equal(lab.privateAddress !== undefined, h.privateAddress !== h.address, h.name);
        if (lab.privateAddress) assert.ok(inCidr(lab.address, a.publicNet) && inCidr(lab.privateAddress, a.privateNet));
        else assert.ok(inCidr(lab.address, a.privateNet));
      }
      assert.ok(inCidr(a.operator, a.privateNet) && inCidr(a.internet!, a.publicNet));
      assert.ok(!all.includes(a.operator) && !all.includes(a.internet!));
    });
  }

  test('two slots never share an address; every slot stays inside 198.18.0.0/15', () => {
    const inv = resolved(example('cosmos'));
    const seen = new Set<string>();
    for (const slot of [0, 1, 127, 128, 255]) {
      const a = planAddresses(inv, 'netns', slot);
      for (const h of Object.values(a.hosts)) {
        for (const address of addressesOf(h)) {
          assert.ok(inCidr(address, '198.18.0.0/15'), address);
          assert.ok(!seen.has(address), `${address} reused by slot ${slot}`);
          seen.add(address);
        }
      }
    }
    assert.throws(() => planAddresses(inv, 'netns', 256), /outside/);
  });

  test('loopback labs live in 127.77.x / 127.78.x, never 127.0.0.1', () => {
    const a = planAddresses(resolved(example('ethereum')), 'loopback', 9);
    for (const h of Object.values(a.hosts))
      for (const address of addressesOf(h)) assert.match(address, /^127\.7[78]\.9\.\d+$/);
    assert.equal(a.internet, undefined);
  });
});
