import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { edit, example, runStake, validateText } from '../support/helpers.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { renderDeployment } from '../../src/render/deployment.js';

let dir: string;
const COSMOS = projectPath('inventories', 'cosmos.yaml');

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(root.length)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

describe('stake render', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stake-render-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes OUT/<host>/<path> and a manifest whose sha256s match; byte-identical on every run', () => {
    const out = join(dir, 'out');
    const first = runStake(['render', '-i', COSMOS, '--out', out]);
    assert.equal(first.code, 0, first.stderr);
    const one = tree(out);
    assert.equal(runStake(['render', '-i', COSMOS, '--out', out]).code, 0);
    assert.deepEqual(tree(out), one);
    const manifest = JSON.parse(one['/val-fra/manifest.json']!);
    assert.equal(manifest.host, 'val-fra');
    assert.deepEqual(
      manifest.services.map((s: { name: string }) => s.name),
      ['cometbft'],
    );
    for (const f of manifest.files) {
      const content = one[`/val-fra${f.path}`];
      assert.ok(content !== undefined, f.path);
      assert.equal(createHash('sha256').update(content).digest('hex'), f.sha256, f.path);
    }
    const config = manifest.files.find((f: { path: string }) => f.path === '/var/lib/cometbft/config/config.toml');
    assert.deepEqual(config.restarts, ['cometbft']);
    assert.deepEqual(manifest.files.find((f: { path: string }) => f.path === '/etc/stake/nftables.nft').restarts, [
      'nftables',
    ]);
  });

  test('--host and --tier select; a stale file from an earlier render does not survive', () => {
    const out = join(dir, 'sel');
    mkdirSync(join(out, 'val-fra'), { recursive: true });
    writeFileSync(join(out, 'val-fra', 'stale.txt'), 'old');
    const r = runStake(['render', '-i', COSMOS, '--out', out, '--tier', 'validator', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).hosts.map((h: { host: string }) => h.host),
      ['val-fra', 'val-waw'],
    );
    assert.equal(existsSync(join(out, 'val-fra', 'stale.txt')), false);
    assert.deepEqual(readdirSync(out).sort(), ['val-fra', 'val-waw']);
    assert.equal(runStake(['render', '-i', COSMOS, '--out', out, '--host', 'nope']).code, 2);
  });

  test('a template next to the inventory overrides the built-in one; one that yields invalid TOML stops the render, named', () => {
    const inv = join(dir, 'custom', 'inventory.yaml');
    mkdirSync(join(dir, 'custom', 'templates', 'cometbft'), { recursive: true });
    writeFileSync(inv, example('cosmos'));
    const tpl = join(dir, 'custom', 'templates', 'cometbft', 'config.toml.liquid');
    writeFileSync(tpl, 'moniker = {{ host.name | toml }}\n# custom\n');
    const out = join(dir, 'custom-out');
    const ok = runStake(['render', '-i', inv, '--out', out, '--host', 'val-fra']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /using your template cometbft\/config\.toml\.liquid/);
    assert.equal(
      readFileSync(join(out, 'val-fra', 'var/lib/cometbft/config/config.toml'), 'utf8'),
      'moniker = "val-fra"\n# custom\n',
    );

    writeFileSync(tpl, 'moniker = {{ host.name }}\n');
    const bad = runStake(['render', '-i', inv, '--out', join(dir, 'bad-out')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /template .*cometbft\/config\.toml\.liquid produced invalid TOML/);
    assert.equal(existsSync(join(dir, 'bad-out')), false, 'nothing written');

    writeFileSync(tpl, 'moniker = {{ hots.name | toml }}\n');
    const typo = runStake(['render', '-i', inv, '--out', join(dir, 'typo-out')]);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /undefined variable: hots/);
  });

  test('a cometbft host without a node id yet: rendered with a pending id and a note; the cache fills it; deploy alone refuses', () => {
    const inv = join(dir, 'noid.yaml');
    writeFileSync(inv, edit(example('cosmos'), '    node_id: 7b5b8c5fde92459937e5c88053fac35074394057\n', ''));
    const r = runStake(['render', '-i', inv, '--out', join(dir, 'noid-out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /node ids not known yet: sentry-fra-1; the configs that name them show NODE-ID-OF-<host>/);
    const validator = readFileSync(join(dir, 'noid-out', 'val-fra', 'var/lib/cometbft/config/config.toml'), 'utf8');
    assert.match(validator, /NODE-ID-OF-sentry-fra-1@/);
    mkdirSync(join(dir, '.stake'), { recursive: true });
    writeFileSync(
      join(dir, '.stake', 'node-ids.json'),
      JSON.stringify({ 'sentry-fra-1': '7b5b8c5fde92459937e5c88053fac35074394057' }),
    );
    const cached = runStake(['render', '-i', inv, '--out', join(dir, 'noid-out')]);
    assert.equal(cached.code, 0, 'the gathered-ids cache fills the gap');
    assert.doesNotMatch(cached.stdout, /not known yet/);
    assert.match(
      readFileSync(join(dir, 'noid-out', 'val-fra', 'var/lib/cometbft/config/config.toml'), 'utf8'),
      /7b5b8c5fde92459937e5c88053fac35074394057@/,
    );
    // what deploy renders with: no pending id, the refusal that says how to get one
    const resolved = resolveInventory(validateText(readFileSync(inv, 'utf8')).inventory!);
    assert.throws(
      () => renderDeployment(resolved, { inventory: join(dir, 'elsewhere', 'inventory.yaml') }),
      /node id of "sentry-fra-1" is unknown/,
    );
  });

  test('init: direct renders a launch script that really starts, tracks and stops the service', () => {
    const root = join(dir, 'hostroot');
    // the binary, like every path of the host, lives under its root
    mkdirSync(join(root, 'opt/bin'), { recursive: true });
    writeFileSync(join(root, 'opt/bin/cometbft'), '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    let text = edit(
      example('cosmos'),
      'clients:\n  cometbft: { version: v0.38.17 }',
      'clients:\n  cometbft: { version: v0.38.17, binary: /opt/bin/cometbft }',
    );
    text = edit(text, '    address: 10.1.0.10\n', `    address: 10.1.0.10\n    init: direct\n    root: ${root}\n`);
    const inv = join(dir, 'direct.yaml');
    writeFileSync(inv, text);
    const out = join(dir, 'direct-out');
    assert.equal(runStake(['render', '-i', inv, '--out', out, '--host', 'val-fra']).code, 0);
    const script = join(out, 'val-fra', 'var/lib/stake/bin/cometbft.sh');
    const sh = (arg: string) => spawnSync('sh', [script, arg], { encoding: 'utf8', timeout: 40_000 });
    const pidfile = join(root, 'var/lib/stake/run/cometbft.pid');
    try {
      assert.equal(sh('start').status, 0);
      const pid = Number(readFileSync(pidfile, 'utf8'));
      assert.ok(pid > 0);
      process.kill(pid, 0); // alive
      assert.equal(sh('status').status, 0);
      assert.match(sh('start').stdout, /already running/);
      assert.equal(sh('stop').status, 0);
      assert.throws(() => process.kill(pid, 0), 'stopped');
      assert.equal(existsSync(pidfile), false);
      assert.equal(sh('status').status, 3);
    } finally {
      if (existsSync(pidfile)) {
        try {
          process.kill(Number(readFileSync(pidfile, 'utf8')), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  });
});
