/** stake plan against real sshd hosts. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { edit, runStake } from '../support/helpers.js';
import { onTerminal } from '../support/terminal.js';
import { sshInventory, TEST_HOST_NAMES } from '../support/ssh-inventory.js';
import { startTestHosts, sshdUnavailable, type TestHosts } from '../support/sshd.js';

const skip = sshdUnavailable();

// Each describe starts hosts of its own; this one's are its own too, so no other can use them.
describe('stake plan', { skip: skip ?? false }, () => {
  let lab: TestHosts;
  let inv: string;
  const planOf = (args: string[]) => {
    const r = runStake(['plan', '--json', '-i', inv, ...args]);
    return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : undefined };
  };
  before(async () => {
    lab = await startTestHosts(TEST_HOST_NAMES, { firstAddress: 60 });
    inv = join(lab.dir, 'inventory.yaml');
    writeFileSync(inv, sshInventory(lab));
  });
  after(async () => lab?.stop());

  test('a fresh host: every file to create, the service to start', () => {
    const { code, doc, stderr } = planOf(['--limit', 'val-a']);
    assert.equal(code, 0, stderr);
    const host = doc.plan.hosts[0];
    assert.equal(host.host, 'val-a');
    assert.ok(host.files.length >= 6);
    assert.ok(host.files.every((f: { action: string }) => f.action === 'create'));
    assert.deepEqual(host.restart, ['cometbft']);
    assert.deepEqual(
      host.actions,
      [],
      'firewall: render and a root prefix: the ruleset is shipped, never loaded; no sshd or sysctl reload',
    );
  });

  test('files already in place are left alone; other content or mode is a change', () => {
    const out = join(lab.dir, 'rendered');
    assert.equal(runStake(['render', '-i', inv, '--out', out, '--host', 'sentry-a']).code, 0);
    const root = lab.hosts.find((h) => h.name === 'sentry-a')!.root;
    const put = (path: string, content?: string, mode = 0o644) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content ?? readFileSync(join(out, 'sentry-a', path)));
      chmodSync(join(root, path), mode);
    };
    put('/etc/sysctl.d/60-stake.conf');
    put('/etc/ssh/sshd_config.d/50-stake.conf', 'PasswordAuthentication yes\n');
    put('/etc/apt/apt.conf.d/20auto-upgrades', undefined, 0o600);
    const { doc } = planOf(['--limit', 'sentry-a']);
    const action = (p: string) => doc.plan.hosts[0].files.find((f: { path: string }) => f.path === p);
    assert.equal(action('/etc/sysctl.d/60-stake.conf').action, 'unchanged');
    assert.equal(action('/etc/ssh/sshd_config.d/50-stake.conf').action, 'change');
    assert.deepEqual(action('/etc/ssh/sshd_config.d/50-stake.conf').differs, ['content']);
    assert.deepEqual(action('/etc/apt/apt.conf.d/20auto-upgrades').differs, ['mode']);
    const human = runStake(['plan', '-i', inv, '--limit', 'sentry-a']);
    assert.match(human.stdout, /sentry-a: \d+ to create, 2 to change; restarts cometbft/);
    assert.match(human.stdout, /~ \/etc\/ssh\/sshd_config\.d\/50-stake\.conf \(content\)/);
  });

  test('node ids the inventory lacks are derived on the host from node_key.json and cached', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const root = lab.hosts.find((h) => h.name === 'sentry-b')!.root;
    mkdirSync(join(root, 'var/lib/cometbft/config'), { recursive: true });
    writeFileSync(
      join(root, 'var/lib/cometbft/config/node_key.json'),
      JSON.stringify({
        priv_key: { type: 'tendermint/PrivKeyEd25519', value: Buffer.concat([seed, pub]).toString('base64') },
      }),
    );
    const noId = join(lab.dir, 'noid', 'inventory.yaml');
    mkdirSync(dirname(noId), { recursive: true });
    writeFileSync(noId, edit(sshInventory(lab), 'node_id: "0000000000000000000000000000000000000002", ', ''));
    const r = runStake(['plan', '--json', '-i', noId, '--limit', 'val-a']);
    assert.equal(r.code, 0, r.stderr);
    const cache = JSON.parse(readFileSync(join(lab.dir, 'noid', '.stake', 'node-ids.json'), 'utf8'));
    assert.equal(cache['sentry-b'], createHash('sha256').update(pub).digest('hex').slice(0, 40));
  });

  test('--diff shows what changes in each changed file, never a secret', () => {
    const root = lab.hosts.find((h) => h.name === 'val-b')!.root;
    const config = join(root, 'var/lib/cometbft/config/config.toml');
    const out = join(lab.dir, 'rendered-val-b');
    assert.equal(runStake(['render', '-i', inv, '--out', out, '--host', 'val-b']).code, 0);
    const rendered = readFileSync(join(out, 'val-b', 'var/lib/cometbft/config/config.toml'), 'utf8');
    mkdirSync(dirname(config), { recursive: true });
    writeFileSync(
      config,
      rendered.replace('pex = false', 'pex = true').replace('[rpc]', 'db_password = "hunter2"\n\n[rpc]'),
    );
    chmodSync(config, 0o640);
    const { code, doc } = planOf(['--limit', 'val-b', '--diff']);
    assert.equal(code, 0);
    const patch: string = doc.diffs['val-b']['/var/lib/cometbft/config/config.toml'];
    assert.match(patch, /^-pex = true$/m);
    assert.match(patch, /^\+pex = false$/m);
    assert.match(patch, /^-db_password = \*{8}$/m);
    const human = runStake(['plan', '-i', inv, '--limit', 'val-b', '--diff']);
    assert.match(human.stdout, /^ {6}\+pex = false$/m);
    assert.doesNotMatch(human.stdout + JSON.stringify(doc), /hunter2/);
  });

  test('--limit selects by name, tier or datacenter; -o saves the plan', () => {
    const saved = join(lab.dir, 'plan.json');
    const { doc } = planOf(['--limit', 'sentry,dc-c', '-o', saved]);
    assert.deepEqual(
      doc.plan.hosts.map((h: { host: string }) => h.host),
      ['sentry-a', 'sentry-b', 'witness'],
    );
    assert.deepEqual(JSON.parse(readFileSync(saved, 'utf8')), doc.plan);
    assert.equal(runStake(['plan', '-i', inv, '--limit', 'nothing']).code, 2);
  });

  test('a host that is down is reported and exits 5; the others are still planned', async () => {
    await lab.stopHost(lab.hosts.find((h) => h.name === 'witness')!);
    const { code, doc } = planOf(['--limit', 'witness,val-b']);
    assert.equal(code, 5);
    assert.deepEqual(
      doc.plan.hosts.map((h: { host: string }) => h.host),
      ['val-b'],
    );
    assert.equal(doc.unreachable.filter(Boolean)[0].host, 'witness');
  });

  test('an unknown host key refuses that host (exit 4)', () => {
    const kh = join(lab.dir, 'empty_known_hosts');
    writeFileSync(kh, '');
    const other = join(lab.dir, 'unknown.yaml');
    writeFileSync(other, sshInventory(lab, { knownHosts: kh }));
    const r = runStake(['plan', '-i', other, '--limit', 'val-b']);
    assert.equal(r.code, 4);
    assert.match(r.stdout, /val-b: unknown host .* key ssh-ed25519 SHA256:/);
  });
});

describe('stake plan --accept-new', { skip: skip ?? false }, () => {
  let hosts: TestHosts;
  before(async () => {
    hosts = await startTestHosts(TEST_HOST_NAMES, { firstAddress: 80 });
  });
  after(async () => hosts?.stop());

  test('accepts the keys of hosts never seen, records them, and checks them from then on', () => {
    const kh = join(hosts.dir, 'new_known_hosts');
    writeFileSync(kh, '');
    const file = join(hosts.dir, 'inventory.yaml');
    writeFileSync(file, sshInventory(hosts, { knownHosts: kh }));
    const first = runStake(['plan', '-i', file, '--limit', 'val-a', '--accept-new']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stderr, /val-a: new host key SHA256:\S+ accepted \(--accept-new\) and added to /);
    const host = hosts.hosts.find((h) => h.name === 'val-a')!;
    assert.equal(readFileSync(kh, 'utf8'), `[${host.address}]:${host.port} ${host.hostKey}\n`);
    const second = runStake(['plan', '-i', file, '--limit', 'val-a']);
    assert.equal(second.code, 0, 'now known, without --accept-new');
    assert.equal(readFileSync(kh, 'utf8').split('\n').filter(Boolean).length, 1, 'recorded once');
  });
});

describe('an encrypted SSH key on a terminal', { skip: skip ?? false }, () => {
  let hosts: TestHosts;
  before(async () => {
    hosts = await startTestHosts(TEST_HOST_NAMES, { firstAddress: 100 });
  });
  after(async () => hosts?.stop());

  test('asks for the passphrase once, without echoing it, through a real pseudo-terminal', async () => {
    const key = join(hosts.dir, 'operator_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', key]);
    appendFileSync(join(hosts.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
    const file = join(hosts.dir, 'inventory.yaml');
    writeFileSync(file, sshInventory(hosts).replace(`identity: ${hosts.clientKey}`, `identity: ${key}`));
    // a real terminal (`script`); the passphrase is typed once the prompt is there, as a person would
    const r = await onTerminal(
      ['plan', '-i', file, '--limit', 'sentry,val-a'],
      hosts.dir,
      [{ when: /Passphrase for .*operator_ed25519: /, say: () => 'correct horse' }],
      60_000,
      { STAKE_SSH_PASSPHRASE: undefined },
    );
    assert.match(r.output, /Passphrase for .*operator_ed25519: /);
    assert.equal((r.output.match(/Passphrase for/g) ?? []).length, 1, 'asked once for three hosts');
    assert.doesNotMatch(r.output, /correct horse/, 'never echoed');
    assert.equal(r.code, 0, r.output);
  });
});
