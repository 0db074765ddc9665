/**
 * Host-side writes never follow a link out of the root (issue 15, class 3): the scripts that
 * write on a host, run for real with this machine's sh against a folder standing for a host's
 * root, with links planted at the old temp name, at the target and at a parent directory, all
 * pointing outside. Nothing outside changes, content or mode, and the script refuses.
 */
import { scratchDir } from '../support/scratch.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stageScript, rollbackScript, type FileWrite } from '../../src/apply/scripts.js';
import { braceGroup, WRITE_REFUSED_EXIT, writeFileLines, writeFromLines } from '../../src/ssh/shell.js';
import { writeRecordScript } from '../../src/quorum/generation.js';
import { keysPushScript } from '../../src/keys/push-script.js';
import { fileWrite } from '../support/file-write.js';

const sh = (script: string, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync('sh', ['-s'], { input: script, encoding: 'utf8', env });

/** A root and, beside it (outside), a victim file with known content and mode. */
function world() {
  const base = scratchDir('stake-links-');
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(join(root, 'etc/sysctl.d'), { recursive: true });
  mkdirSync(outside);
  const victim = join(outside, 'victim');
  writeFileSync(victim, 'precious\n');
  chmodSync(victim, 0o640);
  const intact = () => {
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal((statSync(victim).mode & 0o777).toString(8), '640');
  };
  return { base, root, outside, victim, intact };
}

const write = fileWrite;
const stage = (root: string, writes: FileWrite[]) =>
  stageScript({ root, manageOwners: false, services: [], writes, deletes: [], manifest: '{}\n', restarts: [] });

describe('host writes and links', () => {
  test('deploy: a link at the old temp name (.60-stake.conf.stake-new) changes nothing outside', () => {
    const w = world();
    symlinkSync(w.victim, join(w.root, 'etc/sysctl.d/.60-stake.conf.stake-new'));
    const r = sh(stage(w.root, [write('/etc/sysctl.d/60-stake.conf', 'vm.swappiness = 1\n', '0644')]));
    assert.equal(r.status, 0, r.stderr);
    w.intact();
    assert.equal(readFileSync(join(w.root, 'etc/sysctl.d/60-stake.conf'), 'utf8'), 'vm.swappiness = 1\n');
  });

  test('deploy: a link at the target is refused, and nothing outside changes', () => {
    const w = world();
    symlinkSync(w.victim, join(w.root, 'etc/sysctl.d/60-stake.conf'));
    const r = sh(stage(w.root, [write('/etc/sysctl.d/60-stake.conf', 'x\n', '0600')]));
    assert.equal(r.status, WRITE_REFUSED_EXIT, r.stderr);
    assert.match(r.stderr, /is a link/);
    w.intact();
  });

  test('deploy: a parent directory linked outside the root is refused, and nothing is created there', () => {
    const w = world();
    symlinkSync(w.outside, join(w.root, 'etc/app'));
    const r = sh(stage(w.root, [write('/etc/app/victim', 'x\n'), write('/etc/app/sub/new.conf', 'y\n')]));
    assert.equal(r.status, WRITE_REFUSED_EXIT, r.stderr);
    assert.match(r.stderr, /leads out of the root/);
    w.intact();
    assert.equal(spawnSync('ls', [w.outside], { encoding: 'utf8' }).stdout, 'victim\n');
  });

  test('rollback: a link at the target or a parent is refused', () => {
    const w = world();
    mkdirSync(join(w.root, 'var/lib/stake/previous/files/etc/sysctl.d'), { recursive: true });
    writeFileSync(join(w.root, 'var/lib/stake/previous/files/etc/sysctl.d/60-stake.conf'), 'old\n');
    symlinkSync(w.victim, join(w.root, 'etc/sysctl.d/60-stake.conf'));
    const r = sh(rollbackScript(w.root, ['/etc/sysctl.d/60-stake.conf']));
    assert.equal(r.status, WRITE_REFUSED_EXIT, r.stderr);
    w.intact();
  });

  test('the generation record, a witness copy, keys: the one idiom refuses links at the target and parents', () => {
    for (const plant of ['target', 'parent', 'temp'] as const) {
      const w = world();
      const dir = join(w.root, 'var/lib/stake/cosmoshub');
      if (plant === 'parent') {
        mkdirSync(join(w.root, 'var/lib/stake'), { recursive: true });
        symlinkSync(w.outside, dir);
      } else {
        mkdirSync(dir, { recursive: true });
        symlinkSync(w.victim, join(dir, plant === 'target' ? 'generation' : 'generation.new'));
      }
      const record = { generation: 2, active: 'a', since: 'now', approvers: [], plan: 'p' };
      const r = sh(writeRecordScript(w.root, 'cosmoshub', record));
      assert.equal(r.status, plant === 'temp' ? 0 : WRITE_REFUSED_EXIT, `${plant}: ${r.stderr}`);
      w.intact();
    }
    const w = world();
    mkdirSync(join(w.root, 'var/lib/cometbft/config'), { recursive: true });
    symlinkSync(w.victim, join(w.root, 'var/lib/cometbft/config/priv_validator_key.json'));
    const key = {
      name: 'priv_validator_key.json',
      path: '/var/lib/cometbft/config/priv_validator_key.json',
      mode: '0600',
    };
    const r = sh(keysPushScript(w.root, 'cosmoshub', [{ ...key, content: Buffer.from('{"k":1}') }]));
    assert.equal(r.status, WRITE_REFUSED_EXIT, r.stderr);
    w.intact();
  });

  test("a secret's temp file is 0600 from its first byte, its new folder passable", () => {
    const w = world();
    // a base64 that reports the mode of the file it writes into, while it writes
    const bin = join(w.base, 'bin');
    mkdirSync(bin);
    const log = join(w.base, 'modes');
    writeFileSync(
      join(bin, 'base64'),
      `#!/bin/sh\nm=$(stat -L -c %a /proc/$$/fd/1); echo "$m" >> '${log}'\nexec /usr/bin/env -u PATH ${spawnSync('sh', ['-c', 'command -v base64'], { encoding: 'utf8' }).stdout.trim()} "$@"\n`,
    );
    chmodSync(join(bin, 'base64'), 0o755);
    const script = braceGroup([
      'set -eu',
      'umask 022',
      ...writeFileLines(w.root, '/var/lib/stake/sealed/id/key.json', 'secret', '0600'),
    ]);
    assert.match(script, /umask 077/);
    const r = sh(script, { ...process.env, PATH: `${bin}:${process.env.PATH}` });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(log, 'utf8'), '600\n');
    assert.equal((statSync(join(w.root, 'var/lib/stake/sealed/id/key.json')).mode & 0o777).toString(8), '600');
    // the file's mode keeps the secret; a root-only folder would lock clients out of what is written beside it later
    assert.equal((statSync(join(w.root, 'var/lib/stake/sealed/id')).mode & 0o777).toString(8), '755');
  });

  test(
    "a secret a client owns gets its own new folder, 0700 and the client's",
    { skip: process.getuid?.() === 0 ? false : 'chown needs root' },
    () => {
      const w = world();
      const nobody = { uid: 65534, gid: 65534 };
      const script = braceGroup([
        'set -eu',
        'umask 022',
        ...writeFromLines(
          w.root,
          '/var/lib/cometbft/config/node_key.json',
          '0600',
          (t) => [`echo k > ${t}`],
          'stake_tmp',
          'nobody:nogroup',
        ),
        ...writeFromLines(
          w.root,
          '/var/lib/stake/shared/x.json',
          '0600',
          (t) => [`echo k > ${t}`],
          'stake_tmp',
          'root:root',
        ),
      ]);
      const r = sh(script);
      assert.equal(r.status, 0, r.stderr);
      const folder = statSync(join(w.root, 'var/lib/cometbft/config'));
      assert.equal((folder.mode & 0o777).toString(8), '700');
      assert.deepEqual({ uid: folder.uid, gid: folder.gid }, nobody);
      assert.equal((statSync(join(w.root, 'var/lib/cometbft')).mode & 0o777).toString(8), '755');
      assert.equal((statSync(join(w.root, 'var/lib/stake/shared')).mode & 0o777).toString(8), '755');
      const file = statSync(join(w.root, 'var/lib/cometbft/config/node_key.json'));
      assert.equal(file.uid, nobody.uid);
    },
  );
});
