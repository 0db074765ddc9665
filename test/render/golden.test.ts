/**
 * Golden files: the whole render of each example inventory, byte for byte, under test/golden/.
 * A change to a template or to the graph shows up here as a diff to review like code; after
 * reviewing, `npm run golden` rewrites them (STAKE_UPDATE_GOLDEN=1).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { TemplateEngine } from '../../src/render/engine.js';
import { renderInventory } from '../../src/render/render.js';
import { loadTemplates } from '../../src/render/templates.js';
import { projectPath } from '../../src/paths.js';
import { computeGraph } from '../../src/topology/graph.js';
import { example, validateText } from '../support/helpers.js';

const UPDATE = process.env.STAKE_UPDATE_GOLDEN === '1';

function renderTree(name: 'cosmos' | 'ethereum' | 'cardano' | 'cosmos-horcrux'): Map<string, string> {
  const inv = resolveInventory(validateText(example(name)).inventory!);
  const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
  const tree = new Map<string, string>();
  for (const r of renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {})) {
    for (const f of r.files) tree.set(`${r.host}${f.path}`, f.content);
    tree.set(`${r.host}/manifest.json`, `${JSON.stringify(r.manifest, null, 2)}\n`);
  }
  return tree;
}

function readTree(root: string): Map<string, string> {
  const tree = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else tree.set(path.slice(root.length + 1), readFileSync(path, 'utf8'));
    }
  };
  if (existsSync(root)) walk(root);
  return tree;
}

describe('golden renders', () => {
  for (const name of ['cosmos', 'ethereum', 'cardano', 'cosmos-horcrux'] as const) {
    test(`inventories/${name}.yaml renders exactly as test/golden/${name}/`, () => {
      const root = projectPath('test', 'golden', name);
      const fresh = renderTree(name);
      if (UPDATE) {
        rmSync(root, { recursive: true, force: true });
        for (const [path, content] of fresh) {
          mkdirSync(dirname(join(root, path)), { recursive: true });
          writeFileSync(join(root, path), content);
        }
      }
      const golden = readTree(root);
      assert.deepEqual(
        [...fresh.keys()].sort(),
        [...golden.keys()].sort(),
        'the same files (STAKE_UPDATE_GOLDEN=1 after review)',
      );
      for (const [path, content] of fresh)
        assert.equal(content, golden.get(path), `${name}/${path} differs from the golden file`);
    });
  }
});
