/**
 * Ethereum templates against the clients' own documentation: every flag (lighthouse) and config
 * key (teku, whose YAML keys are its flag names) the templates use appears in that client's row of
 * the reference table (test/fixtures/reference/README.md §4), or in the short list below, each with
 * where the client documents it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { resolveInventory } from '../../../src/inventory/resolve.js';
import { TemplateEngine } from '../../../src/render/engine.js';
import type { HostRender } from '../../../src/render/host.js';
import { renderInventory } from '../../../src/render/render.js';
import { loadTemplates } from '../../../src/render/templates.js';
import { computeGraph } from '../../../src/topology/graph.js';
import { example, validateText } from '../../support/helpers.js';
import { withLocalKeyClients, withWeb3signer } from '../../support/ethereum-variants.js';
import { projectPath } from '../../../src/paths.js';

const README = readFileSync(projectPath('test', 'fixtures', 'reference', 'README.md'), 'utf8');
const rowFlags = (client: string) =>
  new Set(
    [...(README.split('\n').find((l) => l.startsWith(`| ${client} (`)) ?? '').matchAll(/--([a-z0-9.-]+)/g)].map(
      (m) => m[1]!,
    ),
  );

/** Flags the reference table does not list, with the upstream page that documents each. */
const OTHER_LIGHTHOUSE: Record<string, string> = {
  network: 'help_bn.md / help_vc.md: --network',
  datadir: 'help_bn.md: --datadir',
  'execution-endpoint': 'help_bn.md: --execution-endpoint',
  'execution-jwt': 'help_bn.md: --execution-jwt',
  'checkpoint-sync-url': 'help_bn.md: --checkpoint-sync-url',
  'metrics-address': 'help_bn.md / help_vc.md: --metrics-address',
  'suggested-fee-recipient': 'help_vc.md: --suggested-fee-recipient',
};
const OTHER_TEKU: Record<string, string> = {
  network: 'cli/index.md: --network',
  'data-path': 'cli/index.md: --data-path',
  'ee-endpoint': 'cli/index.md: --ee-endpoint',
  'ee-jwt-secret-file': 'cli/index.md: --ee-jwt-secret-file',
  'checkpoint-sync-url': 'cli/index.md: --checkpoint-sync-url',
  'metrics-interface': 'cli/index.md: --metrics-interface',
  'metrics-host-allowlist': 'cli/index.md: --metrics-host-allowlist',
  'validators-proposer-default-fee-recipient': 'cli/index.md: --validators-proposer-default-fee-recipient',
  'validator-keys': 'cli/index.md: --validator-keys',
};

function render(text: string): HostRender[] {
  const inv = resolveInventory(validateText(text).inventory!);
  const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
  return renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {});
}

const exec = (r: HostRender, name: string) => r.manifest.services.find((s) => s.name === name)!.exec;
const flagsOf = (args: string[]) => args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!);

describe('ethereum templates', () => {
  const renders = [...render(example('ethereum')), ...render(withLocalKeyClients())];

  test('every lighthouse flag is in the reference table or documented upstream', () => {
    const known = rowFlags('Lighthouse');
    assert.ok(known.has('beacon-nodes') && known.has('enable-doppelganger-protection'));
    const used = new Set(
      renders.flatMap((r) =>
        r.manifest.services.filter((s) => s.name.startsWith('lighthouse')).flatMap((s) => flagsOf(s.exec)),
      ),
    );
    assert.ok(used.size > 10);
    for (const flag of used) assert.ok(known.has(flag) || OTHER_LIGHTHOUSE[flag], `lighthouse --${flag}`);
  });

  test('every teku config key is in the reference table or documented upstream', () => {
    const known = rowFlags('Teku');
    const keys = new Set(
      renders.flatMap((r) =>
        r.files
          .filter((f) => f.path.startsWith('/etc/teku/'))
          .flatMap((f) => Object.keys(parseYaml(f.content) as object)),
      ),
    );
    assert.ok(keys.has('doppelganger-detection-enabled') && keys.has('beacon-node-api-endpoints'));
    for (const key of keys) {
      // the table writes the VC endpoint flag as --beacon-node-api-endpoint(s)
      const normal = key === 'beacon-node-api-endpoints' ? 'beacon-node-api-endpoint' : key;
      assert.ok(known.has(normal) || OTHER_TEKU[key], `teku ${key}`);
    }
  });

  test('validator clients point at ALL their upstream beacons, with doppelganger protection', () => {
    const local = render(withLocalKeyClients());
    const teku = parseYaml(
      local.find((r) => r.host === 'vc-fra')!.files.find((f) => f.path === '/etc/teku/validator.yaml')!.content,
    ) as Record<string, unknown>;
    assert.deepEqual(teku['beacon-node-api-endpoints'], [
      'http://10.1.0.31:5052',
      'http://10.1.0.32:5051',
      'http://10.2.0.41:5051',
      'http://10.2.0.42:5052',
    ]);
    assert.equal(teku['doppelganger-detection-enabled'], true);
    const lighthouse = exec(
      local.find((r) => r.host === 'vc-lon')!,
      'lighthouse-validator',
    );
    assert.ok(
      lighthouse.includes(
        '--beacon-nodes=http://10.1.0.31:5052,http://10.1.0.32:5051,http://10.2.0.41:5051,http://10.2.0.42:5052',
      ),
    );
    assert.ok(lighthouse.includes('--enable-doppelganger-protection'));
    const vouch = parseYaml(
      renders.find((r) => r.host === 'vc-fra')!.files.find((f) => f.path === '/etc/vouch/vouch.yml')!.content,
    ) as { 'beacon-node-addresses': string[]; accountmanager: { dirk: { endpoints: string[] } } };
    assert.equal(vouch['beacon-node-addresses'].length, 4);
    assert.deepEqual(vouch.accountmanager.dirk.endpoints, ['10.1.0.50:13141', '10.2.0.50:13141', '10.3.0.50:13141']);
  });

  test('beacons: engine API on loopback with the JWT secret; execution client first', () => {
    const b = renders.find((r) => r.host === 'beacon-fra-1')!;
    assert.ok(exec(b, 'geth').includes('--authrpc.addr=127.0.0.1'));
    assert.ok(exec(b, 'geth').includes('--authrpc.jwtsecret=/etc/stake/ethereum/jwt.hex'));
    assert.ok(exec(b, 'lighthouse-beacon').includes('--execution-endpoint=http://127.0.0.1:8551'));
    assert.deepEqual(b.manifest.services.find((s) => s.name === 'lighthouse-beacon')!.after, ['geth']);
    const unit = b.files.find((f) => f.path === '/etc/systemd/system/stake-lighthouse-beacon.service')!.content;
    assert.match(unit, /^After=network-online.target stake-geth.service$/m);
    const teku = parseYaml(
      renders.find((r) => r.host === 'beacon-fra-2')!.files.find((f) => f.path === '/etc/teku/beacon.yaml')!.content,
    ) as Record<string, unknown>;
    assert.equal(teku['ee-jwt-secret-file'], '/etc/stake/ethereum/jwt.hex');
    assert.equal(teku['checkpoint-sync-url'], 'https://checkpoint.example.net/' /* the canonical serialisation */);
  });

  test('dirk: peers and threshold; permissions for the validator clients only', () => {
    const dirk = parseYaml(
      renders.find((r) => r.host === 'signer-ams')!.files.find((f) => f.path === '/etc/dirk/dirk.yml')!.content,
    ) as { peers: Record<string, string>; permissions: Record<string, unknown> };
    assert.deepEqual(Object.values(dirk.peers).sort(), ['10.1.0.50:13141', '10.2.0.50:13141', '10.3.0.50:13141']);
    assert.deepEqual(Object.keys(dirk.permissions), ['vc-fra', 'vc-lon']);
    assert.match(
      renders.find((r) => r.host === 'signer-ams')!.files.find((f) => f.path === '/etc/dirk/dirk.yml')!.content,
      /--signing-threshold=2/,
    );
  });

  test('teku with web3signer asks the signer for its keys', () => {
    const text = withWeb3signer();
    assert.deepEqual(
      validateText(text).diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const r = render(text);
    const vc = parseYaml(
      r.find((x) => x.host === 'vc-fra')!.files.find((f) => f.path === '/etc/teku/validator.yaml')!.content,
    ) as Record<string, unknown>;
    assert.equal(vc['validators-external-signer-url'], 'http://10.3.0.50:9000');
    assert.deepEqual(vc['validators-external-signer-public-keys'], ['external-signer']);
    assert.ok(
      exec(
        r.find((x) => x.host === 'signer-ams')!,
        'web3signer',
      ).includes('--slashing-protection-enabled=true'),
    );
  });
});
