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

describe('preflight: several keys and services, named together', () => {
  const pool = inventory('cardano').identities[0]!;
  const cardanoPlan = { ...plan, family: 'cardano' as const, identity: pool.name, from: 'bp-fra', to: 'bp-nyc' };
  const services = [
    { name: 'cardano-node', port: 3001 },
    { name: 'mithril', port: 9090 },
  ];
  const run = (views: ReturnType<typeof view>[]) =>
    preflightChecks({
      plan: cardanoPlan,
      identity: pool,
      views,
      keys: validatorKeyFiles('cardano'),
      services,
      now: NOW,
    });
  const keys = (state: string) => ['kes.skey', 'vrf.skey', 'node.cert'].map((k) => `K\t${k}\t${state}`);
  const g = `G\t${record('bp-fra')}`;

  test('every key the target already holds, and every sealed one, is listed', () => {
    const target = view('bp-nyc', ['K\tkes.skey\tactive', 'K\tvrf.skey\tboth', g]);
    const all = run([view('bp-fra', [...keys('active'), g]), target, view('witness-sgp', [g])]);
    assert.equal(
      named(all, 'target holds no active key')[0]!.detail,
      "bp-nyc already holds kes.skey, vrf.skey at the client's path",
    );
    assert.equal(named(all, 'target holds the sealed key')[0]!.detail, 'bp-nyc has no sealed kes.skey, node.cert');
    const sealed = run([
      view('bp-fra', [...keys('active'), g]),
      view('bp-nyc', [...keys('sealed'), g]),
      view('witness-sgp', [g]),
    ]);
    assert.equal(named(sealed, 'target holds the sealed key')[0]!.detail, 'sealed kes.skey, vrf.skey, node.cert');
  });

  test('every signing service is judged: all running, or each one down named', () => {
    const up = ['S\tcardano-node\trunning', 'L\t3001\tyes', 'S\tmithril\trunning', 'L\t9090\tyes'];
    const fine = run([
      view('bp-fra', [...keys('active'), g]),
      view('bp-nyc', [...keys('sealed'), ...up, g]),
      view('witness-sgp', [g]),
    ]);
    assert.equal(
      named(fine, 'target client healthy')[0]!.detail,
      'cardano-node running, answering on 3001; mithril running, answering on 9090',
    );
    const down = run([
      view('bp-fra', [...keys('active'), g]),
      view('bp-nyc', [...keys('sealed'), g]),
      view('witness-sgp', [g]),
    ]);
    assert.equal(
      named(down, 'target client healthy')[0]!.detail,
      'cardano-node unknown, nothing on port 3001; mithril unknown, nothing on port 9090',
    );
  });

  test("the old host's active keys are named; one holding them sealed holds none", () => {
    const active = run([
      view('bp-fra', ['K\tkes.skey\tactive', 'K\tvrf.skey\tboth', 'K\tnode.cert\tsealed', g]),
      view('bp-nyc', [g]),
      view('witness-sgp', [g]),
    ]);
    assert.equal(named(active, 'old host reachable')[0]!.detail, 'bp-fra answered; it holds kes.skey, vrf.skey');
  });

  test('an old host or a target that did not answer has no files: the carry refuses, it does not fail', () => {
    const noOld = run([{ host: 'bp-fra', error: 'timed out' }, view('bp-nyc', [g]), view('witness-sgp', [g])]);
    assert.equal(named(noOld, 'slashing protection')[0]!.ok, false);
    const noTarget = run([view('bp-fra', [g]), { host: 'bp-nyc', error: 'timed out' }, view('witness-sgp', [g])]);
    assert.match(named(noTarget, 'slashing protection')[0]!.detail, /node\.cert is missing/);
    const unasked = run([view('witness-sgp', [g])]);
    assert.equal(named(unasked, 'slashing protection')[0]!.ok, false);
  });
});
