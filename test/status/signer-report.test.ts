/**
 * The signer tier in `stake status` (src/status/signer-report.ts): which validator a tmkms serves
 * is told by its serving config's digest against stake's render, its watermark is read in
 * tmkms's format, and a signer that serves another host than the live one, lost its state or
 * stopped is red.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { resolveInventory } from '../../src/inventory/resolve.js';
import type { HostFacts } from '../../src/plan/facts.js';
import { TemplateEngine } from '../../src/render/engine.js';
import { renderInventory } from '../../src/render/render.js';
import { loadTemplates } from '../../src/render/templates.js';
import type { StatusInput } from '../../src/status/report.js';
import type { HostAnswer } from '../../src/status/script.js';
import { signerTier } from '../../src/status/signer-report.js';
import { computeGraph } from '../../src/topology/graph.js';
import { cosmosWithTmkms, validateText } from '../support/helpers.js';

const inv = resolveInventory(validateText(cosmosWithTmkms()).inventory!);
const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
const renders = new Map(
  renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {}).map((r) => [r.host, r]),
);
const id = inv.identities[0]!;
const sha = (path: string) =>
  createHash('sha256')
    .update(renders.get('kms-fra')!.files.find((f) => f.path === path)!.content)
    .digest('hex');

/** kms-fra's answer: its service, the digest of its serving config, its state file. */
function answer(service: 'active' | 'inactive', serving: string | null, state?: string): HostAnswer {
  const facts: HostFacts = {
    host: 'kms-fra',
    files: { '/var/lib/tmkms/serving.toml': serving ? { sha256: serving, mode: '0600', owner: 'tmkms:tmkms' } : null },
    services: { tmkms: service },
    pending: [],
    problems: [],
  };
  return {
    facts,
    probes: {
      cosmoshub: {
        keys: {},
        services: {},
        listening: {},
        files: state ? { '/var/lib/tmkms/state/cosmoshub-4-consensus.json': state } : {},
      } as never,
    },
    metrics: {},
  };
}
const input = (a: HostAnswer | { error: string }): StatusInput =>
  ({ inv, renders, answers: new Map([['kms-fra', a]]) }) as unknown as StatusInput;
const state = (h: number) => `{"height":"${h}","round":"0","step":2,"block_id":null}`;

describe('the signer tier in stake status', () => {
  test('running, serving the live validator, its watermark at the chain: no alarm', () => {
    const t = signerTier(input(answer('active', sha('/etc/tmkms/serve-val-fra.toml'), state(500))), id, 'val-fra', 500);
    assert.deepEqual(t.signers, [
      { host: 'kms-fra', state: 'running', serves: 'val-fra', watermark: '500/0/3', height: 500 },
    ]);
    assert.deepEqual(t.alarms, []);
  });

  test('serving another host than the live one, a config stake did not render, or none', () => {
    const other = signerTier(
      input(answer('active', sha('/etc/tmkms/serve-val-waw.toml'), state(500))),
      id,
      'val-fra',
      500,
    );
    assert.equal(other.signers[0]!.serves, 'val-waw');
    assert.match(other.alarms[0]!, /^signer kms-fra serves val-waw, but val-fra is the live active host/);
    const forged = signerTier(input(answer('active', 'f'.repeat(64), state(500))), id, 'val-fra', 500);
    assert.equal(forged.signers[0]!.serves, 'unknown');
    assert.match(forged.alarms[0]!, /serves a validator stake did not render/);
    const none = signerTier(input(answer('inactive', null)), id, 'val-fra', 500);
    assert.deepEqual(none.signers[0], { host: 'kms-fra', state: 'stopped', serves: 'none', watermark: 'none' });
    assert.match(none.alarms[0]!, /^signer kms-fra is not running tmkms: cosmoshub cannot sign$/);
  });

  test('a watermark far below the chain (a tmkms that lost its state) and an unreadable one are red; a moment behind is not', () => {
    const lost = signerTier(
      input(answer('active', sha('/etc/tmkms/serve-val-fra.toml'), state(0))),
      id,
      'val-fra',
      500,
    );
    assert.match(
      lost.alarms[0]!,
      /watermark 0\/0\/0 is below the chain's last signature of cosmoshub \(500\): a tmkms that lost its state signs anything above it/,
    );
    const behind = signerTier(
      input(answer('active', sha('/etc/tmkms/serve-val-fra.toml'), state(495))),
      id,
      'val-fra',
      500,
    );
    assert.deepEqual(behind.alarms, []);
    const bad = signerTier(
      input(answer('active', sha('/etc/tmkms/serve-val-fra.toml'), '{"height":1}')),
      id,
      'val-fra',
      500,
    );
    assert.equal(bad.signers[0]!.watermark, 'unreadable');
    assert.match(bad.alarms[0]!, /state file is unreadable/);
    const gone = signerTier(input({ error: 'timed out' }), id, 'val-fra', 500);
    assert.deepEqual(gone.signers, [{ host: 'kms-fra', state: 'unreachable' }]);
  });
});
