import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolveInventory } from '../../../src/inventory/resolve.js';
import { TemplateEngine } from '../../../src/render/engine.js';
import { renderInventory } from '../../../src/render/render.js';
import { loadTemplates } from '../../../src/render/templates.js';
import { computeGraph } from '../../../src/topology/graph.js';
import { example, validateText } from '../../support/helpers.js';
import { projectPath } from '../../../src/paths.js';
import { pathToFileURL } from 'node:url';

const REF_DIR = pathToFileURL(`${projectPath('test', 'fixtures', 'reference', 'cardano')}/`);
/** The upstream P2P topology examples (the legacy format and the config files are not topologies of this shape). */
const REFERENCES = readdirSync(REF_DIR)
  .filter((f) => /^(p2p-topology|mainnet-topology\.p2p|doc-minimal-p2p).*\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(new URL(f, REF_DIR), 'utf8')) as Record<string, unknown>);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every key path with the types the references give it: localRoots[].accessPoints[].address -> string. */
function shapes(value: unknown, path = '', out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  const set = out.get(path) ?? new Set<string>();
  set.add(typeOf(value));
  out.set(path, set);
  if (Array.isArray(value)) for (const item of value) shapes(item, `${path}[]`, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) shapes(v, `${path}.${k}`, out);
  return out;
}

const REFERENCE_SHAPES = REFERENCES.reduce((acc, ref) => shapes(ref, '', acc), new Map<string, Set<string>>());

function topologies() {
  const inv = resolveInventory(validateText(example('cardano')).inventory!);
  const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
  const renders = renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {});
  return Object.fromEntries(
    renders.flatMap((r) =>
      r.files
        .filter((f) => f.path === '/etc/cardano/topology.json')
        .map((f) => [r.host, JSON.parse(f.content) as Record<string, Json>]),
    ),
  );
}

describe('cardano-node topology.json', () => {
  const t = topologies();

  test(`has the shape of the ${REFERENCES.length} upstream P2P topology examples: every key and type appears there`, () => {
    assert.ok(REFERENCES.length >= 5);
    for (const [host, topology] of Object.entries(t)) {
      for (const [path, types] of shapes(topology)) {
        const known = REFERENCE_SHAPES.get(path);
        assert.ok(known, `${host}: ${path || '(root)'} is not a key of any reference topology`);
        for (const ty of types) {
          // bootstrapPeers: null is documented upstream ("null disables them") but no example file uses it.
          if (path === '.bootstrapPeers' && ty === 'null') continue;
          assert.ok(known.has(ty), `${host}: ${path} is ${ty}, the references have ${[...known].join('/')}`);
        }
      }
    }
  });

  test('a block producer talks to its own relays only: no public roots, no bootstrap peers, never ledger peers', () => {
    const bp = t['bp-fra']!;
    const roots = bp.localRoots as { accessPoints: { address: string }[]; valency: number }[];
    assert.deepEqual(
      roots[0]!.accessPoints.map((a) => a.address),
      ['10.1.0.51', '10.1.0.52', '10.2.0.61', '10.2.0.62'],
    );
    assert.equal(roots[0]!.valency, 4);
    assert.deepEqual(bp.publicRoots, [{ accessPoints: [], advertise: false }]);
    assert.equal(bp.bootstrapPeers, null);
    assert.equal(bp.useLedgerAfterSlot, -1);
  });

  test('a relay: both block producers and the other relays as local roots, bootstrap peers as public roots', () => {
    const relay = t['relay-fra-1']!;
    const local = (relay.localRoots as { accessPoints: { address: string }[] }[])[0]!.accessPoints.map(
      (a) => a.address,
    );
    assert.deepEqual(local, ['10.1.0.10', '10.2.0.10', '10.1.0.52', '10.2.0.61', '10.2.0.62']);
    const pub = (relay.publicRoots as { accessPoints: { address: string; port: number }[] }[])[0]!.accessPoints;
    assert.deepEqual(pub[0], { address: 'backbone.cardano.iog.io', port: 3001 });
    assert.ok((relay.useLedgerAfterSlot as number) >= 0);
  });
});

describe('cardano-node config.json', () => {
  const renderText = (text: string) => {
    const inv = resolveInventory(validateText(text).inventory!);
    const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
    return renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {});
  };
  const configOf = (host: string) =>
    JSON.parse(
      renderText(example('cardano'))
        .find((r) => r.host === host)!
        .files.find((f) => f.path === '/etc/cardano/config.json')!.content,
    ) as Record<string, unknown>;
  const shipped = JSON.parse(
    readFileSync(projectPath('templates', 'cardano-node', 'config.mainnet.json.liquid'), 'utf8').replace(
      /\{% comment %\}[\s\S]*?\{% endcomment %\}/,
      '',
    ),
  ) as Record<string, unknown>;

  test("the network's shipped config, with Prometheus on the private address and the peers metric on", () => {
    const relay = configOf('relay-fra-1');
    assert.deepEqual(
      relay.hasPrometheus,
      ['10.1.0.51', 12798],
      "its private address: the shipped 127.0.0.1 is out of the monitor's reach",
    );
    assert.equal(shipped.TraceBlockFetchDecisions, false, 'upstream turns the peers metric off');
    assert.equal(relay.TraceBlockFetchDecisions, true);
    assert.equal(relay.PeerSharing, true, "a relay keeps the network's peer sharing");
    assert.equal(configOf('bp-fra').PeerSharing, false, 'a block producer hands on no peers');
    for (const key of ['ShelleyGenesisHash', 'ConwayGenesisFile', 'Protocol', 'LastKnownBlockVersion-Major'])
      assert.equal(relay[key], shipped[key], key);
  });

  test('a network stake has no config for: refused, naming the template to add', () => {
    const text = example('cardano').replace('network: mainnet', 'network: preprod');
    assert.throws(() => renderText(text), /no cardano-node configuration for network "preprod"[\s\S]*/);
  });
});
