/**
 * What a host reports is untrusted input (issue 15, class 2): forged deployed manifests,
 * generation records, locks, probes and metrics, through the pure parsers, and the facts script
 * run with this machine's sh against a folder standing for a host's root.
 */
import { scratchDir } from '../support/scratch.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deletable, deletionProblems, planHost } from '../../src/plan/compute.js';
import { factsScript, parseFacts, refuseProblems } from '../../src/plan/facts.js';
import { HostRecordError } from '../../src/ssh/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import { parseGenerationRecord, parseQuorumAnswer } from '../../src/quorum/generation.js';
import { parseLock } from '../../src/failover/lock.js';
import { parseProbe } from '../../src/failover/scripts.js';
import { parseMetrics } from '../../src/status/metrics.js';
import { isCanonicalPath, pathProblem, RECORD_LIMITS } from '../../src/ssh/host-records.js';
import type { HostRender } from '../../src/render/host.js';
import type { ResolvedHost } from '../../src/inventory/resolve.js';
import { projectPath } from '../../src/paths.js';

const entry = (path: string) => ({ path, mode: '0644', owner: 'root:root', sha256: 'a'.repeat(64), restarts: [] });
const manifest = (paths: string[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 1,
    host: 'h',
    deployment: 'd',
    tier: 'sentry',
    root: '/srv/h',
    init: 'direct',
    firewall: 'render',
    services: [],
    files: paths.map(entry),
    ...extra,
  });
const render: HostRender = {
  host: 'h',
  files: [],
  manifest: JSON.parse(manifest([])) as HostRender['manifest'],
};

describe('the deployed manifest a host reports', () => {
  test('a path with ../ is a problem for the host and no record: deploy deletes nothing, the host is refused (exit 4)', () => {
    const facts = parseFacts('h', `D\t${manifest(['/etc/stake/x', '/../../../etc/passwd'])}\n`, '/srv/h');
    assert.equal(facts.deployed, undefined);
    assert.match(facts.problems.join('\n'), /not a canonical absolute path/);
    assert.deepEqual(
      planHost(render, facts).files.filter((f) => f.action === 'delete'),
      [],
    );
    assert.throws(
      () => refuseProblems(facts),
      (e: unknown) => e instanceof HostRecordError && e.exitCode === EXIT.refused && /passwd/.test(e.message),
    );
  });

  test('an absolute path stake never renders is not deleted, and refuses the host', () => {
    const facts = parseFacts(
      'h',
      `D\t${manifest(['/etc/stake/old.nft', '/root/.ssh/authorized_keys', '/etc/shadow'])}\n`,
      '/srv/h',
    );
    assert.deepEqual(facts.problems, []);
    const deletes = planHost(render, facts)
      .files.filter((f) => f.action === 'delete')
      .map((f) => f.path);
    assert.deepEqual(deletes, ['/etc/stake/old.nft']);
    assert.equal(deletionProblems(facts).length, 2);
    assert.equal(deletable('/etc/systemd/system/stake-geth.service'), true);
    assert.equal(deletable('/usr/bin/sudo'), false);
    assert.equal(deletable('/opt/geth/bin/geth', [{ path: '/opt/geth/bin/geth' }]), true);
  });

  test('an oversized, foreign-shaped or mistyped manifest is no record and a problem', () => {
    for (const text of [
      manifest(['/etc/stake/x'], { extra: true }),
      manifest(['/etc/stake/x'], { version: 2 }),
      JSON.stringify({ ...JSON.parse(manifest([])), files: [{ ...entry('/etc/stake/x'), mode: 644 }] }),
      manifest(['/etc/stake/x'], { tier: 'x'.repeat(RECORD_LIMITS.manifest) }),
      '{"version":1',
    ]) {
      const facts = parseFacts('h', `D\t${text}\n`, '/');
      assert.equal(facts.deployed, undefined, text.slice(0, 80));
      assert.equal(facts.problems.length, 1);
    }
  });

  test('every path stake renders for the example inventories (the golden manifests) is one it may delete', () => {
    const golden = projectPath('test', 'golden');
    let checked = 0;
    for (const family of readdirSync(golden))
      for (const host of readdirSync(join(golden, family))) {
        const m = JSON.parse(readFileSync(join(golden, family, host, 'manifest.json'), 'utf8')) as {
          files: { path: string }[];
        };
        for (const f of m.files) {
          assert.equal(deletable(f.path), true, `${family}/${host}: ${f.path}`);
          checked++;
        }
      }
    assert.ok(checked > 50);
  });

  test('paths from a host: canonical, absolute, inside the root', () => {
    for (const bad of ['etc/x', '/etc/../x', '/etc//x', '/etc/./x', '/etc/x/', '/', '/etc/\nx', `/${'a'.repeat(5000)}`])
      assert.equal(isCanonicalPath(bad), false, JSON.stringify(bad));
    assert.equal(pathProblem('/srv/h', '/etc/x'), undefined);
    assert.match(pathProblem('/srv/h', '/../x') ?? '', /canonical/);
  });

  test('the facts script against a folder: a forged deployed.json is reported, never acted on', () => {
    const root = scratchDir('stake-facts-');
    mkdirSync(join(root, 'var/lib/stake'), { recursive: true });
    writeFileSync(join(root, 'var/lib/stake/deployed.json'), manifest(['/../../../../etc/passwd']));
    const host = { name: 'h', root, init: 'direct', ssh: { become: 'none' } } as unknown as ResolvedHost;
    const out = spawnSync('sh', ['-s'], { input: factsScript(host, [], [], { nodeId: false }), encoding: 'utf8' });
    const facts = parseFacts('h', out.stdout, root);
    assert.equal(facts.deployed, undefined);
    assert.equal(facts.problems.length, 1);
  });
});

describe('records a quorum host reports', () => {
  const good = { generation: 3, active: 'a', since: 't', approvers: ['x'], plan: 'p' };
  test('a generation record of another shape, wrong types or oversized is no record', () => {
    assert.deepEqual(parseGenerationRecord(JSON.stringify(good)), good);
    for (const forged of [
      { ...good, extra: 1 },
      { ...good, generation: '9' },
      { ...good, generation: 1e300 },
      { ...good, approvers: 'x' },
      { ...good, plan: 'p'.repeat(RECORD_LIMITS.smallJson) },
      { ...good, active: 'a\u001b[2J' },
    ])
      assert.equal(parseGenerationRecord(JSON.stringify(forged)), null, JSON.stringify(forged).slice(0, 80));
    assert.equal(parseQuorumAnswer('h', `G\t${JSON.stringify({ ...good, x: 1 })}\n`).record, null);
  });

  test('a forged lock is still a lock, of an unreadable plan: none of its fields reaches a message', () => {
    const lock = { plan: 'P', by: 'me', since: 't', from: 'a', to: 'b' };
    assert.deepEqual(parseLock(JSON.stringify(lock)), lock);
    for (const forged of [
      { ...lock, x: 1 },
      { ...lock, plan: 5 },
      { ...lock, by: 'x'.repeat(20_000) },
      { ...lock, by: '\u001b]0;' },
    ])
      assert.deepEqual(parseLock(JSON.stringify(forged)), { plan: 'unreadable' });
  });

  test('probe lines of the wrong shape are dropped; an oversized lock is still a lock', () => {
    const p = parseProbe(
      [
        'K\tpriv_validator_key.json\tactive',
        'K\tx\towned',
        'S\tcometbft\thacked',
        'L\t99999\tyes',
        `G\t${'x'.repeat(RECORD_LIMITS.smallJson + 1)}`,
        `X\t${'x'.repeat(RECORD_LIMITS.smallJson + 1)}`,
        `F\t/../../etc/shadow\t${Buffer.from('x').toString('base64')}`,
        `F\t/var/lib/other\t${Buffer.from('x').toString('base64')}`,
        `F\t/var/lib/state.json\t${Buffer.from('{}').toString('base64')}`,
      ].join('\n'),
      ['/var/lib/state.json'],
    );
    assert.deepEqual(p.keys, { 'priv_validator_key.json': 'active' });
    assert.deepEqual(p.services, {});
    assert.deepEqual(p.listening, {});
    assert.equal(p.generation, undefined);
    assert.equal(p.lock, 'oversized');
    assert.deepEqual(p.files, { '/var/lib/state.json': '{}' });
  });
});

describe('status samples a host reports', () => {
  test('a huge metrics response is bounded: samples, labels per sample, label sizes', () => {
    const many = Array.from({ length: RECORD_LIMITS.samples + 5000 }, (_, i) => `m{i="${i}"} 1`).join('\n');
    assert.equal(parseMetrics(many).length, RECORD_LIMITS.samples);
    const labels = Array.from({ length: RECORD_LIMITS.labels + 1 }, (_, i) => `l${i}="v"`).join(',');
    assert.deepEqual(parseMetrics(`m{${labels}} 1\nok 2`), [{ name: 'ok', labels: {}, value: 2 }]);
    assert.deepEqual(parseMetrics(`m{l="${'v'.repeat(RECORD_LIMITS.labelChars + 1)}"} 1`), []);
  });
});
