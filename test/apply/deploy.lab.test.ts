/**
 * stake deploy against real sshd hosts (init: direct, each its own root): a stand-in cometbft
 * binary is installed from `clients.cometbft.source`, started, health-checked and restarted for
 * real. The tests run in order; each starts from what the one before left.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { runStake, templatesWith as copyTemplatesWith } from '../support/helpers.js';
import { sshInventory, TEST_HOST_NAMES } from '../support/ssh-inventory.js';
import { servicePort, startTestHosts, stopServices, sshdUnavailable, type TestHosts } from '../support/sshd.js';

const skip = sshdUnavailable();
const STANDIN = projectPath('test', 'fixtures', 'standin-cometbft.mjs');
const COMETBFT_HOSTS = ['sentry-a', 'sentry-b', 'val-a', 'val-b'];
let lab: TestHosts;
let inv: string;
let baseInventory: string;

const rootOf = (name: string) => lab.hosts.find((h) => h.name === name)!.root;
const onHost = (name: string, path: string) => join(rootOf(name), path);
const pidOf = (name: string) => readFileSync(onHost(name, '/var/lib/stake/run/cometbft.pid'), 'utf8').trim();
const alive = (pid: string) => {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
};

/** Every file under a host's root with its inode and mtime: a no-op deploy must not change one. */
function snapshot(name: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !path.includes('/var/log/')) {
        const st = statSync(path);
        out.set(relative(rootOf(name), path), `${st.ino}:${st.mtimeMs}`);
      }
    }
  };
  walk(rootOf(name));
  return out;
}

const deploy = (args: string[] = [], file = inv) => {
  const r = runStake(['deploy', '--json', '-i', file, '--health-timeout', '5', ...args]);
  const events = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
  const done = events.find((e) => e.event === 'done') as
    { results: { host: string; status: string; restarted: string[]; reason?: string }[] } | undefined;
  const status = Object.fromEntries((done?.results ?? []).map((x) => [x.host, x.status]));
  return { ...r, events, done, status };
};

const templatesWith = (name: string, file: string, from: string, to: string) =>
  copyTemplatesWith(join(lab.dir, name), file, from, to);

describe('stake deploy', { skip: skip ?? false }, () => {
  before(async () => {
    lab = await startTestHosts(TEST_HOST_NAMES, { firstAddress: 120 });
    const p2p: Record<string, number> = {};
    for (const h of lab.hosts.filter((x) => COMETBFT_HOSTS.includes(x.name))) p2p[h.name] = await servicePort();
    const sha = createHash('sha256').update(readFileSync(STANDIN)).digest('hex');
    inv = join(lab.dir, 'inventory.yaml');
    baseInventory = sshInventory(lab, {
      p2p,
      clients: `{ cometbft: { version: standin, source: ${STANDIN}, sha256: ${sha} } }`,
    });
    writeFileSync(inv, baseInventory);
  });
  after(async () => {
    stopServices(COMETBFT_HOSTS.map(rootOf));
    await lab?.stop();
  });

  test('first deploy: binary, files and manifest in place, services up, generation 1 recorded', () => {
    const r = deploy();
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    for (const name of COMETBFT_HOSTS) {
      assert.equal(r.status[name], 'deployed');
      assert.equal(readFileSync(onHost(name, '/usr/local/bin/cometbft'), 'utf8'), readFileSync(STANDIN, 'utf8'));
      assert.equal((statSync(onHost(name, '/usr/local/bin/cometbft')).mode & 0o777).toString(8), '755');
      assert.match(readFileSync(onHost(name, '/var/lib/cometbft/config/config.toml'), 'utf8'), /\[p2p\]/);
      assert.equal((statSync(onHost(name, '/var/lib/cometbft/config/config.toml')).mode & 0o777).toString(8), '640');
      const manifest = JSON.parse(readFileSync(onHost(name, '/var/lib/stake/deployed.json'), 'utf8'));
      assert.equal(manifest.host, name);
      assert.ok(alive(pidOf(name)), `${name}: cometbft runs`);
      assert.equal(existsSync(onHost(name, '/var/lib/stake/pending-restarts')), false);
    }
    assert.equal(r.status.witness, 'deployed');
    for (const name of ['val-a', 'val-b', 'witness']) {
      const gen = JSON.parse(readFileSync(onHost(name, '/var/lib/stake/test-id/generation'), 'utf8'));
      assert.equal(gen.generation, 1);
      assert.equal(gen.active, 'val-a');
    }
    assert.equal(
      existsSync(onHost('sentry-a', '/var/lib/stake/test-id/generation')),
      false,
      'only quorum hosts hold the generation',
    );
    // the order: sentries before validators; nothing was running, so no stage needed rolling waves
    const stages = r.events.filter((e) => e.event === 'stage') as unknown as { stage: string; waves: string[][] }[];
    assert.deepEqual(
      stages.map((s) => s.stage),
      ['sentries, relays and beacons', 'validators', 'other hosts'],
    );
    assert.deepEqual(
      stages.map((s) => s.waves),
      [[], [], []],
    );
  });

  test('no-op redeploy: nothing written, nothing restarted, and it says so', () => {
    const before = new Map(TEST_HOST_NAMES.map((n) => [n, snapshot(n)]));
    const pids = COMETBFT_HOSTS.map(pidOf);
    const r = deploy();
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      Object.values(r.status).every((s) => s === 'unchanged'),
      JSON.stringify(r.status),
    );
    for (const n of TEST_HOST_NAMES) assert.deepEqual(snapshot(n), before.get(n), `${n}: no file touched`);
    assert.deepEqual(COMETBFT_HOSTS.map(pidOf), pids);
    const human = runStake(['deploy', '-i', inv]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /nothing to do: every host matches the inventory; nothing written, nothing restarted/);
  });

  test("a changed template: exactly one host's service restarts", () => {
    const templates = templatesWith(
      'tpl-one',
      'cometbft/config.toml.liquid',
      '[p2p]',
      "{% if host.name == 'sentry-b' %}# tuned for sentry-b\n{% endif %}[p2p]",
    );
    const pids = Object.fromEntries(COMETBFT_HOSTS.map((n) => [n, pidOf(n)]));
    const r = deploy(['--templates', templates]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.status, {
      'sentry-a': 'unchanged',
      'sentry-b': 'deployed',
      'val-a': 'unchanged',
      'val-b': 'unchanged',
      witness: 'unchanged',
    });
    assert.deepEqual(r.done!.results.find((x) => x.host === 'sentry-b')!.restarted, ['cometbft']);
    for (const n of COMETBFT_HOSTS) {
      if (n === 'sentry-b') assert.notEqual(pidOf(n), pids[n]);
      else assert.equal(pidOf(n), pids[n]);
    }
    assert.match(
      readFileSync(onHost('sentry-b', '/var/lib/cometbft/config/config.toml'), 'utf8'),
      /# tuned for sentry-b/,
    );
    // the previous version is kept, to roll back to
    assert.doesNotMatch(
      readFileSync(onHost('sentry-b', '/var/lib/stake/previous/files/var/lib/cometbft/config/config.toml'), 'utf8'),
      /# tuned/,
    );
    // and back to the built-in templates
    assert.equal(deploy().code, 0);
  });

  test('a failing health check: that host is rolled back to exactly what it had, the rollout stops', () => {
    // sentry-a's node would listen on another port than the one its health check knows; every host gets a comment
    const templates = templatesWith(
      'tpl-bad',
      'cometbft/config.toml.liquid',
      'laddr = {{ p2p_laddr | toml }}',
      'laddr = {% if host.name == \'sentry-a\' %}"tcp://127.0.0.1:1"{% else %}{{ p2p_laddr | toml }}{% endif %}\n# release 2',
    );
    const beforeA = readFileSync(onHost('sentry-a', '/var/lib/cometbft/config/config.toml'));
    const beforeManifest = readFileSync(onHost('sentry-a', '/var/lib/stake/deployed.json'));
    const valBefore = snapshot('val-a');
    const r = deploy(['--templates', templates]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.status['sentry-a'], 'rolled-back');
    assert.match(r.done!.results.find((x) => x.host === 'sentry-a')!.reason!, /did not answer on port \d+|exited/);
    assert.deepEqual(readFileSync(onHost('sentry-a', '/var/lib/cometbft/config/config.toml')), beforeA);
    assert.deepEqual(readFileSync(onHost('sentry-a', '/var/lib/stake/deployed.json')), beforeManifest);
    assert.ok(alive(pidOf('sentry-a')), 'sentry-a runs again on its old config');
    // the sentries run, so they roll one at a time; sentry-a was the first wave: nothing after it started
    const stages = r.events.filter((e) => e.event === 'stage') as unknown as { stage: string; waves: string[][] }[];
    assert.deepEqual(stages[0]!.waves, [['sentry-a'], ['sentry-b']]);
    for (const n of ['sentry-b', 'val-a', 'val-b']) assert.equal(r.status[n], 'skipped', n);
    assert.deepEqual(snapshot('val-a'), valBefore);
    const plan = runStake(['plan', '--json', '-i', inv]);
    assert.ok(
      JSON.parse(plan.stdout).plan.hosts.every((h: { changes: number }) => h.changes === 0),
      'the hosts match the inventory again',
    );
  });

  test('a stale inventory is refused (exit 4) with who moved the identity and when', () => {
    const record = {
      generation: 2,
      active: 'val-b',
      since: '2026-11-20T09:14:00.000Z',
      approvers: ['alice', 'bob'],
      plan: 'K7Q2-9XM4',
    };
    const saved = new Map(
      ['val-a', 'val-b', 'witness'].map((n) => [n, readFileSync(onHost(n, '/var/lib/stake/test-id/generation'))]),
    );
    for (const n of ['val-b', 'witness'])
      writeFileSync(onHost(n, '/var/lib/stake/test-id/generation'), JSON.stringify(record));
    try {
      const templates = templatesWith('tpl-stale', 'cometbft/config.toml.liquid', '[p2p]', '# release 3\n[p2p]');
      const before = snapshot('val-a');
      const r = runStake(['deploy', '-i', inv, '--templates', templates]);
      assert.equal(r.code, 4, r.stdout);
      assert.match(
        r.stderr,
        /test-id is live on val-b \(generation 2, moved by alice and bob at 2026-11-20T09:14:00.000Z\), but this inventory says val-a/,
      );
      assert.match(r.stderr, /hint: pull the inventory/);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
      assert.deepEqual(snapshot('val-a'), before);
    } finally {
      for (const [n, data] of saved) writeFileSync(onHost(n, '/var/lib/stake/test-id/generation'), data);
    }
  });

  test('a standby holding the live active key is never started', () => {
    const key = JSON.stringify({ address: 'AB'.repeat(20), pub_key: {}, priv_key: {} });
    for (const n of ['val-a', 'val-b'])
      writeFileSync(onHost(n, '/var/lib/cometbft/config/priv_validator_key.json'), key);
    try {
      const templates = templatesWith('tpl-key', 'cometbft/config.toml.liquid', '[p2p]', '# release 4\n[p2p]');
      const pid = pidOf('val-b');
      const r = deploy(['--templates', templates]);
      assert.equal(r.code, 4);
      assert.equal(r.status['val-b'], 'refused');
      assert.match(
        r.done!.results.find((x) => x.host === 'val-b')!.reason!,
        /holds the signing key of test-id, which is live on val-a/,
      );
      assert.equal(pidOf('val-b'), pid);
      assert.equal(r.status['val-a'], 'deployed');
    } finally {
      for (const n of ['val-a', 'val-b'])
        writeFileSync(onHost(n, '/var/lib/cometbft/config/priv_validator_key.json'), '');
    }
    assert.equal(deploy().code, 0);
  });

  test('a host that is down: exit 5, the others deployed', async () => {
    const templates = templatesWith('tpl-down', 'cometbft/config.toml.liquid', '[p2p]', '# release 5\n[p2p]');
    await lab.stopHost(lab.hosts.find((h) => h.name === 'sentry-b')!);
    const r = deploy(['--templates', templates]);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.status['sentry-b'], 'unreachable');
    for (const n of ['sentry-a', 'val-a', 'val-b']) assert.equal(r.status[n], 'deployed', n);
    const human = runStake(['deploy', '-i', inv, '--templates', templates]);
    assert.equal(human.code, 5);
    assert.match(human.stdout + human.stderr, /sentry-b: unreachable: cannot connect/);
  });
});
