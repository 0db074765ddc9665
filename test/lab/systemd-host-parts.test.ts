/**
 * The pure parts of the lab's systemd hosts (docs/lab.md): the rootfs cache's name and place, the
 * machine setting raised and put back, the key owners' script, `stake lab ssh`'s command line,
 * and which kind of host `lab up` chooses.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { chooseHostMode } from '../../src/commands/lab.js';
import { StakeError } from '../../src/errors.js';
import { keyOwnersScript } from '../../src/lab/key-owners.js';
import { sshArguments } from '../../src/lab/lab-ssh.js';
import { instancesNeeded, raiseForHosts, restoreWhenLast } from '../../src/lab/machine-settings.js';
import { cacheDir, ROOTFS_PACKAGES, rootfsKey } from '../../src/lab/rootfs.js';
import { writeLabState, type LabState } from '../../src/lab/state.js';

describe('the rootfs cache', () => {
  test('is named by its suite and a digest of its packages: another package list is another tree', () => {
    assert.match(rootfsKey(), /^bookworm-[0-9a-f]{16}$/);
    assert.equal(rootfsKey(), rootfsKey([...ROOTFS_PACKAGES].reverse()), 'the order of the list does not matter');
    assert.notEqual(rootfsKey(), rootfsKey([...ROOTFS_PACKAGES, 'curl']));
  });
  test('lives in STAKE_CACHE_DIR, else $XDG_CACHE_HOME/stake, else ~/.cache/stake', () => {
    assert.equal(cacheDir({ STAKE_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }), '/c');
    assert.equal(cacheDir({ XDG_CACHE_HOME: '/x' }), '/x/stake');
    assert.match(cacheDir({}), /\/\.cache\/stake$/);
  });
});

describe('the inotify limit', () => {
  const files = (value: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-setting-'));
    const f = { path: join(dir, 'max_user_instances'), original: join(dir, 'record', 'original.json') };
    writeFileSync(f.path, `${value}\n`);
    return { f, read: () => readFileSync(f.path, 'utf8').trim(), done: () => rmSync(dir, { recursive: true }) };
  };
  test('is left alone when the hosts fit, raised when they do not, counting the hosts of labs already running', () => {
    const a = files('4096');
    try {
      assert.equal(raiseForHosts(30, 0, a.f), undefined);
      assert.equal(a.read(), '4096');
    } finally {
      a.done();
    }
    const b = files('128');
    try {
      const raised = raiseForHosts(6, 0, b.f)!;
      assert.deepEqual(
        raised,
        { path: b.f.path, was: '128', now: '1024' },
        'raised with room for labs started at once',
      );
      assert.equal(raiseForHosts(6, 12, b.f), undefined, 'a second lab fits under the first raise');
      assert.equal(instancesNeeded(120), 120 * 10 + 64, 'beyond a hundred hosts the hosts are counted');
      assert.deepEqual(raiseForHosts(100, 20, b.f), { path: b.f.path, was: '1024', now: String(instancesNeeded(120)) });
    } finally {
      b.done();
    }
  });
  test('is put back to the value before the first raise by the down that leaves no systemd host running', () => {
    const t = files('128');
    try {
      raiseForHosts(12, 0, t.f); // a first lab
      raiseForHosts(100, 12, t.f); // a large second beside it
      assert.equal(restoreWhenLast(12, t.f), undefined, 'a lab is still running');
      assert.equal(t.read(), String(instancesNeeded(112)));
      assert.equal(restoreWhenLast(0, t.f), `${t.f.path} back to 128`);
      assert.equal(t.read(), '128');
      assert.equal(restoreWhenLast(0, t.f), undefined, 'nothing recorded any more');
    } finally {
      t.done();
    }
  });
  test('is not put back when someone changed it since the last raise', () => {
    const t = files('128');
    try {
      raiseForHosts(20, 0, t.f);
      writeFileSync(t.f.path, '9999\n');
      assert.equal(restoreWhenLast(0, t.f), undefined);
      assert.equal(t.read(), '9999');
    } finally {
      t.done();
    }
  });
});

describe('the key owners script', () => {
  const placed = [
    {
      host: 'val',
      path: '/var/lib/cometbft/config/priv_validator_key.json',
      madeFrom: '/var/lib/cometbft',
      sealed: false,
    },
    {
      host: 'val',
      path: '/var/lib/cometbft/data/priv_validator_state.json',
      madeFrom: '/var/lib/cometbft/data',
      sealed: false,
    },
    { host: 'val', path: '/var/lib/stake/sealed/x/key.json', madeFrom: '/var/lib/stake', sealed: true },
  ];
  test("gives each active key and its own folder to the client, opens the folders above, and leaves sealed keys root's", () => {
    const script = keyOwnersScript(placed, 'cometbft');
    assert.match(script, /useradd --system/);
    assert.match(
      script,
      /chown 'cometbft:cometbft' '\/var\/lib\/cometbft\/config'\nchmod 0700 '\/var\/lib\/cometbft\/config'/,
    );
    assert.match(script, /chmod 0755 '\/var\/lib\/cometbft'\n/);
    assert.match(script, /chown 'cometbft:cometbft' '\/var\/lib\/cometbft\/config\/priv_validator_key.json'/);
    assert.doesNotMatch(script, /sealed/);
    assert.doesNotMatch(script, /chmod 0755 '\/var\/lib'/, 'nothing above what the lab made');
  });
});

describe('stake lab ssh', () => {
  const lab = (hostMode: 'systemd' | 'process') => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-labssh-'));
    const state = {
      version: 1,
      hostMode,
      addressing: { hosts: { 'val-fra': { address: '198.18.1.4' } } },
      hosts: [{ name: 'val-fra', tier: 'validator', root: '/', addresses: ['198.18.1.4'], sshPort: 22 }],
    } as unknown as LabState;
    writeLabState(join(dir, 'lab.json'), state);
    return dir;
  };
  test("reaches a systemd host as the deploy user with the lab's key and known_hosts, words joined as ssh joins them", () => {
    const dir = lab('systemd');
    try {
      const args = sshArguments(dir, 'val-fra', ['systemctl', 'is-active', 'stake-cometbft'], false);
      assert.ok(args.includes(`UserKnownHostsFile=${join(dir, 'known_hosts')}`));
      assert.ok(args.includes('StrictHostKeyChecking=yes'));
      assert.deepEqual(args.slice(args.indexOf('-i'), args.indexOf('-i') + 2), ['-i', join(dir, 'client_ed25519')]);
      assert.deepEqual(args.slice(-3), ['stake@198.18.1.4', '--', 'systemctl is-active stake-cometbft']);
      assert.ok(!args.includes('-t'), 'a command gets no terminal');
      assert.ok(sshArguments(dir, 'val-fra', [], true).includes('-t'), 'a shell at a terminal gets one');
      assert.throws(() => sshArguments(dir, 'nope', [], false), /no host nope in the lab \(val-fra\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('which hosts lab up chooses', () => {
  test('process when asked, or when systemd hosts cannot run (saying why); systemd asked where it cannot run is refused', () => {
    assert.deepEqual(chooseHostMode('process', undefined), { mode: 'process', why: '--hosts process was given' });
    const onLoopback = chooseHostMode('auto', '--loopback was given');
    assert.equal(onLoopback.mode, 'process');
    assert.match(onLoopback.why, /systemd hosts need network namespaces \(--loopback was given\)/);
    assert.throws(
      () => chooseHostMode('systemd', '--loopback was given'),
      (e: unknown) => e instanceof StakeError && e.exitCode === 2 && /--hosts systemd cannot run here/.test(e.message),
    );
  });
});
