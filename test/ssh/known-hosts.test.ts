/** known_hosts against files made by OpenSSH's own tools (ssh-keygen -H hashes them). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fingerprint,
  keyTypeOf,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
  verifyHostKey,
} from '../../src/ssh/known-hosts.js';

let dir: string;
const keys: Record<string, Buffer> = {};
const line = (name: string) =>
  readFileSync(join(dir, `${name}.pub`), 'utf8')
    .trim()
    .split(/\s+/);

describe('known_hosts', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stake-kh-'));
    for (const [name, type] of [
      ['a', 'ed25519'],
      ['b', 'ed25519'],
      ['c', 'ecdsa'],
      ['old', 'ed25519'],
    ] as const) {
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(dir, name)]);
      keys[name] = Buffer.from(line(name)[1]!, 'base64');
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('plain names, [host]:port, several keys per host', () => {
    const text = [
      `# comment`,
      `10.0.0.1 ${line('a').slice(0, 2).join(' ')}`,
      `[10.0.0.2]:2222 ${line('b').slice(0, 2).join(' ')}`,
      `[10.0.0.2]:2222 ${line('c').slice(0, 2).join(' ')}`,
    ].join('\n');
    const kh = parseKnownHosts(text);
    assert.deepEqual(verifyHostKey(kh, '10.0.0.1', 22, keys.a!), { status: 'trusted', line: 2 });
    assert.equal(verifyHostKey(kh, '10.0.0.1', 2222, keys.a!).status, 'unknown', 'another port is another host');
    assert.equal(verifyHostKey(kh, '10.0.0.2', 2222, keys.c!).status, 'trusted');
    assert.deepEqual(knownKeyTypes(kh, '10.0.0.2', 2222), ['ssh-ed25519', 'ecdsa-sha2-nistp256']);
    const changed = verifyHostKey(kh, '10.0.0.1', 22, keys.b!);
    assert.equal(changed.status, 'changed');
    assert.equal(changed.status === 'changed' && changed.known[0]!.fingerprint, fingerprint(keys.a!));
  });

  test('entries hashed by ssh-keygen -H match their host and port, and nothing else', () => {
    const path = join(dir, 'hashed');
    writeFileSync(
      path,
      `val-fra.example.net ${line('a').slice(0, 2).join(' ')}\n[127.0.1.5]:2201 ${line('b').slice(0, 2).join(' ')}\n`,
    );
    execFileSync('ssh-keygen', ['-q', '-H', '-f', path]);
    const text = readFileSync(path, 'utf8');
    assert.doesNotMatch(text, /val-fra|127\.0\.1\.5/, 'ssh-keygen hashed the names');
    const kh = parseKnownHosts(text);
    assert.equal(verifyHostKey(kh, 'val-fra.example.net', 22, keys.a!).status, 'trusted');
    assert.equal(verifyHostKey(kh, '127.0.1.5', 2201, keys.b!).status, 'trusted');
    assert.equal(verifyHostKey(kh, '127.0.1.5', 2202, keys.b!).status, 'unknown');
    assert.equal(verifyHostKey(kh, '127.0.1.5', 2201, keys.a!).status, 'changed');
  });

  test('wildcards and negation', () => {
    const kh = parseKnownHosts(`*.fra.example.net,!bastion.fra.example.net ${line('a').slice(0, 2).join(' ')}\n`);
    assert.equal(verifyHostKey(kh, 'val.fra.example.net', 22, keys.a!).status, 'trusted');
    assert.equal(verifyHostKey(kh, 'bastion.fra.example.net', 22, keys.a!).status, 'unknown');
    assert.equal(verifyHostKey(kh, 'val.waw.example.net', 22, keys.a!).status, 'unknown');
  });

  test('a @revoked key is refused even when another line trusts it', () => {
    const kh = parseKnownHosts(
      [`10.0.0.1 ${line('old').slice(0, 2).join(' ')}`, `@revoked * ${line('old').slice(0, 2).join(' ')}`].join('\n'),
    );
    assert.deepEqual(verifyHostKey(kh, '10.0.0.1', 22, keys.old!), { status: 'revoked', line: 2 });
  });

  test('fingerprints are the ones ssh-keygen -l prints; trust lines round-trip', () => {
    const printed = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'a.pub')], { encoding: 'utf8' }).split(' ')[1];
    assert.equal(fingerprint(keys.a!), printed);
    assert.equal(keyTypeOf(keys.c!), 'ecdsa-sha2-nistp256');
    const kh = parseKnownHosts(`${knownHostsLine('127.0.1.9', 2200, keys.a!)}\n`);
    assert.equal(verifyHostKey(kh, '127.0.1.9', 2200, keys.a!).status, 'trusted');
  });
});
