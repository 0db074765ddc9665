/**
 * What each preflight check says, check by check: its name, whether it passed, what it saw, and
 * (only when it failed) what to do. An operator reads these lines before approving a failover,
 * so a check that is right but says the wrong thing is a defect too.
 */
import type { TargetHead } from '../../src/failover/observer.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../support/failover-plan.js';
import { checks, cosmos, fail, healthy, KEY, named, ok, reading, record, replace, view } from '../support/preflight.js';

describe('preflight: what each check says', () => {
  test('a healthy quorum: every check passes, in order, and says what it saw; the sync is only a warning', () => {
    assert.deepEqual(checks(healthy()), [
      ok('live generation', 'generation 3, active val-fra (held by val-fra, val-waw, witness-ams)'),
      ok('lock', 'free'),
      ok('target reachable', 'val-waw answered over SSH'),
      ok('target holds no active key', "no key at the client's path"),
      ok('target holds the sealed key', 'sealed priv_validator_key.json'),
      ok('target client healthy', 'cometbft running, answering on 26656'),
      {
        name: 'target synced',
        ok: false,
        detail: 'not checked: stake has no chain observer for this inventory yet',
        refuses: false,
      },
      ok('old host reachable', 'val-fra answered; it holds priv_validator_key.json'),
      ok('witness agrees', 'witness-ams says val-fra is active (generation 3)'),
    ]);
  });

  test("with a chain observer: the target synced when its own head is within 5 of the chain's, refused when behind or syncing", () => {
    const chain = (target: TargetHead) => ({ reading: reading(1000), what: 'the chain', target, blockTimeMs: 6000 });
    assert.deepEqual(named(checks(healthy(), { chain: chain({ head: 996, syncing: false }) }), 'target synced'), [
      ok('target synced', 'val-waw: at 996, the chain at 1000 (the chain)'),
    ]);
    const hint = 'wait until the target follows the chain';
    assert.deepEqual(named(checks(healthy(), { chain: chain({ head: 990, syncing: false }) }), 'target synced'), [
      fail('target synced', "val-waw: its head 990 is 10 behind the chain's 1000 (at most 5) (the chain)", hint),
    ]);
    assert.deepEqual(named(checks(healthy(), { chain: chain({ head: 1000, syncing: true }) }), 'target synced'), [
      fail('target synced', 'val-waw: its client is still syncing (at 1000, the chain at 1000) (the chain)', hint),
    ]);
    // a fast chain: ten seconds of blocks, since the two heads are read a round trip apart
    assert.equal(
      named(
        checks(healthy(), { chain: { ...chain({ head: 960, syncing: false }), blockTimeMs: 200 } }),
        'target synced',
      )[0]!.ok,
      true,
    );
    assert.deepEqual(named(checks(healthy(), { chain: chain({ error: 'unreachable: timed out' }) }), 'target synced'), [
      fail('target synced', 'val-waw: its head cannot be read: unreachable: timed out (the chain)', hint),
    ]);
  });

  test("a stale inventory: told first, and the live generation is the quorum's, not the plan's", () => {
    const moved = healthy().map((v) => view(v.host, [`G\t${record('val-waw', 4)}`]));
    const all = checks(moved);
    assert.deepEqual(all.slice(0, 2), [
      fail(
        'inventory current',
        'this inventory says val-fra is active, but the quorum says val-waw (generation 4, 2026-11-01T00:00:00Z)',
        'pull the inventory that the last failover recorded, then plan again',
      ),
      fail(
        'live generation',
        'generation 4, active val-waw (held by val-fra, val-waw, witness-ams)',
        'the plan is older than the live state: someone failed over since; plan again',
      ),
    ]);
  });

  test('the live generation must match the plan in both generation and active host', () => {
    const otherActive = healthy().map((v) =>
      view(v.host, [`G\t${JSON.stringify({ ...JSON.parse(record('val-fra')), generation: 3 })}`]),
    );
    assert.equal(named(checks(otherActive, { plan: { ...plan, from: 'val-ams' } }), 'live generation')[0]!.ok, false);
    assert.equal(named(checks(healthy(), { plan: { ...plan, generation: 4 } }), 'live generation')[0]!.ok, false);
  });

  test('an identity never deployed, and a quorum that cannot tell, each say what to do', () => {
    const none = healthy().map((v) => view(v.host, []));
    assert.deepEqual(named(checks(none), 'live generation'), [
      fail(
        'live generation',
        'cosmoshub was never deployed (no generation record on its quorum hosts)',
        'deploy it first: stake deploy',
      ),
    ]);
    const alone = [healthy()[0]!, { host: 'val-waw', error: 'timed out' }, { host: 'witness-ams', error: 'timed out' }];
    assert.deepEqual(named(checks(alone), 'live generation'), [
      fail(
        'live generation',
        'only 1 of 3 quorum hosts (val-fra, val-waw, witness-ams) answered; 2 are needed to know which host is live',
        'bring the quorum hosts back, or finish the failover in progress (stake failover --resume)',
      ),
    ]);
  });
});

describe('preflight: the target, the old host and the witness', () => {
  test("another plan's lock names the hosts, the plan, who took it and since when; fields it lacks show as such", () => {
    const lock = JSON.stringify({ plan: 'OTHR-PLAN', by: 'carol@laptop', since: '2026-11-01T10:00:00Z' });
    const held = replace(
      replace(healthy(), view('witness-ams', [`G\t${record('val-fra')}`, `X\t${lock}`])),
      view('val-fra', [`K\t${KEY}\tactive`, `G\t${record('val-fra')}`, `X\t${lock}`]),
    );
    const hint =
      'another failover is running or was interrupted: finish it with stake failover --resume where it ran, or break the lock with two approvals';
    assert.deepEqual(named(checks(held), 'lock'), [
      fail('lock', 'held on val-fra, witness-ams by plan OTHR-PLAN of carol@laptop since 2026-11-01T10:00:00Z', hint),
    ]);
    const bare = replace(healthy(), view('witness-ams', [`G\t${record('val-fra')}`, 'X\t{}']));
    assert.deepEqual(named(checks(bare), 'lock'), [
      fail('lock', 'held on witness-ams by plan ? of someone since ?', hint),
    ]);
    assert.deepEqual(named(checks(held, { ownCode: 'OTHR-PLAN' }), 'lock'), [ok('lock', 'free')]);
  });

  test('an unreachable target says why, or that it was not asked; nothing else is judged on it', () => {
    const hint = 'bring the target back, or choose another standby';
    const down = replace(healthy(), { host: 'val-waw', error: 'connection refused' });
    const all = checks(down);
    assert.deepEqual(named(all, 'target reachable'), [fail('target reachable', 'val-waw: connection refused', hint)]);
    assert.deepEqual(named(all, 'target holds the sealed key'), []);
    const unasked = healthy().filter((v) => v.host !== 'val-waw');
    assert.deepEqual(named(checks(unasked), 'target reachable'), [
      fail('target reachable', 'val-waw: not asked', hint),
    ]);
  });

  test('a target key already active (or both active and sealed) is named; a missing sealed key is named', () => {
    const both = replace(healthy(), view('val-waw', [`K\t${KEY}\tboth`, 'S\tcometbft\trunning', 'L\t26656\tyes']));
    assert.deepEqual(named(checks(both), 'target holds no active key'), [
      fail(
        'target holds no active key',
        "val-waw already holds priv_validator_key.json at the client's path",
        'a standby must hold its key sealed only: find out how it got there before anything else (stake keys status)',
      ),
    ]);
    assert.equal(named(checks(both), 'target holds the sealed key')[0]!.ok, true, 'both: the sealed copy is there');
    const active = replace(healthy(), view('val-waw', [`K\t${KEY}\tactive`, 'S\tcometbft\trunning', 'L\t26656\tyes']));
    assert.deepEqual(named(checks(active), 'target holds the sealed key'), [
      fail(
        'target holds the sealed key',
        'val-waw has no sealed priv_validator_key.json',
        'push the key first: stake keys push cosmoshub --dir EXPORT',
      ),
    ]);
    const none = replace(healthy(), view('val-waw', ['S\tcometbft\trunning', 'L\t26656\tyes']));
    assert.equal(named(checks(none), 'target holds the sealed key')[0]!.ok, false);
    assert.equal(named(checks(none), 'target holds no active key')[0]!.ok, true);
  });

  test('a target client that is stopped, silent on its port, or unknown is named with what is wrong', () => {
    const hint = 'deploy the target (stake deploy --limit HOST) and let it sync';
    const target = (lines: string[]) =>
      named(checks(replace(healthy(), view('val-waw', [`K\t${KEY}\tsealed`, ...lines]))), 'target client healthy');
    assert.deepEqual(target(['S\tcometbft\tstopped', 'L\t26656\tno']), [
      fail('target client healthy', 'cometbft stopped, nothing on port 26656', hint),
    ]);
    assert.deepEqual(target(['S\tcometbft\trunning', 'L\t26656\tno']), [
      fail('target client healthy', 'cometbft running, nothing on port 26656', hint),
    ]);
    assert.deepEqual(target(['L\t26656\tyes']), [fail('target client healthy', 'cometbft unknown', hint)]);
  });

  test('a target that names another active host disagrees with the quorum', () => {
    const other = replace(
      healthy(),
      view('val-waw', [`K\t${KEY}\tsealed`, 'S\tcometbft\trunning', 'L\t26656\tyes', `G\t${record('val-ams', 2)}`]),
    );
    assert.deepEqual(named(checks(other), 'target agrees'), [
      fail(
        'target agrees',
        'val-waw says val-ams is active (generation 2)',
        'the quorum disagrees: run stake status and settle it before failing over',
      ),
    ]);
    assert.deepEqual(named(checks(healthy()), 'target agrees'), [], 'said only when it disagrees');
  });

  test('the old host: what it holds when it answers; why not, and what then, when it does not', () => {
    const idle = replace(healthy(), view('val-fra', [`K\t${KEY}\tsealed`, `G\t${record('val-fra')}`]));
    assert.deepEqual(named(checks(idle), 'old host reachable'), [
      ok('old host reachable', 'val-fra answered; it holds no active key'),
    ]);
    const gone = replace(healthy(), { host: 'val-fra', error: 'timed out' });
    assert.deepEqual(named(checks(gone), 'old host reachable'), [
      fail(
        'old host reachable',
        'val-fra: timed out',
        'fencing needs the old host; if it is truly gone, plan again with --old-host-dead (the target then waits until the chain shows it silent)',
      ),
    ]);
    const dead = { ...plan, oldHostDead: true };
    const chain = {
      reading: reading(1000),
      what: 'the chain',
      target: { head: 1000, syncing: false },
      blockTimeMs: 6000,
    };
    const watched = checks(gone, { plan: dead, chain });
    assert.deepEqual(named(watched, 'old host reachable'), [
      ok(
        'old host reachable',
        'val-fra is not reachable (timed out); approved as dead: the chain must show 20 heights without its signature first',
      ),
    ]);
    assert.deepEqual(named(watched, 'old host silent'), []);
    assert.deepEqual(named(checks(gone, { plan: dead }), 'old host silent'), [
      fail(
        'old host silent',
        'a dead host is only fenced once the chain shows it silent, and stake cannot watch this chain yet',
        'fence it by other means (power it off at the provider), then plan without --old-host-dead once it is reachable, or restore it',
      ),
    ]);
    const unasked = healthy().filter((v) => v.host !== 'val-fra');
    assert.match(named(checks(unasked, { plan: dead, chain }), 'old host reachable')[0]!.detail, /\(not asked\)/);
    assert.equal(named(checks(unasked), 'old host reachable')[0]!.detail, 'val-fra: not asked');
  });

  test('the witness: unreachable is a warning (the majority decides); no record, or another host, refuses', () => {
    const away = replace(healthy(), { host: 'witness-ams', error: 'no route' });
    assert.deepEqual(named(checks(away), 'witness agrees'), [
      {
        name: 'witness agrees',
        ok: true,
        detail: 'witness-ams not reachable (no route); the majority decides without it',
        refuses: false,
      },
    ]);
    assert.match(named(checks(healthy().slice(0, 2)), 'witness agrees')[0]!.detail, /\(not asked\)/);
    const hint = 'the witness disagrees about the active host: run stake status and settle it before failing over';
    const blank = replace(healthy(), view('witness-ams', []));
    assert.deepEqual(named(checks(blank), 'witness agrees'), [
      fail('witness agrees', 'witness-ams holds no generation record', hint),
    ]);
    const without = checks(healthy(), { identity: { ...cosmos, witness: undefined } });
    assert.deepEqual(named(without, 'witness agrees'), [], 'an identity without a witness has nothing to ask');
  });
});
