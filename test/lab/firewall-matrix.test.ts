/** The firewall probe matrix: what each host must accept, from whom, and from which source address. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedMatrix, inCidr, sourceAddress } from '../../src/lab/firewall-matrix.js';
import { computeGraph } from '../../src/topology/graph.js';
import { labOf, resolved } from '../support/lab.js';

describe('firewall matrix', () => {
  test('cosmos: what the validator accepts, from whom', () => {
    const { out, a } = labOf('cosmos', 'netns', 0);
    const inv = resolved(out);
    const cases = expectedMatrix(inv, computeGraph(inv), a);
    const at = (from: string, to: string, port: number) =>
      cases.find((c) => c.from === from && c.to === to && c.port === port)!;
    assert.equal(at('sentry-fra-1', 'val-fra', 26656).expected, true);
    assert.equal(at('internet', 'val-fra', 26656).expected, false);
    assert.equal(at('val-waw', 'val-fra', 26656).expected, false);
    assert.equal(at('internet', 'sentry-fra-1', 26656).expected, true);
    assert.equal(
      at('internet', 'sentry-fra-1', 26656).address,
      a.hosts['sentry-fra-1']!.address,
      'the internet probes the public address',
    );
    assert.equal(at('operator', 'bastion-fra', 22).expected, true);
    assert.equal(at('bastion-fra', 'val-fra', 22).expected, true);
    assert.equal(at('sentry-fra-1', 'val-fra', 22).expected, false);
    assert.equal(at('sentry-fra-1', 'val-fra', 26657).expected, false, 'rpc is loopback only');
    assert.equal(
      cases.some((c) => c.from === c.to),
      false,
    );
  });

  test('source address selection picks the address on the destination network', () => {
    const s = { name: 'x', kind: 'host' as const, addresses: ['198.18.1.2', '198.18.0.2'] };
    assert.equal(sourceAddress(s, '198.18.0.9'), '198.18.0.2');
    assert.equal(sourceAddress(s, '198.18.1.9'), '198.18.1.2');
    assert.equal(inCidr('10.1.2.3', '10.0.0.0/8'), true);
    assert.equal(inCidr('11.1.2.3', '10.0.0.0/8'), false);
    assert.equal(inCidr('10.1.2.3', '2001:db8::/32'), false);
  });
});
