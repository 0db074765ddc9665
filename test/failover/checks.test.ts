/** The preflight's verdicts on what each quorum host's probe said. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { preflightChecks, refusals, type HostView } from '../../src/failover/checks.js';
import type { FailoverPlan } from '../../src/failover/plan.js';
import { parseProbe } from '../../src/failover/scripts.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { validatorKeyFiles } from '../../src/keys/layout.js';
import { plan } from '../support/failover-plan.js';
import { example, validateText } from '../support/helpers.js';

describe('preflight', () => {
  const inv = resolveInventory(validateText(example('cosmos')).inventory!);
  const identity = inv.identities[0]!;
  const record = (active: string, generation = 3) =>
    JSON.stringify({ generation, active, since: 't', approvers: [], plan: 'p' });
  const healthy = (): HostView[] => [
    {
      host: 'val-fra',
      probe: parseProbe(
        `K\tpriv_validator_key.json\tactive\nS\tcometbft\trunning\nL\t26656\tyes\nG\t${record('val-fra')}\n`,
      ),
    },
    {
      host: 'val-waw',
      probe: parseProbe(
        `K\tpriv_validator_key.json\tsealed\nS\tcometbft\trunning\nL\t26656\tyes\nG\t${record('val-fra')}\n`,
      ),
    },
    { host: 'witness-ams', probe: parseProbe(`G\t${record('val-fra')}\n`) },
  ];
  const judge = (views: HostView[], p: FailoverPlan = plan) =>
    refusals(
      preflightChecks({
        plan: p,
        identity,
        views,
        keys: validatorKeyFiles('cosmos'),
        services: [{ name: 'cometbft', port: 26656 }],
        now: new Date(),
      }),
    );
  const swap = (views: HostView[], host: string, text: string) =>
    views.map((v) => (v.host === host ? { host, probe: parseProbe(text) } : v));

  test('a healthy quorum passes (the unobserved sync is a warning, not a refusal)', () =>
    assert.deepEqual(judge(healthy()), []));
  test('the target already holding the key', () =>
    assert.deepEqual(
      judge(
        swap(
          healthy(),
          'val-waw',
          `K\tpriv_validator_key.json\tboth\nS\tcometbft\trunning\nL\t26656\tyes\nG\t${record('val-fra')}\n`,
        ),
      ).map((c) => c.name),
      ['target holds no active key'],
    ));
  test('an unreachable target', () =>
    assert.ok(
      judge(healthy().map((v) => (v.host === 'val-waw' ? { host: 'val-waw', error: 'connection refused' } : v))).some(
        (c) => c.name === 'target reachable',
      ),
    ));
  test('a target whose client is down', () =>
    assert.deepEqual(
      judge(
        swap(
          healthy(),
          'val-waw',
          `K\tpriv_validator_key.json\tsealed\nS\tcometbft\tdisabled\nL\t26656\tno\nG\t${record('val-fra')}\n`,
        ),
      ).map((c) => c.name),
      ['target client healthy'],
    ));
  test('a lock held by another plan names its holder', () => {
    const views = swap(
      healthy(),
      'witness-ams',
      `G\t${record('val-fra')}\nX\t${JSON.stringify({ plan: 'OTHR-PLAN', by: 'carol@laptop', since: 'then' })}\n`,
    );
    const [lock] = judge(views);
    assert.equal(lock?.name, 'lock');
    assert.match(lock!.detail, /OTHR-PLAN of carol@laptop/);
  });
  test('an unreachable old host, unless approved as dead (then only with a chain to watch)', () => {
    const views = healthy().map((v) => (v.host === 'val-fra' ? { host: 'val-fra', error: 'timed out' } : v));
    assert.deepEqual(
      judge(views).map((c) => c.name),
      ['old host reachable'],
    );
    assert.deepEqual(
      judge(views, { ...plan, oldHostDead: true }).map((c) => c.name),
      ['old host silent'],
    );
  });
  test('a witness that disagrees about the active host', () =>
    assert.deepEqual(
      judge(swap(healthy(), 'witness-ams', `G\t${record('val-waw')}\n`)).map((c) => c.name),
      ['witness agrees'],
    ));
  test('a plan made at an older generation', () =>
    assert.deepEqual(
      judge(healthy(), { ...plan, generation: 2 }).map((c) => c.name),
      ['live generation'],
    ));
});
