/**
 * The keys push script run for real with this machine's sh against a folder standing for a host's
 * root: placed, already there, a different key refused, and the outcome stake reads from it.
 */
import { scratchDir } from '../support/scratch.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KEYS_PUSH_RESULT, keysPushScript, pushOutcome, type KeyPlacement } from '../../src/keys/push-script.js';
import { COMETBFT_SIGN_STATE, initialSignState, sealedDir } from '../../src/keys/layout.js';
import { parseResult } from '../../src/ssh/script-result.js';
import { projectPath } from '../../src/paths.js';

const sh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
const placements = (extra = ''): KeyPlacement[] =>
  ['kes.skey', 'vrf.skey'].map((name) => ({
    name,
    path: `/var/lib/cardano/keys/${name}`,
    content: Buffer.from(`{"key":"${name}'s $x"}${extra}\n`),
    mode: '0600',
  }));

describe('keys push script', () => {
  test('places every key with its mode, then finds them already there', () => {
    const root = scratchDir('stake-keys-');
    const first = sh(keysPushScript(root, 'pool', placements()));
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(parseResult(first.stdout, KEYS_PUSH_RESULT), {
      step: 'keys-push',
      placed: ['kes.skey', 'vrf.skey'],
      already: null,
      different: null,
    });
    assert.deepEqual(pushOutcome(first.stdout), { outcome: 'placed' });
    for (const p of placements()) {
      assert.deepEqual(readFileSync(join(root, p.path)), p.content);
      assert.equal((statSync(join(root, p.path)).mode & 0o777).toString(8), '600');
    }
    assert.ok(existsSync(join(root, sealedDir('pool'))));
    const again = sh(keysPushScript(root, 'pool', placements()));
    assert.equal(again.status, 0);
    assert.deepEqual(parseResult(again.stdout, KEYS_PUSH_RESULT).already, 'kes.skey');
    assert.deepEqual(pushOutcome(again.stdout), { outcome: 'already there' });
  });

  test('a different key in place is refused with a record (exit 0, not 43), and left as it is', () => {
    const root = scratchDir('stake-keys-');
    const [kes, vrf] = placements();
    mkdirSync(dirname(join(root, vrf!.path)), { recursive: true });
    writeFileSync(join(root, vrf!.path), 'another key\n');
    const r = sh(keysPushScript(root, 'pool', [kes!, vrf!]));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /a different key is already at \/var\/lib\/cardano\/keys\/vrf\.skey/);
    assert.deepEqual(parseResult(r.stdout, KEYS_PUSH_RESULT), {
      step: 'keys-push',
      placed: [],
      already: null,
      different: 'vrf.skey',
    });
    assert.deepEqual(pushOutcome(r.stdout), { outcome: 'refused', detail: 'a different key is in place' });
    assert.equal(readFileSync(join(root, vrf!.path), 'utf8'), 'another key\n');
    assert.equal(existsSync(join(root, kes!.path)), false, 'nothing written: every place is checked first');
  });

  test('a push cut off halfway is finished by the next: a key in place is left, the missing one placed', () => {
    const root = scratchDir('stake-keys-');
    const [kes, vrf] = placements();
    mkdirSync(dirname(join(root, kes!.path)), { recursive: true });
    writeFileSync(join(root, kes!.path), kes!.content);
    const r = sh(keysPushScript(root, 'pool', [kes!, vrf!]));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(parseResult(r.stdout, KEYS_PUSH_RESULT), {
      step: 'keys-push',
      placed: ['vrf.skey'],
      already: null,
      different: null,
    });
    assert.deepEqual(readFileSync(join(root, vrf!.path)), vrf!.content);
    assert.equal((statSync(join(root, vrf!.path)).mode & 0o777).toString(8), '600');
  });

  test('keys that are not UTF-8 are written byte for byte', () => {
    const root = scratchDir('stake-keys-');
    const content = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a]);
    const r = sh(keysPushScript(root, 'pool', [{ name: 'k', path: '/k', content, mode: '0400' }]));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(join(root, 'k')), content);
  });

  test('no record, or a spoofed word instead of one, is a failure, not a success', () => {
    assert.equal(pushOutcome('PLACED\n').outcome, 'failed');
    assert.match(pushOutcome('').detail ?? '', /printed no result/);
  });

  test('cometbft: the state `cometbft init` writes is placed beside a new key, never over a state, never for a key already there', () => {
    const root = scratchDir('stake-keys-');
    const initial = initialSignState('cosmos')!;
    const state = { path: initial.path, content: Buffer.from(initial.content), mode: initial.mode };
    const key: KeyPlacement = {
      name: 'priv_validator_key.json',
      path: '/var/lib/cometbft/config/priv_validator_key.json',
      content: Buffer.from('{"key":1}\n'),
      mode: '0600',
    };
    const stateFile = join(root, COMETBFT_SIGN_STATE);
    const push = () => {
      const r = sh(keysPushScript(root, 'hub', [key], state));
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    push();
    // byte for byte the file CometBFT's own docs show after init (test/fixtures/reference/cometbft/)
    assert.equal(
      readFileSync(stateFile, 'utf8'),
      readFileSync(
        projectPath('test', 'fixtures', 'reference', 'cometbft', 'priv_validator_state.initial.json'),
        'utf8',
      ),
    );
    assert.equal((statSync(stateFile).mode & 0o777).toString(8), '600');
    writeFileSync(stateFile, '{"height":"77","round":0,"step":3}\n');
    rmSync(join(root, key.path));
    push();
    assert.match(readFileSync(stateFile, 'utf8'), /"77"/, 'an existing state is never replaced');
    rmSync(stateFile);
    push(); // the key is there already: its lost state is not papered over
    assert.equal(existsSync(stateFile), false);
    assert.equal(initialSignState('ethereum'), undefined);
  });
});

test("a key with an owner is its client's before it is in place (a signer runs as its own user)", () => {
  const script = keysPushScript('/', 'cosmoshub', [
    {
      name: 'k.json',
      path: '/var/lib/tmkms/secrets/cosmoshub.priv_validator_key.json',
      content: new TextEncoder().encode('{}'),
      mode: '0600',
      owner: 'tmkms:tmkms',
    },
  ]);
  // on the temp, before the rename: never root's in place, never another's
  const chown = script.indexOf(`chown 'tmkms:tmkms' "$stake_tmp"`);
  const rename = script.indexOf('mv -fT -- "$stake_tmp"');
  assert.ok(chown > 0 && rename > chown, script);
  const unowned = keysPushScript('/', 'cosmoshub', [
    { name: 'k.json', path: '/x/k.json', content: new Uint8Array([1]), mode: '0600' },
  ]);
  assert.doesNotMatch(unowned, /chown /);
});
