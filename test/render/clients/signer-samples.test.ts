/**
 * Oracle: the dirk.yml and vouch.yml stake renders for the example inventory, against the
 * projects' own sample configurations in test/fixtures/reference/signers (copied from
 * attestantio/dirk and attestantio/vouch, see the reference README §5). Every key path stake
 * writes must exist in a sample of that program with the same nesting and the same kind of value
 * (string, number, bool, list, map), so a misspelled or invented key fails here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { resolveInventory } from '../../../src/inventory/resolve.js';
import { TemplateEngine } from '../../../src/render/engine.js';
import { renderInventory } from '../../../src/render/render.js';
import { loadTemplates } from '../../../src/render/templates.js';
import { computeGraph } from '../../../src/topology/graph.js';
import { projectPath } from '../../../src/paths.js';
import { example, validateText } from '../../support/helpers.js';

const sample = (file: string) => readFileSync(projectPath('test', 'fixtures', 'reference', 'signers', file), 'utf8');

/**
 * Upstream's full dirk sample is not YAML: its line 54 reads `tracing-address: address: …`, a
 * mapping written as a plain value, broken since dirk's first commit (reference README §5). The
 * comment above that line says the key holds the address traces go to, so the one line is read as
 * `tracing-address: metrics-server:12345`; every other line is parsed as upstream wrote it.
 */
const BROKEN_DIRK_LINE = 'tracing-address: address: metrics-server:12345';
const dirkFullSample = () => {
  const text = sample('dirk.sample-full.yml.txt');
  const lines = text.split('\n');
  assert.equal(lines[53], BROKEN_DIRK_LINE, 'the known broken line 54 is where the README says');
  lines[53] = 'tracing-address: metrics-server:12345';
  return parseYaml(lines.join('\n')) as unknown;
};

type Kind = 'string' | 'number' | 'bool' | 'list' | 'map' | 'null';
const kindOf = (v: unknown): Kind =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'list'
      : typeof v === 'object'
        ? 'map'
        : typeof v === 'boolean'
          ? 'bool'
          : (typeof v as 'string' | 'number');

/**
 * Maps whose keys are the operator's data, not configuration keys: their keys are written `*`.
 * dirk main.go@1068906 l.495 `viper.GetStringMapString("peers")` (peer id -> endpoint), l.426-429
 * `GetStringMap("permissions")` then `permissions.<client>` (client -> account path -> operations);
 * vouch main.go@64d4db5 l.1916 `GetStringMap("blockrelay.builder-configs")` (builder key -> config).
 */
const DATA_KEYED = new Set(['peers', 'permissions', 'permissions.*', 'blockrelay.builder-configs']);

/** Every key path of a parsed config with the kinds of value found there; list entries are `path[]`. */
function keyPaths(value: unknown, into = new Map<string, Set<Kind>>(), at = ''): Map<string, Set<Kind>> {
  const note = (path: string, v: unknown) => {
    if (!into.has(path)) into.set(path, new Set());
    into.get(path)!.add(kindOf(v));
  };
  if (Array.isArray(value))
    for (const entry of value) {
      note(`${at}[]`, entry);
      keyPaths(entry, into, `${at}[]`);
    }
  else if (typeof value === 'object' && value !== null)
    for (const [key, v] of Object.entries(value)) {
      const name = DATA_KEYED.has(at) ? '*' : key;
      const path = at === '' ? name : `${at}.${name}`;
      note(path, v);
      keyPaths(v, into, path);
    }
  return into;
}

const union = (configs: unknown[]) => {
  const all = new Map<string, Set<Kind>>();
  for (const config of configs) keyPaths(config, all);
  return all;
};

/**
 * Keys stake writes that no sample has, each with the file and line of the project's source that
 * reads it (at the commits the reference README names). Empty: every key is in a sample.
 */
const FOUND_IN_SOURCE: Record<string, Record<string, string>> = { dirk: {}, vouch: {} };

/** The key paths of `config` that the samples lack or hold another kind of value at. */
function unknownKeys(config: unknown, samples: Map<string, Set<Kind>>, allowed: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, kinds] of keyPaths(config)) {
    if (allowed[path]) continue;
    const known = samples.get(path);
    if (!known) problems.push(`${path}: in no upstream sample`);
    else
      for (const kind of kinds)
        if (!known.has(kind)) problems.push(`${path}: a ${kind}, the samples have ${[...known].join('/')}`);
  }
  return problems;
}

function renderedConfigs(path: string): unknown[] {
  const inv = resolveInventory(validateText(example('ethereum')).inventory!);
  const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
  return renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {}).flatMap((r) =>
    r.files.filter((f) => f.path === path).map((f) => parseYaml(f.content) as unknown),
  );
}

const DIRK_SAMPLES = () => union([dirkFullSample(), JSON.parse(sample('dirk.getting-started.minimal.json'))]);
const VOUCH_SAMPLES = () =>
  union(
    ['vouch.sample-full.yml', 'vouch.getting-started.yml', 'vouch.accountmanager-dirk.yml'].map((f) =>
      parseYaml(sample(f)),
    ),
  );

describe('dirk.yml and vouch.yml against the upstream sample configurations', () => {
  test('the full dirk sample is invalid YAML upstream only at its known line', () => {
    assert.throws(() => parseYaml(sample('dirk.sample-full.yml.txt')), /line 54/);
    const samples = DIRK_SAMPLES();
    assert.deepEqual([...samples.get('tracing-address')!], ['string']);
    assert.deepEqual([...samples.get('peers.*')!], ['string']);
    assert.deepEqual([...samples.get('permissions.*.*')!], ['string']);
  });

  test('every key path of each rendered dirk.yml is in a dirk sample, with the same kind of value', () => {
    const configs = renderedConfigs('/etc/dirk/dirk.yml');
    assert.equal(configs.length, 3, 'the example has three dirk signers');
    const samples = DIRK_SAMPLES();
    for (const config of configs) {
      assert.ok(keyPaths(config).size >= 15, 'the render has the keys the oracle is about');
      assert.deepEqual(unknownKeys(config, samples, FOUND_IN_SOURCE.dirk!), []);
    }
  });

  test('every key path of each rendered vouch.yml is in a vouch sample, with the same kind of value', () => {
    const configs = renderedConfigs('/etc/vouch/vouch.yml');
    assert.equal(configs.length, 2, 'the example has two vouch validator clients');
    const samples = VOUCH_SAMPLES();
    for (const config of configs) {
      assert.ok(keyPaths(config).has('accountmanager.dirk.endpoints[]'), 'the render has the keys the oracle is about');
      assert.deepEqual(unknownKeys(config, samples, FOUND_IN_SOURCE.vouch!), []);
    }
  });

  test('the check fails a misspelled key, an invented key, a value of another kind and a wrong nesting', () => {
    const [dirk] = renderedConfigs('/etc/dirk/dirk.yml') as Record<string, any>[];
    const [vouch] = renderedConfigs('/etc/vouch/vouch.yml') as Record<string, any>[];
    const damaged = structuredClone(dirk!);
    damaged.server['listen-adress'] = damaged.server['listen-address'];
    damaged['slashing-protection'] = true;
    damaged.server.id = String(damaged.server.id);
    damaged.stores[0].s3 = 'bucket';
    assert.deepEqual(unknownKeys(damaged, DIRK_SAMPLES(), {}), [
      'server.id: a string, the samples have number',
      'server.listen-adress: in no upstream sample',
      'stores[].s3: a string, the samples have map',
      'slashing-protection: in no upstream sample',
    ]);
    const moved = structuredClone(vouch!);
    moved.accountmanager.endpoints = moved.accountmanager.dirk.endpoints;
    moved.metrics['listen-address'] = moved.metrics.prometheus['listen-address'];
    assert.deepEqual(unknownKeys(moved, VOUCH_SAMPLES(), {}), [
      'accountmanager.endpoints: in no upstream sample',
      'accountmanager.endpoints[]: in no upstream sample',
      'metrics.listen-address: in no upstream sample',
    ]);
  });
});
