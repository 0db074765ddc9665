import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { publishedSchema } from '../../src/inventory/schema.js';
import { projectPath } from '../../src/paths.js';
import { edit, example, lineOf, validateText } from '../support/helpers.js';

describe('inventory schema', () => {
  test('schema/inventory.schema.json is the published form of the TypeBox schema (run `npm run schema` after a change)', () => {
    const onDisk = JSON.parse(readFileSync(projectPath('schema', 'inventory.schema.json'), 'utf8'));
    assert.deepEqual(onDisk, publishedSchema());
  });

  test('each example inventory points editors at the schema', () => {
    for (const name of ['cosmos', 'ethereum', 'cardano'] as const) {
      assert.match(
        example(name).split('\n')[0]!,
        /^# yaml-language-server: \$schema=\.\.\/schema\/inventory\.schema\.json$/,
      );
    }
  });

  test('every schema error of a file is reported at once, each at its own line', () => {
    let text = example('cosmos');
    text = edit(text, 'country: PL', 'country: Poland');
    text = edit(text, '    address: 10.1.0.10\n', '    addres: 10.1.0.10\n');
    text = edit(text, '  witness-ams: { tier: witness,', '  witness-ams: { tier: witnes,');
    const { diagnostics, stage } = validateText(text);
    assert.equal(stage, 'schema');
    const at = (id: string, needle: string) =>
      diagnostics.some((d) => d.id === id && d.location.line === lineOf(text, needle));
    assert.ok(at('schema/value', 'country: Poland'), JSON.stringify(diagnostics, null, 1));
    assert.ok(at('schema/unknown-key', 'addres:'));
    assert.ok(at('schema/missing-key', '  val-fra:'));
    assert.ok(at('schema/value', 'tier: witnes'));
    assert.ok(diagnostics.find((d) => d.summary.includes('witnes'))?.hint?.includes('did you mean "witness"'));
  });

  test('x-* keys are free; other unknown keys are errors', () => {
    const text = edit(example('cosmos'), 'version: 1\n', 'version: 1\nx-defaults: &d { anything: [1, 2] }\n');
    assert.deepEqual(validateText(text).diagnostics, []);
    const bad = edit(example('cosmos'), 'version: 1\n', 'version: 1\ndefaults: {}\n');
    assert.equal(validateText(bad).diagnostics[0]?.id, 'schema/unknown-key');
  });

  test('merge keys and anchors work, and their findings stay inside the file', () => {
    let text = edit(
      example('cosmos'),
      'version: 1\n',
      'version: 1\nx-validator: &validator { tier: validator, client: cometbft }\n',
    );
    text = edit(text, '  val-waw:\n    tier: validator\n', '  val-waw:\n    <<: *validator\n');
    assert.deepEqual(validateText(text).diagnostics, []);
  });

  test('host names must be [a-z0-9-]+', () => {
    const text = edit(example('cosmos'), '  val-waw:\n', '  Val_Waw:\n');
    const d = validateText(text).diagnostics.find((x) => x.id === 'schema/name');
    assert.ok(d);
    assert.equal(d.location.line, lineOf(text, 'Val_Waw:'));
  });
});
