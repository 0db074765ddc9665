/**
 * Everything stake renders or reads, held to the real clients' reference tables
 * (reference/clients/, from each client's source at the pinned version): every flag of every
 * service of every example inventory and of the inventories that use the other templates (the
 * local-key validator clients, web3signer), every config-file key, where each config file is read
 * from, and every metric name and path stake reads. A pinned version without a table fails.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { resolveInventory, type ResolvedInventory } from '../../src/inventory/resolve.js';
import { TemplateEngine } from '../../src/render/engine.js';
import type { HostRender } from '../../src/render/host.js';
import { renderInventory } from '../../src/render/render.js';
import { loadTemplates } from '../../src/render/templates.js';
import { computeGraph } from '../../src/topology/graph.js';
import { CLIENT_METRICS, metricNamesOf, metricsPathOf } from '../../src/inventory/client-metrics.js';
import { SIGNING_METRICS } from '../../src/render/monitoring.js';
import { clientReference, referenceVersions, type ClientReference } from '../../src/reference/client-reference.js';
import { checkArgs, keyPaths, unknownConfigKeys } from '../../src/reference/check-args.js';
import { refusal } from '../../src/lab/sim/strict.js';
import { cosmosWithTmkms, example, runStake, validateText } from '../support/helpers.js';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLocalKeyClients, withWeb3signer } from '../support/ethereum-variants.js';

const NODE_IDS = new Proxy({} as Record<string, string>, { get: () => 'ab'.repeat(20) });

function rendered(text: string): { inv: ResolvedInventory; renders: HostRender[] } {
  const inv = resolveInventory(validateText(text).inventory!);
  const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
  return { inv, renders: renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), NODE_IDS) };
}

const INVENTORIES: Record<string, () => string> = {
  'inventories/cosmos.yaml': () => example('cosmos'),
  'inventories/ethereum.yaml': () => example('ethereum'),
  'inventories/cardano.yaml': () => example('cardano'),
  'inventories/cosmos-horcrux.yaml': () => example('cosmos-horcrux'),
  'cosmos with a tmkms signer': cosmosWithTmkms,
  'ethereum with teku and lighthouse validator clients': withLocalKeyClients,
  'ethereum with teku and web3signer': withWeb3signer,
};

/** The client a service runs: its name without the role suffix. */
const clientOf = (service: string) => service.replace(/-(beacon|validator)$/, '');

/** Config files stake renders, by path: the client and the command that reads it. */
const CONFIG_FILES: Record<string, { client: string; command: string; parse: (t: string) => unknown }> = {
  '/etc/teku/beacon.yaml': { client: 'teku', command: '', parse: (t) => parseYaml(t) },
  '/etc/teku/validator.yaml': { client: 'teku', command: 'vc', parse: (t) => parseYaml(t) },
  '/etc/vouch/vouch.yml': { client: 'vouch', command: '', parse: (t) => parseYaml(t) },
  '/etc/dirk/dirk.yml': { client: 'dirk', command: '', parse: (t) => parseYaml(t) },
  '/var/lib/cometbft/config/config.toml': { client: 'cometbft', command: 'start', parse: (t) => parseToml(t) },
  '/etc/cardano/config.json': { client: 'cardano-node', command: 'run', parse: (t) => JSON.parse(t) },
  '/etc/cardano/topology.json': { client: 'cardano-node', command: 'run', parse: (t) => JSON.parse(t) },
};

function tableOf(inv: ResolvedInventory, client: string): ClientReference {
  const version = inv.clients[client]?.version;
  assert.ok(version, `${client} has no pinned version`);
  const table = clientReference(client, version);
  assert.ok(
    table,
    `no reference table for ${client} ${version}: add reference/clients/${client}-${version}.json (reference/clients/recipes/)`,
  );
  return table;
}

/**
 * Keys of the network config.json as cardano-node 10.1.4 ships it (configuration/cardano/
 * mainnet-config.json, kept verbatim in templates/cardano-node/) that no code at that tag reads:
 * the node ignores them (aeson lookups), and stake does not rewrite upstream's file.
 */
const SHIPPED_UNREAD: Record<string, string[]> = {
  '/etc/cardano/config.json': [
    'MaxKnownMajorProtocolVersion',
    'MinNodeVersion',
    'TraceDNSResolver',
    'TraceDNSSubscription',
  ],
};

describe('what stake renders, against the real clients (reference/clients/)', () => {
  for (const [name, text] of Object.entries(INVENTORIES)) {
    test(`${name}: every flag of every service is one its client's command takes, with a value of its kind`, () => {
      const { inv, renders } = rendered(text());
      let checked = 0;
      for (const r of renders)
        for (const s of r.manifest.services) {
          const client = clientOf(s.name);
          const verdict = checkArgs(tableOf(inv, client), s.exec.slice(1));
          assert.equal(verdict.failure, undefined, `${r.host} ${s.name}: ${verdict.failure?.message}`);
          checked += verdict.flags.size;
        }
      assert.ok(checked > 0, `${checked} flags checked`);
    });

    test(`${name}: every config key is one the client reads, in a file it reads from where stake puts it`, () => {
      const { inv, renders } = rendered(text());
      for (const r of renders) {
        const paths = new Set(r.files.map((f) => f.path));
        for (const f of r.files) {
          const spec = CONFIG_FILES[f.path];
          if (!spec) continue;
          const keys = keyPaths(spec.parse(f.content));
          const unknown = unknownConfigKeys(tableOf(inv, spec.client), spec.command, keys).filter(
            (k) => !(SHIPPED_UNREAD[f.path] ?? []).includes(k),
          );
          assert.deepEqual(unknown, [], `${r.host} ${f.path}: keys ${spec.client} does not read`);
        }
        for (const s of r.manifest.services) {
          const client = clientOf(s.name);
          const flags = checkArgs(tableOf(inv, client), s.exec.slice(1)).flags;
          const at = (flag: string) => flags.get(flag)?.[0];
          // where each client looks for its file, from its table's configFiles[].locatedBy
          const wanted =
            client === 'vouch' || client === 'dirk'
              ? [posix.join(at('base-dir') ?? '(no --base-dir)', `${client}.yml`)]
              : client === 'cometbft'
                ? [posix.join(at('home') ?? '(no --home)', 'config/config.toml')]
                : client === 'teku'
                  ? [at('config-file') ?? '(no --config-file)']
                  : client === 'cardano-node'
                    ? [at('config') ?? '(no --config)', at('topology') ?? '(no --topology)']
                    : [];
          for (const w of wanted)
            assert.ok(paths.has(w), `${r.host} ${s.name} reads ${w}, which stake does not render`);
        }
      }
    });
  }

  test('every metric name and path stake reads is one the client serves', () => {
    const tabled = new Set(referenceVersions().map((v) => v.split('@')[0]!));
    let checked = 0;
    for (const client of Object.keys(CLIENT_METRICS).filter((c) => tabled.has(c))) {
      const versions = referenceVersions().filter((v) => v.startsWith(`${client}@`));
      for (const v of versions) {
        const table = clientReference(client, v.split('@')[1]!)!;
        const served = (table.metrics ?? []).filter((m) => m.path.startsWith('/'));
        const names = new Set(served.flatMap((m) => m.names.map((n) => n.name)));
        for (const n of metricNamesOf(client)) {
          assert.ok(names.has(n), `${client} ${v}: stake reads ${n}, which it does not serve`);
          checked++;
        }
        const path = metricsPathOf(client);
        assert.ok(
          served.some((m) => m.path === path || m.path.startsWith(`${path} `) || m.path.includes('(any path)')),
          `${client} ${v}: stake asks for ${path}; it serves ${served.map((m) => m.path).join(', ')}`,
        );
      }
    }
    // the alert rules' "signed" metric of each family
    for (const { client, name } of Object.values(SIGNING_METRICS)) {
      const tables = referenceVersions().filter((v) => v.startsWith(`${client}@`));
      assert.ok(tables.length > 0, client);
      for (const v of tables) {
        const served = clientReference(client, v.split('@')[1]!)!.metrics ?? [];
        assert.ok(
          served.some((m) => m.path.startsWith('/') && m.names.some((n) => n.name === name)),
          `${client} ${v}: the alert rules read ${name}, which it does not serve`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 15, `${checked} metric names checked`);
  });

  test('the checks can fail: a flag a client lacks, a value of the wrong kind, a key it does not read', () => {
    const vouch = clientReference('vouch', '1.9.2')!;
    assert.deepEqual(checkArgs(vouch, ['--base-dir=/etc/vouch', '--config=/etc/vouch/vouch.yml']).failure, {
      exitCode: 2,
      stream: 'stderr',
      message: 'unknown flag: --config',
      flag: 'config',
    });
    const lighthouse = clientReference('lighthouse', 'v5.3.0')!;
    const bad = checkArgs(lighthouse, ['bn', '--port=nine']).failure;
    assert.equal(bad?.exitCode, 2);
    assert.equal(
      checkArgs(lighthouse, ['bn', '--no-such-flag']).failure?.message,
      "error: unexpected argument '--no-such-flag' found",
    );
    assert.equal(
      checkArgs(lighthouse, ['vc', '--checkpoint-sync-url=x']).failure?.exitCode,
      2,
      'a beacon flag given to the validator client',
    );
    const teku = clientReference('teku', '24.10.3')!;
    assert.deepEqual(unknownConfigKeys(teku, '', ['network', 'rest-api-enabled', 'no-such-key']), ['no-such-key']);
    const cometbft = clientReference('cometbft', 'v0.38.17')!;
    assert.equal(
      checkArgs(cometbft, ['start', '--home', '/x', '--bogus']).failure?.message,
      'ERROR: unknown flag: --bogus',
    );
  });

  test('stake lab up refuses a pinned version without a table (exit 2), before it makes anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-untabled-'));
    try {
      const inventory = join(dir, 'inventory.yaml');
      writeFileSync(
        inventory,
        example('cosmos').replace('cometbft: { version: v0.38.17 }', 'cometbft: { version: v0.39.0 }'),
      );
      const lab = join(dir, 'lab');
      const r = runStake(['lab', 'up', '-i', inventory, '--dir', lab]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /the lab has no reference table for cometbft v0\.39\.0/);
      assert.match(r.stderr, /cometbft@v0\.38\.17/, 'the hint names the versions that have one');
      assert.equal(existsSync(join(lab, 'lab.json')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a table per client and version: a pinned version without one fails by name', () => {
    const inv = rendered(example('cosmos')).inv;
    const bumped = { ...inv, clients: { ...inv.clients, cometbft: { ...inv.clients.cometbft, version: 'v0.39.0' } } };
    assert.throws(() => tableOf(bumped as ResolvedInventory, 'cometbft'), /no reference table for cometbft v0\.39\.0/);
  });

  test('the inventories above run every client stake renders', () => {
    const run = new Set(
      Object.values(INVENTORIES).flatMap((text) =>
        rendered(text()).renders.flatMap((r) => r.manifest.services.map((s) => clientOf(s.name))),
      ),
    );
    assert.deepEqual([...run].sort(), [
      'cardano-node',
      'cometbft',
      'dirk',
      'geth',
      'horcrux',
      'lighthouse',
      'nethermind',
      'ogmios',
      'teku',
      'tmkms',
      'vouch',
      'web3signer',
    ]);
  });
});

describe("the lab's clients refuse at start what the real ones refuse", () => {
  const files: Record<string, string> = {
    '/etc/teku/beacon.yaml': 'network: "mainnet"\nrest-api-enabled: true\nrest-api-porty: 5051\n',
    '/etc/teku/ok.yaml': 'network: "mainnet"\nrest-api-enabled: true\n',
  };
  const read = (p: string) => files[p] ?? '';

  test('teku: a config-file key it does not know, with its words and exit code; a known one starts', () => {
    const teku = clientReference('teku', '24.10.3')!;
    assert.deepEqual(refusal(teku, ['--config-file=/etc/teku/beacon.yaml'], read), {
      exitCode: 2,
      stream: 'stderr',
      message: 'Unknown option in yaml configuration file: rest-api-porty',
    });
    assert.equal(refusal(teku, ['--config-file=/etc/teku/ok.yaml'], read), undefined);
  });

  test('vouch given --config, nethermind an unknown option, cardano-node and ogmios a bad port, ogmios a misspelt flag: each as the real one', () => {
    assert.equal(refusal(clientReference('vouch', '1.9.2')!, ['--config=/x'], read)?.exitCode, 2);
    const nethermind = refusal(clientReference('nethermind', '1.29.1')!, ['--JsonRpc.Hots=127.0.0.1'], read);
    assert.deepEqual(nethermind, {
      exitCode: 106,
      stream: 'stdout',
      message: "Unrecognized option '--JsonRpc.Hots=127.0.0.1'.",
    });
    const cardano = refusal(clientReference('cardano-node', '10.1.4')!, ['run', '--port', 'x'], read);
    assert.equal(cardano?.exitCode, 1);
    assert.equal(cardano?.message, "option --port: cannot parse value `x'");
    const ogmios = clientReference('ogmios', 'v6.13.0')!;
    assert.deepEqual(refusal(ogmios, ['--node-sockets', '/x'], read), {
      exitCode: 1,
      stream: 'stderr',
      message: "Invalid option `--node-sockets'",
    });
    assert.equal(refusal(ogmios, ['--port', 'x'], read)?.message, "option --port: cannot parse value `x'");
  });
});
