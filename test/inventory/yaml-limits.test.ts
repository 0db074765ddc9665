/**
 * Issue 15, class 8: custom tags are refused where they are written; nesting past the limit is
 * refused on the raw text, fast and small, before the YAML parser sees it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { firstTooDeep, MAX_NESTING_DEPTH } from '../../src/inventory/yaml-limits.js';
import { edit, example, lineOf, validateText } from '../support/helpers.js';

const VALIDATE = fileURLToPath(new URL('../../src/inventory/validate.js', import.meta.url));

function refused(text: string, id: string, line: number, column?: number) {
  const r = validateText(text);
  const hit = r.diagnostics.find((d) => d.id === id);
  assert.ok(hit, `no ${id}: ${JSON.stringify(r.diagnostics.map((d) => [d.id, d.summary]))}`);
  assert.equal(r.stage, 'parse');
  assert.equal(hit.location.line, line, hit.summary);
  if (column !== undefined) assert.equal(hit.location.column, column, hit.summary);
}

/** Validates `text` in a fresh node; returns its wall time and peak RSS (from the child itself). */
function measure(text: string): { ms: number; rssMb: number; ids: string[] } {
  const script = `
    const { validateInventory } = await import(${JSON.stringify(VALIDATE)});
    const chunks = []; for await (const c of process.stdin) chunks.push(c);
    const bytes = Buffer.concat(chunks);
    const t = performance.now();
    const r = validateInventory('deep.yaml', bytes);
    const ms = performance.now() - t;
    console.log(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, ids: r.diagnostics.map((d) => d.id) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    input: text,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 1 << 20,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { ms: number; rssMb: number; ids: string[] };
}

describe('YAML limits', () => {
  const cosmos = example('cosmos');

  test('custom tags are refused at the tag: !evil, !!python/object, !!binary, on values and keys', () => {
    for (const tag of ['!evil', '!!python/object:os.system', '!!binary', '!<tag:example.com,2000:x>', '!!set']) {
      const bad = edit(cosmos, 'network: cosmoshub-4', `network: ${tag} cosmoshub-4`);
      const line = lineOf(bad, 'network:');
      refused(bad, 'yaml/tag', line, bad.split('\n')[line - 1]!.indexOf(tag) + 1);
    }
    refused(
      edit(cosmos, 'version: 1\n', 'version: 1\n!evil x-k: 1\n'),
      'yaml/tag',
      lineOf(cosmos, 'version: 1') + 1,
      1,
    );
  });

  test('core-schema tags are plain data and stay accepted', () => {
    const ok = edit(cosmos, 'network: cosmoshub-4', 'network: !!str cosmoshub-4');
    assert.equal(validateText(ok).stage, 'rules');
  });

  test('nesting past the limit is refused where it goes too deep: brackets, braces, indentation, compact lists', () => {
    const deep = (n: number) => `version: 1\nx-deep: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    refused(deep(MAX_NESTING_DEPTH + 1), 'yaml/depth-limit', 2);
    assert.equal(firstTooDeep(deep(MAX_NESTING_DEPTH - 2)), undefined);
    const braces = `version: 1\nx-deep: ${'{a: '.repeat(100)}1${'}'.repeat(100)}\n`;
    refused(braces, 'yaml/depth-limit', 2);
    const indented = Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    refused(indented, 'yaml/depth-limit', MAX_NESTING_DEPTH + 1, 1);
    refused(`x: ${'- '.repeat(100)}1\n`.replace('x: ', ''), 'yaml/depth-limit', 1, 1);
  });

  test('brackets inside strings, comments and block scalars do not count', () => {
    const many = '['.repeat(200);
    const text = edit(
      cosmos,
      'version: 1\n',
      `version: 1\nx-a: "${many}"\nx-b: '${many}'\n# ${many}\nx-c: |\n  ${many}\n  ${many}\nx-d: a${many}\n`,
    );
    assert.equal(firstTooDeep(text), undefined);
    // Past the parse stage (the block scalar's newlines are then refused as control characters).
    assert.equal(validateText(text).stage, 'schema');
    assert.deepEqual([...new Set(validateText(text).diagnostics.map((d) => d.id))], ['schema/control-character']);
    for (const name of ['cosmos', 'ethereum', 'cardano'] as const) assert.equal(firstTooDeep(example(name)), undefined);
  });

  test('2 MB of nested [ is refused well under a second and 100 MB (measured in a fresh process)', () => {
    const text = `version: 1\nx: ${'['.repeat(2 * 1024 * 1024)}\n`;
    const { ms, rssMb, ids } = measure(text);
    console.log(`# 2 MB of nested [: refused in ${ms.toFixed(1)} ms, peak RSS ${rssMb.toFixed(0)} MB`);
    assert.deepEqual(ids, ['yaml/depth-limit']);
    assert.ok(ms < 5000, `${ms} ms`);
    assert.ok(rssMb < 200, `${rssMb} MB`);
  });
});
