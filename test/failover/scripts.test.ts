/**
 * Failover's host scripts run for real with this machine's sh against a folder standing for a
 * host's root (init: direct, no services, so nothing but files is touched): each reports its
 * result record, and the step's reading of it holds.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ACTIVATE_RESULT,
  activateScript,
  FENCE_RESULT,
  fenceScript,
  activatingPath,
  keysLoadedScript,
  LOADED_RESULT,
  parseProbe,
  probeScript,
} from '../../src/failover/scripts.js';
import { launchScriptPath, pidFilePath } from '../../src/render/services.js';
import {
  AUDIT_RESULT,
  auditAppendScript,
  auditPath,
  GENERATION_RESULT,
  LOCK_RESULT,
  lockPath,
  lockScript,
  recordGenerationScript,
  UNLOCK_RESULT,
  unlockScript,
} from '../../src/failover/quorum-scripts.js';
import { sealedPath, validatorKeyFiles, type KeyFile } from '../../src/keys/layout.js';
import { generationPath } from '../../src/plan/host-layout.js';
import { parseResult, tryResult } from '../../src/ssh/script-result.js';
import { writeRecordScript } from '../../src/quorum/generation.js';

const sh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
const ok = (script: string) => {
  const r = sh(script);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};
const hostAt = (root: string) => ({ root, init: 'direct' as const, address: '127.0.0.1', privateAddress: '127.0.0.1' });
const keys = validatorKeyFiles('cardano');

/** A scratch root for one test, removed when the file's tests are done. */
const scratchRoots: string[] = [];
const scratch = () => {
  const root = mkdtempSync(join(tmpdir(), 'stake-fo-'));
  scratchRoots.push(root);
  return root;
};
after(() => {
  for (const root of scratchRoots) rmSync(root, { recursive: true, force: true });
});

describe('failover scripts report their results', () => {
  test('lock: taken, taken again by the same plan, held by another with the holder', () => {
    const root = scratch();
    const mine = '{"plan":"AAA","by":"me it\'s"}';
    assert.deepEqual(parseResult(ok(lockScript(root, 'id', mine, 'AAA')), LOCK_RESULT), {
      step: 'lock',
      taken: true,
      holder: '',
    });
    assert.equal(parseResult(ok(lockScript(root, 'id', mine, 'AAA')), LOCK_RESULT).taken, true);
    const other = parseResult(ok(lockScript(root, 'id', '{"plan":"BBB"}', 'BBB')), LOCK_RESULT);
    assert.equal(other.taken, false);
    assert.equal(Buffer.from(other.holder, 'base64').toString('utf8'), `${mine}\n`);
    assert.equal(readFileSync(join(root, lockPath('id')), 'utf8'), `${mine}\n`);
    // another plan cannot release it; its own can
    assert.equal(parseResult(ok(unlockScript(root, 'id', 'BBB')), UNLOCK_RESULT).released, true);
    assert.ok(existsSync(join(root, lockPath('id'))));
    ok(unlockScript(root, 'id', 'AAA'));
    assert.equal(existsSync(join(root, lockPath('id'))), false);
  });

  test('a lock file holding the old words TAKEN or HELD fools nothing', () => {
    const root = scratch();
    ok(lockScript(root, 'id', '{"plan":"AAA","note":"TAKEN"}', 'AAA'));
    const r = parseResult(ok(lockScript(root, 'id', '{"plan":"BBB"}', 'BBB')), LOCK_RESULT);
    assert.equal(r.taken, false);
  });

  test('fence seals the keys and reports fenced; activate puts them back and reports activated', () => {
    const root = scratch();
    for (const k of keys) {
      mkdirSync(dirname(join(root, k.path)), { recursive: true });
      writeFileSync(join(root, k.path), `key ${k.name}\n`);
    }
    const host = hostAt(root);
    assert.deepEqual(parseResult(ok(fenceScript(host, 'id', keys, [])), FENCE_RESULT), { step: 'fence', fenced: true });
    for (const k of keys) {
      assert.equal(existsSync(join(root, k.path)), false);
      assert.equal((statSync(join(root, sealedPath('id', k))).mode & 0o777).toString(8), '400');
    }
    assert.equal(parseResult(ok(fenceScript(host, 'id', keys, [])), FENCE_RESULT).fenced, true, 'idempotent');
    const activated = parseResult(ok(activateScript(host, 'id', keys, [])), ACTIVATE_RESULT);
    assert.equal(activated.activated, true);
    for (const k of keys) assert.equal(readFileSync(join(root, k.path), 'utf8'), `key ${k.name}\n`);
  });

  test('activate without a sealed key exits 42 and reports nothing', () => {
    const root = scratch();
    const r = sh(activateScript(hostAt(root), 'id', keys, []));
    assert.equal(r.status, 42);
    assert.equal(tryResult(r.stdout, ACTIVATE_RESULT) instanceof Error, true);
  });

  test('generation record and audit line: written once, reported each time', () => {
    const root = scratch();
    assert.equal(parseResult(ok(recordGenerationScript(root, 'id', '{"g":2}')), GENERATION_RESULT).recorded, true);
    assert.equal(readFileSync(join(root, generationPath('id')), 'utf8'), '{"g":2}\n');
    for (let i = 0; i < 2; i++)
      assert.equal(
        parseResult(ok(auditAppendScript(root, 'id', '{"plan":"AAA"}', 'AAA')), AUDIT_RESULT).appended,
        true,
      );
    assert.equal(readFileSync(join(root, auditPath('id')), 'utf8'), '{"plan":"AAA"}\n');
  });

  test("deploy's first generation record is written whole, quotes and all", () => {
    const root = scratch();
    const record = { generation: 1, active: "it's $HOME `x`", since: 's', approvers: [], plan: 'first' };
    ok(writeRecordScript(root, 'id', record));
    assert.equal(readFileSync(join(root, generationPath('id')), 'utf8'), `${JSON.stringify(record)}\n`);
    assert.equal(existsSync(join(root, `${generationPath('id')}.new`)), false);
  });
});

describe('a signer already running on its keys is not started again', () => {
  /** A root with the keys in place, a live process behind the service's pid file and a launch script that logs. */
  function running(t: { after: (fn: () => void) => void }) {
    const root = scratch();
    for (const k of keys) {
      mkdirSync(dirname(join(root, k.path)), { recursive: true });
      writeFileSync(join(root, k.path), 'key');
    }
    const sleeper = spawnSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const pid = Number(sleeper.stdout.trim());
    t.after(() => process.kill(pid, 'SIGKILL'));
    const pidFile = join(root, pidFilePath('cardano-node'));
    mkdirSync(dirname(pidFile), { recursive: true });
    writeFileSync(pidFile, `${pid}\n`);
    const launch = join(root, launchScriptPath('cardano-node'));
    mkdirSync(dirname(launch), { recursive: true });
    const log = join(root, 'launch.log');
    writeFileSync(launch, `echo "$1" >> ${log}\n`);
    return {
      root,
      log,
      restarts: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0),
    };
  }
  const services = [{ name: 'cardano-node', port: 1, user: 'cardano' }];

  test('keys-loaded: every key in place, its process alive, and no start owed', (t) => {
    const host = hostAt(scratch());
    const loaded = (h = host) => parseResult(ok(keysLoadedScript(h, 'id', keys, services)), LOADED_RESULT).loaded;
    assert.equal(loaded(), false, 'not running, no keys');
    const r = running(t);
    const h = hostAt(r.root);
    assert.equal(loaded(h), true);
    writeFileSync(join(r.root, activatingPath('id')), '');
    assert.equal(loaded(h), false, 'a start owed by an activation that was cut');
    rmSync(join(r.root, activatingPath('id')));
    rmSync(join(r.root, keys[1]!.path));
    assert.equal(loaded(h), false, 'a key missing');
  });

  test('activate leaves a signer running on its keys alone, and restarts one whose key it moved in (the start owed cleared after)', (t) => {
    const r = running(t);
    const host = hostAt(r.root);
    parseResult(ok(activateScript(host, 'id', keys, services)), ACTIVATE_RESULT);
    assert.equal(r.restarts(), 0, 'running on its keys: not restarted');
    // the key sealed again (as a fence leaves it): activation moves it in and restarts
    const k = keys[0]!;
    mkdirSync(dirname(join(r.root, sealedPath('id', k))), { recursive: true });
    writeFileSync(join(r.root, sealedPath('id', k)), 'key');
    rmSync(join(r.root, k.path));
    parseResult(ok(activateScript(host, 'id', keys, services)), ACTIVATE_RESULT);
    assert.equal(r.restarts(), 1);
    assert.equal(existsSync(join(r.root, activatingPath('id'))), false, 'nothing owed once started');
    // an activation cut after its move: the marker it left makes the next run start the service
    writeFileSync(join(r.root, activatingPath('id')), '');
    parseResult(ok(activateScript(host, 'id', keys, services)), ACTIVATE_RESULT);
    assert.equal(r.restarts(), 2);
  });
});

describe("a CometBFT standby's own key (cometbft makes one at start when none is at the path)", () => {
  const [key] = validatorKeyFiles('cosmos') as [KeyFile];
  const keyText = (address: string) => `{\n  "address": "${address}",\n  "pub_key": {},\n  "priv_key": {}\n}\n`;
  const put = (root: string, path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const state = (root: string) => parseProbe(ok(probeScript(hostAt(root), 'id', [key], []))).keys[key.name];

  test('the probe: another address at the path beside the sealed key is other, the same address both', () => {
    const root = scratch();
    put(root, sealedPath('id', key), keyText('AA'.repeat(20)));
    assert.equal(state(root), 'sealed');
    put(root, key.path, keyText('BB'.repeat(20)));
    assert.equal(state(root), 'other', "cometbft's own key is not a second signer");
    put(root, key.path, keyText('AA'.repeat(20)));
    assert.equal(state(root), 'both', 'a copy of the sealed key at the path is');
    rmSync(join(root, sealedPath('id', key)));
    assert.equal(state(root), 'active');
  });

  test('activation moves the sealed key in over the generated one and owes a start; fencing never overwrites a sealed key with another', () => {
    const root = scratch();
    put(root, sealedPath('id', key), keyText('AA'.repeat(20)));
    put(root, key.path, keyText('BB'.repeat(20)));
    const host = hostAt(root);
    assert.equal(parseResult(ok(keysLoadedScript(host, 'id', [key], [])), LOADED_RESULT).loaded, false);
    parseResult(ok(activateScript(host, 'id', [key], [])), ACTIVATE_RESULT);
    assert.equal(readFileSync(join(root, key.path), 'utf8'), keyText('AA'.repeat(20)));
    assert.equal(existsSync(join(root, sealedPath('id', key))), false);
    // a sealed key there again, and another file at the path: the fence keeps both
    put(root, sealedPath('id', key), keyText('CC'.repeat(20)));
    parseResult(ok(fenceScript(host, 'id', [key], [])), FENCE_RESULT);
    assert.equal(readFileSync(join(root, sealedPath('id', key)), 'utf8'), keyText('CC'.repeat(20)));
    assert.equal(readFileSync(join(root, `${sealedPath('id', key)}.displaced`), 'utf8'), keyText('AA'.repeat(20)));
    assert.equal(existsSync(join(root, key.path)), false);
  });
});
