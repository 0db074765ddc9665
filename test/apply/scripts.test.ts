/**
 * The host-side scripts of deploy, run for real with this machine's sh against a folder standing
 * for a host's root: commit, checksum refusal, a script cut off in transit, rollback.
 */
import { scratchDir } from '../support/scratch.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROLLBACK_RESULT,
  rollbackScript,
  SCRIPT_EXIT,
  STAGE_RESULT,
  stageScript,
  type FileWrite,
} from '../../src/apply/scripts.js';
import { CONFIRM_RESULT, confirmFirewallScript } from '../../src/apply/firewall.js';
import { FIREWALL_STATE_DIR } from '../../src/plan/host-layout.js';
import { parseResult, tryResult } from '../../src/ssh/script-result.js';
import { sha256 } from '../../src/render/host.js';
import { fileWrite } from '../support/file-write.js';

const sh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
const write = fileWrite;

function hostRoot(): string {
  const root = scratchDir('stake-script-');
  mkdirSync(join(root, 'etc/app'), { recursive: true });
  writeFileSync(join(root, 'etc/app/a.conf'), 'old a\n');
  writeFileSync(join(root, 'etc/app/gone.conf'), 'to delete\n');
  return root;
}

/** Every file under the root with its content, for before/after comparisons. */
function tree(root: string, dir = root): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, tree(root, p));
    else out[p.slice(root.length)] = readFileSync(p, 'utf8');
  }
  return out;
}

const input = (root: string, writes: FileWrite[]) => ({
  root,
  manageOwners: false,
  services: [],
  writes,
  deletes: ['/etc/app/gone.conf'],
  manifest: '{"version":1}\n',
  restarts: ['app'],
});

describe('stage and rollback scripts', () => {
  test('commit: files in place with their modes, the old kept in previous/, restarts recorded', () => {
    const root = hostRoot();
    const r = sh(
      stageScript(input(root, [write('/etc/app/a.conf', 'new a\n'), write('/etc/app/new.conf', "it's new\n", '0600')])),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /STAKE-COMMITTED/);
    assert.equal(readFileSync(join(root, 'etc/app/a.conf'), 'utf8'), 'new a\n');
    assert.equal(readFileSync(join(root, 'etc/app/new.conf'), 'utf8'), "it's new\n");
    assert.equal((statSync(join(root, 'etc/app/new.conf')).mode & 0o777).toString(8), '600');
    assert.equal(existsSync(join(root, 'etc/app/gone.conf')), false);
    assert.equal(readFileSync(join(root, 'var/lib/stake/previous/files/etc/app/a.conf'), 'utf8'), 'old a\n');
    assert.equal(readFileSync(join(root, 'var/lib/stake/pending-restarts'), 'utf8'), 'app\n');
    assert.equal(readFileSync(join(root, 'var/lib/stake/deployed.json'), 'utf8'), '{"version":1}\n');
    assert.deepEqual(
      readdirSync(join(root, 'etc/app')).filter((n) => n.includes('stake-new')),
      [],
    );
  });

  test('rollback puts back exactly what was there: old content, deleted files back, created files gone', () => {
    const root = hostRoot();
    const before = tree(root);
    const writes = [write('/etc/app/a.conf', 'new a\n'), write('/etc/app/new.conf', 'new\n')];
    assert.equal(sh(stageScript(input(root, writes))).status, 0);
    const r = sh(rollbackScript(root, ['/etc/app/a.conf', '/etc/app/new.conf', '/etc/app/gone.conf']));
    assert.equal(r.status, 0, r.stderr);
    const after = tree(root);
    for (const path of Object.keys(after)) if (path.startsWith('/var/lib/stake/')) delete after[path];
    assert.deepEqual(after, before);
  });

  test('a checksum that does not match replaces nothing and leaves no temporary file', () => {
    const root = hostRoot();
    const before = tree(root);
    const bad = { ...write('/etc/app/a.conf', 'new a\n'), sha256: sha256('something else') };
    const r = sh(stageScript(input(root, [write('/etc/app/b.conf', 'b\n'), bad])));
    assert.equal(r.status, SCRIPT_EXIT.checksum);
    assert.match(r.stderr, /\/etc\/app\/a\.conf does not match its sha256/);
    assert.deepEqual(tree(root), before);
  });

  test('a script cut off anywhere in transit runs nothing at all', () => {
    const root = hostRoot();
    const before = tree(root);
    const script = stageScript(
      input(root, [write('/etc/app/a.conf', 'new a\n'.repeat(200)), write('/etc/app/b.conf', 'b\n')]),
    );
    for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
      sh(script.slice(0, Math.floor(script.length * fraction)));
      assert.deepEqual(tree(root), before, `cut at ${fraction}`);
    }
  });

  test('stage and rollback report their results as records; a failed stage reports none', () => {
    const root = hostRoot();
    const staged = sh(stageScript(input(root, [write('/etc/app/a.conf', 'new a\n')])));
    assert.equal(staged.status, 0, staged.stderr);
    assert.deepEqual(parseResult(staged.stdout, STAGE_RESULT), { step: 'stage', committed: true });
    const back = sh(rollbackScript(root, ['/etc/app/a.conf', '/etc/app/gone.conf']));
    assert.equal(back.status, 0, back.stderr);
    assert.deepEqual(parseResult(back.stdout, ROLLBACK_RESULT), { step: 'rollback', restored: true });
    const bad = { ...write('/etc/app/a.conf', 'x\n'), sha256: sha256('y') };
    const failed = sh(stageScript(input(root, [bad])));
    assert.equal(failed.status, SCRIPT_EXIT.checksum);
    assert.ok(tryResult(failed.stdout, STAGE_RESULT) instanceof Error);
  });

  test('firewall confirmation: confirmed while the timer waits, exit 41 and no record once it reverted', () => {
    const root = scratchDir('stake-script-');
    const state = join(root, FIREWALL_STATE_DIR);
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'revert.pid'), '999999999\n');
    const r = sh(confirmFirewallScript(root, 'tok'));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(parseResult(r.stdout, CONFIRM_RESULT), { step: 'firewall-confirm', confirmed: true });
    assert.ok(existsSync(join(state, 'confirmed-tok')));
    writeFileSync(join(state, 'reverted'), 'tok2\n');
    const late = sh(confirmFirewallScript(root, 'tok2'));
    assert.equal(late.status, 41);
    assert.ok(tryResult(late.stdout, CONFIRM_RESULT) instanceof Error);
  });
});
