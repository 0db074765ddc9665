/**
 * stake deploy at the edges of SSH: host keys unknown, changed, accepted on first contact; a
 * host behind a bastion in network namespaces; `become: sudo`; and a connection killed in the
 * middle of an upload.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { waitFor } from '../../src/wait.js';
import { runStake, STAKE, templatesWith } from '../support/helpers.js';
import { netnsUnavailable } from '../../src/lab/netns.js';
import { makeNetwork, type Network } from '../support/test-network.js';
import { childrenOf } from '../../src/lab/processes.js';
import { sshInventory, TEST_HOST_NAMES } from '../support/ssh-inventory.js';
import { servicePort, startTestHosts, stopServices, sshdUnavailable, type TestHosts } from '../support/sshd.js';

const skip = sshdUnavailable() ?? netnsUnavailable();
const STANDIN = projectPath('test', 'fixtures', 'standin-cometbft.mjs');
const COMETBFT_HOSTS = ['sentry-a', 'sentry-b', 'val-a', 'val-b'];
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

let lab: TestHosts;
let net: Network;
let p2p: Record<string, number>;
const rootOf = (name: string) => lab.hosts.find((h) => h.name === name)!.root;
const onHost = (name: string, path: string) => join(rootOf(name), path);

function inventory(file: string, options: Parameters<typeof sshInventory>[1] = {}, source = STANDIN): string {
  const path = join(lab.dir, file);
  const clients = `{ cometbft: { version: standin, source: ${source}, sha256: ${sha256(readFileSync(source))} } }`;
  writeFileSync(path, sshInventory(lab, { p2p, clients, jump: { 'val-b': 'sentry-a' }, ...options }));
  return path;
}

describe('stake deploy over SSH, at the edges', { skip: skip ?? false }, () => {
  before(async () => {
    // sentry-a is a bastion in its own namespace; val-b sits behind it, in a namespace only sentry-a reaches
    net = makeNetwork(
      ['bastion', 'hidden'],
      [
        { a: 'root', aAddress: '10.231.0.1/30', b: 'bastion', bAddress: '10.231.0.2/30' },
        { a: 'bastion', aAddress: '10.231.1.1/30', b: 'hidden', bAddress: '10.231.1.2/30' },
      ],
    );
    lab = await startTestHosts(TEST_HOST_NAMES, {
      firstAddress: 140,
      placement: {
        'sentry-a': { netns: net.ns('bastion'), address: '10.231.0.2' },
        'val-b': { netns: net.ns('hidden'), address: '10.231.1.2', probeFrom: net.ns('bastion') },
      },
    });
    p2p = {};
    for (const name of COMETBFT_HOSTS) p2p[name] = await servicePort();
  });
  after(async () => {
    stopServices(COMETBFT_HOSTS.map(rootOf));
    await lab?.stop();
    net?.remove();
  });

  test('an unknown host key is refused (exit 4) with its fingerprint and the command that trusts it', () => {
    const kh = join(lab.dir, 'empty_known_hosts');
    writeFileSync(kh, '');
    const r = runStake(['deploy', '-i', inventory('unknown.yaml', { knownHosts: kh }), '--limit', 'sentry-b']);
    assert.equal(r.code, 4, r.stdout);
    assert.match(r.stdout + r.stderr, /unknown host 127\.0\.1\.\d+:\d+, key ssh-ed25519 SHA256:\S+/);
    assert.match(r.stdout + r.stderr, /stake trust sentry-b/);
    assert.equal(existsSync(onHost('sentry-b', '/var/lib/stake/deployed.json')), false);
  });

  test('a changed host key is refused (exit 4), even with --accept-new', () => {
    const kh = join(lab.dir, 'changed_known_hosts');
    const other = lab.hosts.find((h) => h.name === 'witness')!.hostKey;
    writeFileSync(
      kh,
      lab.hosts.map((h) => `[${h.address}]:${h.port} ${h.name === 'sentry-b' ? other : h.hostKey}`).join('\n') + '\n',
    );
    const r = runStake([
      'deploy',
      '-i',
      inventory('changed.yaml', { knownHosts: kh }),
      '--limit',
      'sentry-b',
      '--accept-new',
    ]);
    assert.equal(r.code, 4);
    assert.match(r.stdout + r.stderr, /CHANGED/);
    assert.equal(existsSync(onHost('sentry-b', '/var/lib/stake/deployed.json')), false);
  });

  test('--accept-new trusts a host on first contact, records its key, and deploys', () => {
    const kh = join(lab.dir, 'new_known_hosts');
    writeFileSync(kh, '');
    const r = runStake([
      'deploy',
      '-i',
      inventory('accept.yaml', { knownHosts: kh }),
      '--limit',
      'sentry-b',
      '--accept-new',
      '--health-timeout',
      '5',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /sentry-b: new host key SHA256:\S+ accepted \(--accept-new\)/);
    const host = lab.hosts.find((h) => h.name === 'sentry-b')!;
    assert.ok(readFileSync(kh, 'utf8').includes(`[${host.address}]:${host.port} ${host.hostKey}`));
    assert.ok(existsSync(onHost('sentry-b', '/var/lib/stake/deployed.json')));
  });

  test('a host reachable only through a jump host is deployed through it', () => {
    const direct = runStake(['plan', '-i', inventory('direct.yaml', { jump: {} }), '--limit', 'val-b']);
    assert.equal(direct.code, 5, 'val-b cannot be reached without its jump host');
    const r = runStake([
      'deploy',
      '--json',
      '-i',
      inventory('jump.yaml'),
      '--limit',
      'sentry-a,val-b',
      '--health-timeout',
      '5',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(existsSync(onHost('val-b', '/var/lib/stake/deployed.json')));
    assert.ok(existsSync(onHost('val-b', '/usr/local/bin/cometbft')));
  });

  test(
    'become: sudo runs every command through sudo',
    { skip: existsSync('/usr/bin/sudo') ? false : 'no sudo (apt-get install sudo; .ci/run does)' },
    () => {
      const r = runStake([
        'deploy',
        '-i',
        inventory('sudo.yaml', { become: { 'sentry-b': 'sudo' } }),
        '--limit',
        'sentry-b',
        '--health-timeout',
        '5',
        '--templates',
        tweakedTemplates('sudo', '# via sudo'),
      ]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(readFileSync(onHost('sentry-b', '/var/lib/cometbft/config/config.toml'), 'utf8'), /# via sudo/);
    },
  );

  test('the connection killed in the middle of an upload: the host keeps its old files, intact', async () => {
    // a new, large client binary: a launcher for the stand-in, padded to 96 MB so the upload takes a while
    const big = join(lab.dir, 'cometbft-big');
    writeFileSync(
      big,
      Buffer.concat([Buffer.from(`#!/bin/sh\nexec ${STANDIN} "$@"\n`), Buffer.alloc(96 * 1024 * 1024, 0x23)]),
    );
    const file = inventory('big.yaml', {}, big);
    const templates = tweakedTemplates('big', '# release big');
    const before = [
      '/usr/local/bin/cometbft',
      '/var/lib/cometbft/config/config.toml',
      '/var/lib/stake/deployed.json',
    ].map((p) => [p, sha256(readFileSync(onHost('sentry-b', p)))]);
    const host = lab.hosts.find((h) => h.name === 'sentry-b')!;
    // the upload's temp: made by mktemp beside its target (src/ssh/shell.ts), so found by its prefix
    const incoming = onHost('sentry-b', '/var/lib/stake/incoming');
    const prefix = `.cometbft-${sha256(readFileSync(big))}.stake-new.`;
    const findPart = () => {
      const name = existsSync(incoming) ? readdirSync(incoming).find((n) => n.startsWith(prefix)) : undefined;
      return name === undefined ? undefined : join(incoming, name);
    };
    let part: string | undefined;

    const child = spawn(
      process.execPath,
      [STAKE, 'deploy', '--json', '-i', file, '--limit', 'sentry-b', '--templates', templates],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
    // wait until the upload is under way, then kill the sshd processes serving this connection
    const underWay = () =>
      (part = findPart()) !== undefined && existsSync(part) && statSync(part).size > 4 * 1024 * 1024;
    await waitFor(underWay, { timeoutMs: 30_000, what: 'the upload to be 4 MiB under way', intervalMs: 10 });
    assert.ok(part && existsSync(part), 'the upload started');
    assert.ok(statSync(part).size < 96 * 1024 * 1024, 'and had not finished');
    for (const child of childrenOf(host.process.pid!)) process.kill(child.pid, 'SIGKILL');
    const code = await exited;
    assert.notEqual(code, 0);
    const done = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((e) => e.event === 'done');
    assert.equal(done.results[0].status, 'failed');
    assert.match(done.results[0].reason, /lost|closed|reset/i);
    for (const [p, sum] of before) assert.equal(sha256(readFileSync(onHost('sentry-b', p!))), sum, `${p} unchanged`);
    const temps = readdirSync(onHost('sentry-b', '/var/lib/cometbft/config')).filter((n) => n.includes('stake-new'));
    assert.deepEqual(temps, []);
    // the next deploy finishes the job
    const again = runStake([
      'deploy',
      '-i',
      file,
      '--limit',
      'sentry-b',
      '--templates',
      templates,
      '--health-timeout',
      '5',
    ]);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.equal(sha256(readFileSync(onHost('sentry-b', '/usr/local/bin/cometbft'))), sha256(readFileSync(big)));
  });
});

/** The built-in templates with one line added before [p2p] of cometbft's config. */
const tweakedTemplates = (name: string, line: string) =>
  templatesWith(join(lab.dir, `tpl-${name}`), 'cometbft/config.toml.liquid', '[p2p]', `${line}\n[p2p]`);
