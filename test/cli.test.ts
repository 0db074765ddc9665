/** The CLI frame through the real bin/stake: help, version, usage errors, global flags, exit codes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../src/paths.js';
import { edit, example, runStake } from './support/helpers.js';

const ANSI = /\u001b\[\d+m/;
const COSMOS = projectPath('inventories', 'cosmos.yaml');
let dir: string;

describe('stake CLI', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stake-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--help lists every command with a summary, and examples', () => {
    const r = runStake(['--help']);
    assert.equal(r.code, 0);
    for (const cmd of ['validate', 'hosts']) {
      assert.match(r.stdout, new RegExp(`^  ${cmd}\\b.*\\S`, 'm'), `${cmd} listed with a summary`);
      assert.match(r.stdout, new RegExp(`\\$ stake ${cmd} `), `${cmd} has an example`);
    }
    assert.match(r.stdout, /-i, --inventory <file>/);
    assert.match(r.stdout, /--json/);
    assert.match(r.stdout, /--no-color/);
    assert.match(r.stdout, /Exit codes: 0 ok/);
  });

  test('--version prints the package version', () => {
    const r = runStake(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(projectPath('package.json'), 'utf8')).version);
  });

  test('an unknown command exits 2 with a suggestion', () => {
    const r = runStake(['valdate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'valdate'/);
    assert.match(r.stderr, /Did you mean validate\?/);
  });

  test('an unknown flag exits 2 with a suggestion', () => {
    const r = runStake(['validate', '--strikt', '-i', COSMOS]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--strikt'/);
    assert.match(r.stderr, /Did you mean --strict\?/);
  });

  test('no command at all is a usage error (exit 2) that shows the usage', () => {
    const r = runStake([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Usage: stake/);
  });

  test('the inventory defaults to ./inventory.yaml, then $STAKE_INVENTORY', () => {
    writeFileSync(join(dir, 'inventory.yaml'), example('cardano'));
    const local = runStake(['hosts', '--json'], { cwd: dir });
    assert.equal(local.code, 0, local.stderr);
    assert.equal(JSON.parse(local.stdout).name, 'ada-pool-prod');
    const fromEnv = runStake(['hosts', '--json'], { cwd: dir, env: { STAKE_INVENTORY: COSMOS } });
    assert.equal(JSON.parse(fromEnv.stdout).name, 'cosmoshub-prod');
  });

  test('validate: the examples are clean; --json gives the findings as data', () => {
    for (const name of ['cosmos', 'ethereum', 'cardano']) {
      const r = runStake(['validate', '--json', '-i', projectPath('inventories', `${name}.yaml`)]);
      assert.equal(r.code, 0, r.stdout);
      const report = JSON.parse(r.stdout);
      assert.equal(report.valid, true);
      assert.deepEqual(report.findings, []);
      assert.ok(report.hosts >= 9);
    }
  });

  test('validate: warnings pass, --strict makes them fail', () => {
    const path = join(dir, 'warn.yaml');
    writeFileSync(path, edit(example('cosmos'), '    standby: [val-waw]\n', ''));
    const plain = runStake(['validate', '-i', path]);
    assert.equal(plain.code, 0, plain.stdout);
    assert.match(plain.stdout, /warning\[no-standby\]/);
    const strict = runStake(['validate', '--strict', '--json', '-i', path]);
    assert.equal(strict.code, 3);
    const report = JSON.parse(strict.stdout);
    assert.equal(report.findings[0].severity, 'error');
    assert.equal(report.findings[0].id, 'no-standby');
  });

  test('colour only on request: NO_COLOR and --no-color win, --json never has colour', () => {
    const path = join(dir, 'warn2.yaml');
    writeFileSync(path, edit(example('cosmos'), '    standby: [val-waw]\n', ''));
    assert.match(runStake(['validate', '-i', path], { env: { FORCE_COLOR: '1' } }).stdout, ANSI);
    assert.doesNotMatch(runStake(['validate', '-i', path], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, ANSI);
    assert.doesNotMatch(runStake(['validate', '--no-color', '-i', path], { env: { FORCE_COLOR: '1' } }).stdout, ANSI);
    assert.doesNotMatch(runStake(['validate', '--json', '-i', path], { env: { FORCE_COLOR: '1' } }).stdout, ANSI);
  });

  test('hosts: a table by tier and datacenter with roles', () => {
    const r = runStake(['hosts', '-i', COSMOS]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+TIER\s+DC\s+ADDRESS\s+CLIENT\s+ROLE$/);
    assert.match(r.stdout, /^val-fra\s+validator\s+fra1\s+10\.1\.0\.10\s+cometbft\s+active cosmoshub$/m);
    assert.match(r.stdout, /^val-waw\s+validator\s+waw1\s+10\.2\.0\.10\s+cometbft\s+standby cosmoshub$/m);
    // outside in: sentries before validators before the witness
    const order = ['sentry-fra-1', 'val-fra', 'witness-ams'].map((h) => lines.findIndex((l) => l.startsWith(`${h} `)));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
  });

  test('hosts --json: every host with its resolved defaults and roles', () => {
    const r = runStake(['hosts', '--json', '-i', projectPath('inventories', 'ethereum.yaml')]);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.hosts.length, 12);
    const beacon = doc.hosts.find((h: { name: string }) => h.name === 'beacon-fra-1');
    assert.equal(beacon.public, true, 'beacons are public by default');
    assert.equal(beacon.execution, 'geth');
    const vc = doc.hosts.find((h: { name: string }) => h.name === 'vc-fra');
    assert.equal(vc.public, false);
    assert.deepEqual(vc.roles, [{ identity: 'mainnet-pool', role: 'active' }]);
  });

  test('hosts on an invalid inventory: exit 3 with the findings, no stack trace', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, edit(example('cosmos'), '    witness: witness-ams', '    witness: witness-amz'));
    const r = runStake(['hosts', '-i', path]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /error\[unknown-reference\]/);
    assert.match(r.stderr, /is not a valid inventory \(1 error\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const json = runStake(['hosts', '--json', '-i', path]);
    assert.equal(json.code, 3);
    assert.equal(JSON.parse(json.stdout).error.findings[0].id, 'unknown-reference');
  });
});
