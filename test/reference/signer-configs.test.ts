/**
 * The cosmos signers' configs, held to what tmkms v0.15.0 and horcrux v3.3.2 accept
 * (src/reference/tmkms-config.ts, horcrux-config.ts): their own examples pass, stake's renders
 * pass and serve exactly one validator each, and what the real signers refuse is refused in
 * their words.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { projectPath } from '../../src/paths.js';
import { refuseCosmosSignerTier } from '../../src/apply/signer-tier.js';
import { refuseUntabledClients } from '../../src/lab/up.js';
import { hostPort } from '../../src/render/clients/cosmos-signer.js';
import { StakeError } from '../../src/errors.js';
import { checkHorcruxConfig } from '../../src/reference/horcrux-config.js';
import { checkTmkmsConfig } from '../../src/reference/tmkms-config.js';
import { TemplateEngine } from '../../src/render/engine.js';
import { renderInventory } from '../../src/render/render.js';
import { loadTemplates } from '../../src/render/templates.js';
import { computeGraph } from '../../src/topology/graph.js';
import { cosmosWithTmkms, example, validateText } from '../support/helpers.js';

const fixture = (name: string) => readFileSync(projectPath('test', 'fixtures', 'reference', 'signers', name), 'utf8');

function render(text: string) {
  const result = validateText(text);
  assert.ok(result.inventory, JSON.stringify(result.diagnostics));
  const inv = resolveInventory(result.inventory);
  const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
  const renders = renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {});
  const file = (host: string, path: string) => renders.find((r) => r.host === host)?.files.find((f) => f.path === path);
  return { inv, renders, file };
}

describe('tmkms.toml', () => {
  test("tmkms's own example is accepted when built with softsign and yubihsm, and refused without yubihsm", () => {
    const text = fixture('tmkms-v0.15.0.toml.example');
    const full = checkTmkmsConfig(text);
    assert.equal(full.refusal, undefined);
    assert.deepEqual(
      full.chains.map((c) => c.id),
      ['cosmoshub-3', 'irishub', 'agoricdev-4'],
    );
    assert.equal(full.validators[0]!.addr, 'tcp://f88883b673fc69d7869cab098de3bafc2ff76eb8@example1.example.com:26658');
    assert.equal(
      checkTmkmsConfig(text, ['softsign']).refusal,
      'error: tmkms fatal error: config error: unknown field `yubihsm`, expected `softsign`',
    );
  });

  test("stake's render: one config per validator host, each accepted and dialing that host's privval port only", () => {
    const { file } = render(cosmosWithTmkms());
    for (const [validator, address] of [
      ['val-fra', '10.1.0.10'],
      ['val-waw', '10.2.0.10'],
    ]) {
      const f = file('kms-fra', `/etc/tmkms/serve-${validator}.toml`);
      assert.ok(f, `serve-${validator}.toml rendered`);
      const v = checkTmkmsConfig(f.content);
      assert.equal(v.refusal, undefined, f.content);
      assert.deepEqual(v.validators, [
        {
          chainId: 'cosmoshub-4',
          addr: `tcp://${address}:26659`,
          secretKey: '/var/lib/tmkms/secrets/kms-identity.key',
          reconnect: true,
        },
      ]);
      assert.deepEqual(v.softsign, [
        {
          chainIds: ['cosmoshub-4'],
          path: '/var/lib/tmkms/secrets/cosmoshub.priv_validator_key.json',
          keyFormat: 'json',
        },
      ]);
      assert.equal(v.chains[0]!.stateFile, '/var/lib/tmkms/state/cosmoshub-4-consensus.json');
    }
  });

  test('what tmkms refuses is refused in its words', () => {
    const ok = render(cosmosWithTmkms()).file('kms-fra', '/etc/tmkms/serve-val-fra.toml')!.content;
    const refusal = (text: string) => checkTmkmsConfig(text).refusal;
    assert.match(
      refusal(ok.replace('reconnect = true', 'reconnect = true\nretry = 3'))!,
      /unknown field `retry`, expected one of `addr`, `chain_id`/,
    );
    assert.match(refusal(ok.replace(/secret_key = .*\n/, ''))!, /no `secret_key` for validator: 10\.1\.0\.10:26659$/);
    assert.match(refusal(ok.replace('addr = "tcp://10.1.0.10:26659"', 'addr = "tcp://10.1.0.10"'))!, /missing port/);
    assert.equal(
      refusal(ok.replace(/chain_id = "cosmoshub-4"\naddr/, 'chain_id = "osmosis-1"\naddr')),
      "error: unregistered chain: osmosis-1 (add it to tmkms.toml's [[chain]] section)",
    );
    assert.match(
      refusal(ok.replace('protocol_version = "v0.38"', 'protocol_version = "v0.37"'))!,
      /unknown variant `v0\.37`/,
    );
    assert.match(
      refusal(`${ok}\n[[providers.softsign]]\nchain_ids = ["cosmoshub-4"]\npath = "/x"\n`)!,
      /only one \[\[providers\.softsign\]\] consensus key allowed/,
    );
    assert.match(refusal(ok.replace(/\[\[providers\.softsign\]\]\n(.*\n){4}/, ''))!, /missing field `providers`/);
    assert.match(refusal(ok.replace('id = "cosmoshub-4"', 'id = "cosmoshub-4"\nid2 = 1'))!, /unknown field `id2`/);
  });
});

describe('horcrux config.yaml', () => {
  test("horcrux's own migrated example is accepted", () => {
    const v = checkHorcruxConfig(fixture('horcrux-v3.3.2-config-migrated.yaml'), 1);
    assert.equal(v.refusal, undefined);
    assert.equal(v.threshold, 2);
    assert.deepEqual(
      v.cosigners.map((c) => c.shardId),
      [3, 1, 2],
    );
    assert.equal(v.chainNodes.length, 3);
  });

  test("stake's render: each cosigner its own shard id, 2 of 3, one config per validator host dialing that host only", () => {
    const { file, renders } = render(example('cosmos-horcrux'));
    const ids = new Set<number>();
    for (const [shard, signer] of ['signer-fra', 'signer-waw', 'signer-ams'].entries()) {
      for (const [validator, address] of [
        ['val-fra', '10.1.0.10'],
        ['val-waw', '10.2.0.10'],
      ]) {
        const f = file(signer, `/etc/horcrux/serve-${validator}.yaml`);
        assert.ok(f, `${signer}: serve-${validator}.yaml`);
        const v = checkHorcruxConfig(f.content, shard + 1);
        assert.equal(v.refusal, undefined, f.content);
        assert.deepEqual(v.chainNodes, [`tcp://${address}:26659`]);
        assert.equal(v.threshold, 2);
        assert.equal(v.keyDir, '/var/lib/horcrux/keys');
      }
      ids.add(shard + 1);
      const manifest = renders.find((r) => r.host === signer)!.manifest;
      assert.deepEqual(manifest.services[0]!.exec.slice(1), ['start', '--home', '/var/lib/horcrux']);
    }
    assert.equal(ids.size, 3);
  });

  test('what horcrux refuses at start is refused in its words', () => {
    const ok = render(example('cosmos-horcrux')).file('signer-fra', '/etc/horcrux/serve-val-fra.yaml')!.content;
    const refusal = (text: string, own = 1) => checkHorcruxConfig(text, own).refusal;
    assert.equal(
      refusal(ok.replace('threshold: 2', 'threshold: 1')),
      'threshold (1) must be greater than number of shards (3) / 2',
    );
    assert.equal(
      refusal(ok.replace('threshold: 2', 'threshold: 4')),
      'number of shards (3) must be greater or equal to threshold (4)',
    );
    assert.match(
      refusal(ok.replace('"tcp://10.2.0.50:2222"', '"10.2.0.50:2222"'))!,
      /failed to parse cosigner \(shard ID: 2\) p2p address: .*first path segment in URL cannot contain colon/,
    );
    assert.match(
      refusal(ok.replace('"tcp://10.2.0.50:2222"', '"signer-waw:2222"'))!,
      /failed to parse cosigner \(shard ID: 2\) host port/,
    );
    assert.equal(
      refusal(ok.replace('"tcp://10.2.0.50:2222"', '"tcp://0.0.0.0:2222"')),
      'host cannot be 0.0.0.0, must be reachable from other cosigners',
    );
    assert.match(refusal(ok.replace('shardID: 3', 'shardID: 2'))!, /found duplicate cosigner shard ID\(s\) in args/);
    assert.match(refusal(ok.replace('raftTimeout: "1000ms"', 'raftTimeout: "1 second"'))!, /^invalid raftTimeout/);
    assert.match(refusal(`chain-id: cosmoshub-4\n${ok}`)!, /this is a legacy config/);
    assert.equal(refusal(ok.replace('signMode: threshold', 'signMode: thresh')), 'unexpected sign mode: thresh');
    assert.equal(refusal(ok, 4), 'cosigner config does not exist for our shard ID 4');
    // unknown keys are ignored (yaml.v2 is not strict): horcrux starts
    assert.equal(refusal(`${ok}extraKey: 1\n`), undefined);
  });
});

describe('failover of a cosmos signer tier', () => {
  test('refused before any host is touched (exit 4), naming the identity and its signers; other inventories pass', () => {
    const { inv } = render(example('cosmos-horcrux'));
    assert.throws(
      () => refuseCosmosSignerTier(inv, 'failover'),
      (err: unknown) =>
        err instanceof StakeError &&
        err.exitCode === 4 &&
        /^cosmoshub signs through horcrux \(signer-fra, signer-waw, signer-ams\): stake failover does not handle/.test(
          err.message,
        ),
    );
    assert.doesNotThrow(() => refuseCosmosSignerTier(render(example('cosmos')).inv, 'failover'));
  });
});

test('lab up refuses a horcrux inventory before it makes anything: the lab simulates tmkms only', () => {
  const { inv } = render(example('cosmos-horcrux'));
  assert.throws(() => refuseUntabledClients(inv), /the lab does not simulate horcrux yet \(cosmoshub\)/);
  assert.doesNotThrow(() => refuseUntabledClients(render(cosmosWithTmkms()).inv));
});

test('IPv6 private addresses are bracketed where Go splits host and port (horcrux, CometBFT), and horcrux accepts them', () => {
  assert.equal(hostPort('fd00:1::50', 2222), '[fd00:1::50]:2222');
  assert.equal(hostPort('10.1.0.50', 2222), '10.1.0.50:2222');
  const ok = render(example('cosmos-horcrux')).file('signer-fra', '/etc/horcrux/serve-val-fra.yaml')!.content;
  const v6 = ok.replace('"tcp://10.2.0.50:2222"', `"tcp://${hostPort('fd00:2::50', 2222)}"`);
  assert.equal(checkHorcruxConfig(v6, 1).refusal, undefined);
});
