import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStake } from '../support/helpers.js';
import { sshInventory, TEST_HOST_NAMES } from '../support/ssh-inventory.js';
import { startTestHosts, sshdUnavailable, type TestHosts } from '../support/sshd.js';

const skip = sshdUnavailable();
let lab: TestHosts;

describe('stake trust', { skip: skip ?? false }, () => {
  before(async () => {
    lab = await startTestHosts(TEST_HOST_NAMES, { firstAddress: 40 });
  });
  after(async () => lab?.stop());

  test('shows the fingerprint; without a terminal it needs --yes; then writes the line once', () => {
    const kh = join(lab.dir, 'trust_known_hosts');
    writeFileSync(kh, '');
    const inv = join(lab.dir, 'trust.yaml');
    writeFileSync(inv, sshInventory(lab, { knownHosts: kh }));
    const fp = execFileSync('ssh-keygen', ['-l', '-f', '-'], { input: lab.hosts[2]!.hostKey, encoding: 'utf8' }).split(
      ' ',
    )[1]!;

    const asked = runStake(['trust', 'val-a', '-i', inv]);
    assert.equal(asked.code, 2, asked.stderr);
    assert.ok(asked.stdout.includes(`presents ssh-ed25519 ${fp}`));
    assert.match(asked.stderr, /not a terminal/);
    assert.equal(readFileSync(kh, 'utf8'), '', 'nothing written');

    const yes = runStake(['trust', 'val-a', '--yes', '-i', inv]);
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal(
      readFileSync(kh, 'utf8'),
      `[${lab.hosts[2]!.address}]:${lab.hosts[2]!.port} ${lab.hosts[2]!.hostKey}\n`,
    );
    const again = runStake(['trust', 'val-a', '--json', '-i', inv]);
    assert.equal(again.code, 0);
    assert.deepEqual(
      { ...JSON.parse(again.stdout), known_hosts: undefined },
      {
        host: 'val-a',
        address: `${lab.hosts[2]!.address}:${lab.hosts[2]!.port}`,
        type: 'ssh-ed25519',
        fingerprint: fp,
        known_hosts: undefined,
        trusted: true,
        written: false,
      },
    );
  });

  test('a changed key is refused (exit 4) and the file is left alone', () => {
    const kh = join(lab.dir, 'changed_known_hosts');
    const wrong = `[${lab.hosts[0]!.address}]:${lab.hosts[0]!.port} ${lab.hosts[1]!.hostKey}\n`;
    writeFileSync(kh, wrong);
    const inv = join(lab.dir, 'changed.yaml');
    writeFileSync(inv, sshInventory(lab, { knownHosts: kh }));
    const r = runStake(['trust', 'sentry-a', '--yes', '-i', inv]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /host key CHANGED/);
    assert.match(r.stderr, /ssh-keygen -R/);
    assert.equal(readFileSync(kh, 'utf8'), wrong);
  });

  test('a host behind a jump host is trusted through it', () => {
    const kh = join(lab.dir, 'jump_known_hosts');
    writeFileSync(kh, `[${lab.hosts[0]!.address}]:${lab.hosts[0]!.port} ${lab.hosts[0]!.hostKey}\n`);
    const inv = join(lab.dir, 'jump.yaml');
    writeFileSync(inv, sshInventory(lab, { knownHosts: kh, jump: { 'val-b': 'sentry-a' } }));
    const r = runStake(['trust', 'val-b', '--yes', '-i', inv]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      readFileSync(kh, 'utf8'),
      new RegExp(`\\[${lab.hosts[3]!.address.replace(/\./g, '\\.')}\\]:${lab.hosts[3]!.port} ssh-ed25519 `),
    );
  });

  test('an unreachable host exits 5', async () => {
    const inv = join(lab.dir, 'down.yaml');
    writeFileSync(inv, sshInventory(lab));
    await lab.stopHost(lab.hosts[4]!);
    const r = runStake(['trust', 'witness', '--yes', '-i', inv]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /witness: cannot connect/);
  });
});
