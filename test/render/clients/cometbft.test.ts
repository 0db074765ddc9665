import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { resolveInventory } from '../../../src/inventory/resolve.js';
import { TemplateEngine } from '../../../src/render/engine.js';
import { renderInventory } from '../../../src/render/render.js';
import { loadTemplates } from '../../../src/render/templates.js';
import { computeGraph } from '../../../src/topology/graph.js';
import { example, validateText } from '../../support/helpers.js';
import { InventoryBuilder } from '../../support/inventory-builder.js';
import { projectPath } from '../../../src/paths.js';

const REFERENCE = parse(
  readFileSync(projectPath('test', 'fixtures', 'reference', 'cometbft', 'config.default.v0.38.25.toml'), 'utf8'),
) as Record<string, unknown>;

function renderCosmos(text = example('cosmos'), hosts?: string[]) {
  const inv = resolveInventory(validateText(text).inventory!);
  const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
  return renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {}, hosts ? { hosts } : {});
}

const configOf = (host: string) => {
  const file = renderCosmos()
    .find((r) => r.host === host)!
    .files.find((f) => f.path.endsWith('config.toml'))!;
  return parse(file.content) as Record<string, Record<string, unknown>>;
};

describe('cometbft config.toml', () => {
  test("every key written exists, in the same section, in CometBFT's default config.toml (v0.38.25)", () => {
    for (const host of ['val-fra', 'sentry-fra-1', 'sentry-fra-2']) {
      const config = configOf(host);
      for (const [key, value] of Object.entries(config)) {
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          assert.ok(REFERENCE[key] && typeof REFERENCE[key] === 'object', `[${key}] is a section of the reference`);
          for (const sub of Object.keys(value))
            assert.ok(Object.hasOwn(REFERENCE[key] as object, sub), `[${key}] ${sub} exists in the reference`);
        } else {
          assert.ok(
            Object.hasOwn(REFERENCE, key) && typeof REFERENCE[key] !== 'object',
            `top-level ${key} exists in the reference`,
          );
        }
        // and with the reference's type
        if (typeof value !== 'object') assert.equal(typeof value, typeof REFERENCE[key], `${key} type`);
      }
    }
  });

  test('the validator peers only with its own sentries: pex off, no seeds, RPC on loopback, double-sign check on', () => {
    const c = configOf('val-fra');
    assert.equal(c.p2p!.pex, false);
    assert.equal(c.p2p!.seeds, '');
    const peers = String(c.p2p!.persistent_peers).split(',');
    assert.deepEqual(
      peers.map((p) => p.split('@')[1]),
      ['10.1.0.11:26656', '10.1.0.12:26656', '10.2.0.21:26656', '10.2.0.22:26656'],
    );
    assert.equal(c.rpc!.laddr, 'tcp://127.0.0.1:26657');
    assert.equal(c.consensus!.double_sign_check_height, 10);
    assert.equal(c.instrumentation!.prometheus, true);
  });

  test("sentries keep the validators' ids private and always let them in; pex and seeds only when public", () => {
    const pub = configOf('sentry-fra-1');
    const priv = configOf('sentry-fra-2');
    const validatorIds = '8b00e8a8a486ecfdcdc8de68377c298104b5f5d8,cf50ad77831152987a567ff12dd9e66b81f9c4df';
    assert.equal(pub.p2p!.private_peer_ids, validatorIds);
    assert.equal(priv.p2p!.private_peer_ids, validatorIds);
    assert.ok(String(pub.p2p!.unconditional_peer_ids).startsWith(validatorIds));
    assert.equal(pub.p2p!.pex, true);
    assert.equal(priv.p2p!.pex, false);
    assert.match(String(pub.p2p!.seeds), /@seeds\.polkachu\.com:14956/);
    assert.equal(priv.p2p!.seeds, '');
    assert.equal(pub.p2p!.external_address, '203.0.113.11:26656');
  });

  test('with a remote signer group the validator listens for it only where a failover wrote its laddr', () => {
    const text = InventoryBuilder.example('cosmos')
      .addHost(
        'signer-fra',
        { tier: 'signer', dc: 'fra1', address: '10.1.0.50', client: 'tmkms' },
        { before: 'witness-ams' },
      )
      .setSigner('cosmoshub', { client: 'tmkms', hosts: ['signer-fra'] })
      .text();
    for (const host of ['val-fra', 'val-waw']) {
      const render = renderCosmos(text, [host]).find((r) => r.host === host)!;
      const file = render.files.find((f) => f.path.endsWith('config.toml'))!;
      // a standby that listened would fail its start with no signer connected (node.go asks it for the key)
      assert.equal((parse(file.content) as Record<string, unknown>).priv_validator_laddr, '');
      assert.equal(render.manifest.services[0]!.environmentFile, '/etc/stake/cometbft-privval.env');
      const unit = render.files.find((f) => f.path === '/etc/systemd/system/stake-cometbft.service');
      if (unit) assert.match(unit.content, /^EnvironmentFile=-\/etc\/stake\/cometbft-privval\.env$/m);
      // the laddr itself: on the active host only
      const env = render.files.find((f) => f.path === '/etc/stake/cometbft-privval.env');
      if (host === 'val-fra') assert.match(env!.content, /^CMT_PRIV_VALIDATOR_LADDR=tcp:\/\/10\.1\.0\.10:26659$/m);
      else assert.equal(env, undefined, 'the standby does not listen for the signer');
    }
    // the signer renders too: one serving config per validator host (test/reference/signer-configs.test.ts)
    const signer = renderCosmos(text, ['signer-fra']).find((r) => r.host === 'signer-fra')!;
    assert.deepEqual(
      signer.files.filter((f) => f.path.startsWith('/etc/tmkms/')).map((f) => f.path),
      ['/etc/tmkms/serve-val-fra.toml', '/etc/tmkms/serve-val-waw.toml'],
    );
    // and the active host's again where tmkms reads it
    assert.equal(
      signer.files.find((f) => f.path === '/var/lib/tmkms/serving.toml')!.content,
      signer.files.find((f) => f.path === '/etc/tmkms/serve-val-fra.toml')!.content,
    );
    // without a signer group the unit reads no environment file
    const plain = renderCosmos(InventoryBuilder.example('cosmos').text(), ['val-fra']).find(
      (r) => r.host === 'val-fra',
    )!;
    assert.equal(plain.manifest.services[0]!.environmentFile, undefined);
  });
});
