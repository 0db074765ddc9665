/**
 * The identity rules at their boundaries: each role filled by a host of its tier (named, and
 * pointed at), one host in one role, a standby elsewhere, a witness in a third site, and
 * upstreams in more than one. Each case validates a whole inventory built from the cosmos example.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Inventory, Validator } from '../../../src/inventory/schema.js';
import { validateText } from '../../support/helpers.js';
import { InventoryBuilder } from '../../support/inventory-builder.js';
import { findingText, pointsAt } from '../../support/signer-inventory.js';

const ID = 'cosmoshub';
const IDENTITY_RULES =
  /^(wrong-tier|double-active|no-standby|standby-same-dc|no-witness|witness-dc|single-upstream|upstream-single-dc)$/;

/** The identity rules' findings, each as `id: summary | hint @ what it points at`. */
function findings(inv: Inventory): string[] {
  const text = InventoryBuilder.of(inv).text();
  const { diagnostics, stage } = validateText(text);
  assert.equal(stage, 'rules', `schema errors: ${JSON.stringify(diagnostics)}`);
  return diagnostics.filter((d) => IDENTITY_RULES.test(d.id)).map((d) => `${findingText(d)} @ ${pointsAt(text, d)}`);
}
const cosmos = (fields: Partial<Validator> = {}, edit: (inv: Inventory) => void = () => {}) => {
  const inv = InventoryBuilder.example('cosmos').setIdentity(ID, fields).build();
  edit(inv);
  return inv;
};
const tierHint = (tier: string, host: string) => `name a ${tier} host here, or change the tier of "${host}"`;

describe('each role is filled by a host of its tier', () => {
  test('the example passes', () => assert.deepEqual(findings(cosmos()), []));

  test('the active host, a standby and an upstream of the wrong tier are each named and pointed at', () => {
    assert.deepEqual(
      findings(cosmos({ active: 'sentry-fra-1', upstream: ['sentry-fra-2', 'sentry-waw-1', 'sentry-waw-2'] })),
      [
        `wrong-tier: active host of "${ID}" "sentry-fra-1" is a sentry host, not a validator | ${tierHint('validator', 'sentry-fra-1')} @ sentry-fra-1`,
      ],
    );
    const wrongStandby = findings(cosmos({ standby: ['witness-ams'] }));
    assert.ok(
      wrongStandby.includes(
        `wrong-tier: standby of "${ID}" "witness-ams" is a witness host, not a validator | ${tierHint('validator', 'witness-ams')} @ witness-ams`,
      ),
      wrongStandby.join('\n'),
    );
    assert.deepEqual(findings(cosmos({ upstream: ['sentry-fra-1', 'val-waw', 'sentry-waw-1', 'sentry-waw-2'] })), [
      `wrong-tier: upstream of "${ID}" "val-waw" is a validator host, not a sentry | ${tierHint('sentry', 'val-waw')} @ val-waw`,
    ]);
  });

  test('the witness, a signer host and the monitor of the wrong tier are named too', () => {
    const w = findings(cosmos({ witness: 'monitor-ams' }));
    assert.ok(
      w.includes(
        `wrong-tier: witness of "${ID}" "monitor-ams" is a monitor host, not a witness | ${tierHint('witness', 'monitor-ams')} @ monitor-ams`,
      ),
      w.join('\n'),
    );
    const signer = findings(
      cosmos(
        { signer: { client: 'tmkms', hosts: ['witness-ams'] } },
        (inv) => (inv.clients = { ...inv.clients, tmkms: { version: '1' } }),
      ),
    );
    assert.ok(
      signer.includes(
        `wrong-tier: signer host of "${ID}" "witness-ams" is a witness host, not a signer | ${tierHint('signer', 'witness-ams')} @ witness-ams`,
      ),
      signer.join('\n'),
    );
    const monitor = findings(cosmos({}, (inv) => (inv.access!.monitor = 'witness-ams')));
    assert.deepEqual(monitor, [
      `wrong-tier: access.monitor "witness-ams" is a witness host, not a monitor | ${tierHint('monitor', 'witness-ams')} @ witness-ams`,
    ]);
    assert.deepEqual(findings(cosmos({}, (inv) => delete inv.access)), [], 'no access section: no monitor to judge');
  });
});

describe('one host in one role', () => {
  test('a standby that is also the active host, and a host in two identities, are refused where they repeat', () => {
    const hint =
      'a host serves one identity in one role: pick another host (two roles can end as two signers with one key)';
    const twice = findings(cosmos({ standby: ['val-fra'] }));
    assert.ok(
      twice.includes(
        `double-active: host "val-fra" is standby of "${ID}" and already active of "${ID}" | ${hint} @ val-fra`,
      ),
      twice.join('\n'),
    );
    const two = cosmos({}, (inv) => {
      inv.validators.second = {
        active: 'val-waw',
        standby: ['val-fra'],
        upstream: inv.validators[ID]!.upstream,
        witness: 'witness-ams',
      };
    });
    const found = findings(two).filter((f) => f.startsWith('double-active'));
    assert.deepEqual(found, [
      `double-active: host "val-waw" is active of "second" and already standby of "${ID}" | ${hint} @ val-waw`,
      `double-active: host "val-fra" is standby of "second" and already active of "${ID}" | ${hint} @ val-fra`,
    ]);
  });
});

describe('identities without standbys', () => {
  test('two identities that list no standby share nothing: no host is in two roles', () => {
    const two = cosmos({}, (inv) => {
      delete inv.validators[ID]!.standby;
      inv.validators.second = { active: 'val-waw', upstream: inv.validators[ID]!.upstream, witness: 'witness-ams' };
    });
    assert.deepEqual(
      findings(two).filter((f) => f.startsWith('double-active')),
      [],
    );
  });
});

describe('somewhere to fail over to, and a tie-breaker elsewhere', () => {
  test('no standby: nothing can take over, pointed at the identity', () => {
    assert.deepEqual(findings(cosmos({ standby: [] })), [
      `no-standby: identity "${ID}" has no standby host: if val-fra fails, nothing can take over | add standby: [a validator host in another datacenter] @ ${ID}:`,
    ]);
  });

  test("every standby in the active host's datacenter is refused; one elsewhere is enough", () => {
    const sameDc = (inv: Inventory) => (inv.hosts['val-waw']!.dc = 'fra1');
    assert.ok(
      findings(cosmos({}, sameDc)).includes(
        `standby-same-dc: every standby of "${ID}" is in fra1, like its active host | put a standby in another datacenter so losing one site does not stop signing @ standby:`,
      ),
    );
    const second = (inv: Inventory) => {
      sameDc(inv);
      inv.hosts['val-ams'] = { ...inv.hosts['val-waw']!, dc: 'ams1', address: '10.3.0.20' };
      inv.validators[ID]!.standby = ['val-waw', 'val-ams'];
    };
    assert.deepEqual(
      findings(cosmos({}, second)).filter((f) => f.startsWith('standby-same-dc')),
      [],
    );
  });

  test('a standby that does not exist is an unknown reference: no datacenter to compare', () => {
    assert.deepEqual(findings(cosmos({ standby: ['val-nowhere'] })), []);
  });

  test('a standby but no witness, and a witness beside a signing host, are refused', () => {
    assert.deepEqual(findings(cosmos({}, (inv) => delete inv.validators[ID]!.witness)), [
      `no-witness: identity "${ID}" has a standby but no witness | add witness: a witness host in a third datacenter, to break a split brain @ ${ID}:`,
    ]);
    const nextToStandby = (inv: Inventory) => (inv.hosts['witness-ams']!.dc = 'waw1');
    assert.deepEqual(findings(cosmos({}, nextToStandby)), [
      `witness-dc: witness "witness-ams" is in waw1, with a signing host of "${ID}" | place the witness in a third datacenter: next to one side it cannot break a split brain @ witness-ams`,
    ]);
  });
});

describe('upstreams', () => {
  test('one upstream, or none, is one failure from being cut off', () => {
    assert.deepEqual(findings(cosmos({ upstream: ['sentry-fra-1'] })), [
      `single-upstream: identity "${ID}" has 1 upstream host; one failure would cut it off | list at least two sentry hosts @ upstream:`,
    ]);
    assert.deepEqual(findings(cosmos({ upstream: [] })), [
      `single-upstream: identity "${ID}" has 0 upstream hosts; one failure would cut it off | list at least two sentry hosts @ upstream: []`,
    ]);
  });

  test('every upstream in one datacenter is refused, naming it; an unknown upstream is not a datacenter', () => {
    assert.deepEqual(findings(cosmos({ upstream: ['sentry-fra-1', 'sentry-fra-2'] })), [
      `upstream-single-dc: every upstream of "${ID}" is in fra1 | add a sentry in another datacenter @ upstream:`,
    ]);
    assert.deepEqual(findings(cosmos({ upstream: ['sentry-fra-1', 'sentry-nowhere'] })), []);
  });
});
