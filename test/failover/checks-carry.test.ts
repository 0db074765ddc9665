/** The preflight's slashing-protection check per family: which certificate it reads before fencing, and what it says. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { opcertCbor } from '../../src/chain/cardano-opcert.js';
import { preflightChecks } from '../../src/failover/checks.js';
import { stateFiles } from '../../src/failover/protection.js';
import { validatorKeyFiles } from '../../src/keys/layout.js';
import { plan } from '../support/failover-plan.js';
import { checks, healthy, inventory, named, NOW, record, view } from '../support/preflight.js';

describe('preflight: slashing protection per family', () => {
  const pool = inventory('cardano').identities[0]!;
  const cardanoPlan = { ...plan, family: 'cardano' as const, identity: pool.name, from: 'bp-fra', to: 'bp-nyc' };
  const cert = (counter: number) =>
    JSON.stringify({
      type: 'NodeOperationalCertificate',
      cborHex: opcertCbor(Buffer.alloc(32, 1), counter, 7, Buffer.alloc(64, 2), Buffer.alloc(32, 3)),
    });
  const [sealed] = stateFiles('cardano', pool.name, 'old');
  const ACTIVE = '/var/lib/cardano/keys/node.cert';
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const host = (name: string, files: Record<string, string>) =>
    view(name, [`G\t${record('bp-fra')}`, ...Object.entries(files).map(([p, t]) => `F\t${p}\t${b64(t)}`)]);
  const protection = (old: Record<string, string>, target: Record<string, string>) =>
    named(
      preflightChecks({
        plan: cardanoPlan,
        identity: pool,
        views: [host('bp-fra', old), host('bp-nyc', target), host('witness-sgp', {})],
        keys: validatorKeyFiles('cardano'),
        services: [],
        now: NOW,
      }),
      'slashing protection',
    );

  test('before fencing, the old certificate is read at the client path, where fencing will seal it from', () => {
    const [check] = protection({ [ACTIVE]: cert(5) }, { [sealed!]: cert(5) });
    assert.equal(check?.ok, true, check?.detail);
    assert.match(
      check!.detail,
      /^operational certificate counter 5 \(the old host's \/var\/lib\/stake\/sealed\/pool\/node\.cert 5\), KES period 7$/,
    );
    const [lower] = protection({ [ACTIVE]: cert(6) }, { [sealed!]: cert(5) });
    assert.equal(lower?.ok, false, 'the target is below the counter the old host forges with');
  });

  test('an already sealed old certificate is the one read; the one at the client path does not replace it', () => {
    const [check] = protection({ [sealed!]: cert(6), [ACTIVE]: cert(5) }, { [sealed!]: cert(5) });
    assert.equal(check?.ok, false);
    assert.match(check!.detail, /counter 5, below the 6 of the old host's/);
  });

  test('a certificate elsewhere than the client path, or inside the sealed folder, is not taken for the active one', () => {
    const [elsewhere] = protection({ '/home/x/node.cert.bak': cert(5) }, { [sealed!]: cert(5) });
    assert.equal(elsewhere?.ok, false, 'the old host has no certificate at the client path: missing');
    assert.match(elsewhere!.detail, /is missing/);
    assert.ok(protection({}, { [sealed!]: cert(5) })[0]!.hint, 'a refusal says what to do');
  });

  test('cosmos carries at fencing, so the preflight does not judge it; ethereum with signers passes', () => {
    assert.deepEqual(named(checks(healthy()), 'slashing protection'), []);
    const [eth] = named(
      checks(healthy(), {
        plan: { ...plan, family: 'ethereum' },
        signerGroup: { client: 'dirk', hosts: 3, threshold: 2 },
      }),
      'slashing protection',
    );
    assert.equal(eth?.ok, true);
    assert.match(eth!.detail, /stays with the dirk signers \(2 of 3\)/);
    assert.equal(eth!.hint, undefined, 'a passing check carries no hint');
    const [bare] = named(checks(healthy(), { plan: { ...plan, family: 'ethereum' } }), 'slashing protection');
    assert.equal(bare?.ok, false);
    assert.match(bare!.hint!, /stake protection merge/);
  });
});
