/** The secrets script, run by a real bash with the real OpenSSL against a host root. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { secretsScript, SECRETS_RESULT } from '../../src/apply/secrets.js';
import { hostSecrets, NODE_KEY_PATH } from '../../src/render/host-secrets.js';
import { JWT_PATH } from '../../src/render/clients/ethereum/common.js';
import { nodeIdFromNodeKey } from '../../src/render/node-ids.js';
import { factsScript, parseFacts } from '../../src/plan/facts.js';
import { parseResult } from '../../src/ssh/script-result.js';
import type { ResolvedHost } from '../../src/inventory/resolve.js';

const run = (script: string) => spawnSync('bash', ['--norc', '--noprofile', '-s'], { input: script, encoding: 'utf8' });
const cometbft = hostSecrets({ client: 'cometbft', tier: 'sentry' });
const beacon = hostSecrets({ client: 'lighthouse', tier: 'beacon', execution: 'geth' });

describe('the secrets a host needs', () => {
  test('a CometBFT host: its node key; a beacon host: the engine JWT, readable by both its clients; others: none', () => {
    assert.deepEqual(
      cometbft.map((s) => [s.kind, s.path, s.mode]),
      [['cometbft-node-key', NODE_KEY_PATH, '0600']],
    );
    assert.deepEqual(
      beacon.map((s) => [s.kind, s.path, s.mode, s.readers]),
      [['engine-jwt', JWT_PATH, '0640', ['geth', 'lighthouse']]],
    );
    assert.deepEqual(hostSecrets({ client: 'vouch', tier: 'validator' }), []);
    assert.deepEqual(hostSecrets({ tier: 'witness' }), []);
  });
});

describe('the secrets script, run by bash with OpenSSL', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'stake-secrets-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('makes a node key CometBFT reads, whose id the facts script learns, and a JWT; a second run keeps both', () => {
    const first = run(secretsScript(root, [...cometbft, ...beacon], false));
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(parseResult(first.stdout, SECRETS_RESULT), {
      step: 'secrets',
      created: [NODE_KEY_PATH, JWT_PATH],
      present: [],
    });
    const nodeKey = readFileSync(join(root, NODE_KEY_PATH), 'utf8');
    assert.match(nodeKey, /^\{"priv_key":\{"type":"tendermint\/PrivKeyEd25519","value":"[A-Za-z0-9+/]{86}=="\}\}$/);
    assert.equal((statSync(join(root, NODE_KEY_PATH)).mode & 0o777).toString(8), '600');
    // seed ‖ public key, and the public key is the seed's (as Go's ed25519.PrivateKey)
    const raw = Buffer.from((JSON.parse(nodeKey) as { priv_key: { value: string } }).priv_key.value, 'base64');
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw.subarray(0, 32)]);
    const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({
      format: 'der',
      type: 'spki',
    });
    assert.deepEqual(spki.subarray(-32), raw.subarray(32));
    const id = nodeIdFromNodeKey(nodeKey);
    const host = { name: 'sentry-a', root, init: 'direct' } as unknown as ResolvedHost;
    const facts = parseFacts('sentry-a', run(factsScript(host, [], [])).stdout, root);
    assert.equal(facts.nodeId, id, 'the id deploy learns is the id of the key made');
    const jwt = readFileSync(join(root, JWT_PATH), 'utf8');
    assert.match(jwt, /^[0-9a-f]{64}$/);
    assert.equal((statSync(join(root, JWT_PATH)).mode & 0o777).toString(8), '640');

    const second = run(secretsScript(root, [...cometbft, ...beacon], false));
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(parseResult(second.stdout, SECRETS_RESULT).present, [NODE_KEY_PATH, JWT_PATH]);
    assert.equal(readFileSync(join(root, NODE_KEY_PATH), 'utf8'), nodeKey, 'a node key is never replaced');
    assert.equal(readFileSync(join(root, JWT_PATH), 'utf8'), jwt);
    assert.ok(!second.stdout.includes(jwt) && !first.stdout.includes(jwt), 'the secret never crosses the connection');
    assert.ok(!first.stdout.includes(nodeKey.slice(40, 80)));
  });

  test('two node keys made are two identities', () => {
    const other = mkdtempSync(join(tmpdir(), 'stake-secrets-'));
    try {
      assert.equal(run(secretsScript(other, cometbft, false)).status, 0);
      assert.notEqual(
        nodeIdFromNodeKey(readFileSync(join(other, NODE_KEY_PATH), 'utf8')),
        nodeIdFromNodeKey(readFileSync(join(root, NODE_KEY_PATH), 'utf8')),
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test("a link at the secret's place, or a folder on the way leading out of the root, is refused: nothing written", () => {
    const other = mkdtempSync(join(tmpdir(), 'stake-secrets-'));
    const outside = mkdtempSync(join(tmpdir(), 'stake-outside-'));
    try {
      mkdirSync(join(other, 'etc/stake'), { recursive: true });
      symlinkSync(outside, join(other, 'etc/stake/ethereum'));
      const r = run(secretsScript(other, beacon, false));
      assert.equal(r.status, 50, r.stderr);
      assert.match(r.stderr, /leads out of the root/);
      rmSync(join(other, 'etc/stake/ethereum'));
      mkdirSync(join(other, 'etc/stake/ethereum'));
      writeFileSync(join(outside, 'target'), 'theirs');
      symlinkSync(join(outside, 'target'), join(other, JWT_PATH));
      const linked = run(secretsScript(other, beacon, false));
      assert.equal(linked.status, 50, linked.stderr);
      assert.ok(lstatSync(join(other, JWT_PATH)).isSymbolicLink());
      assert.equal(readFileSync(join(outside, 'target'), 'utf8'), 'theirs');
    } finally {
      rmSync(other, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
