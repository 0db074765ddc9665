/** The docs promise what the code does: every key, rule, client and command is documented, and generated parts are current. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { withRuleDocs } from '../scripts/rule-docs.js';
import { CLIENTS, EXECUTION_CLIENTS } from '../src/inventory/clients.js';
import { RULES } from '../src/inventory/rules/registry.js';
import { publishedSchema } from '../src/inventory/schema.js';
import { projectPath } from '../src/paths.js';
import { runStake } from './support/helpers.js';

const read = (...p: string[]) => readFileSync(projectPath(...p), 'utf8');

/** Every property name declared anywhere in the schema. */
function schemaKeys(node: unknown, out = new Set<string>()): Set<string> {
  if (node && typeof node === 'object') {
    const props = (node as { properties?: Record<string, unknown> }).properties;
    if (props) for (const k of Object.keys(props)) out.add(k);
    for (const v of Object.values(node)) schemaKeys(v, out);
  }
  return out;
}

describe('docs', () => {
  const inventoryDoc = read('docs', 'inventory.md');

  test('the rules section of docs/inventory.md is current (run `npm run docs`)', () => {
    assert.equal(inventoryDoc, withRuleDocs(inventoryDoc));
  });

  test('every rule id has its own section with a bad and a fixed example', () => {
    for (const id of Object.keys(RULES)) {
      const section = inventoryDoc.split(`\n### ${id}\n`)[1]?.split('\n### ')[0] ?? '';
      assert.match(section, /Bad \(from/, `${id}: bad example`);
      assert.match(section, /Fixed:/, `${id}: fixed example`);
      assert.match(section, new RegExp(`\\[${id}\\]`), `${id}: the finding as printed`);
    }
  });

  test('every inventory key and every client is in docs/inventory.md', () => {
    for (const key of schemaKeys(publishedSchema())) assert.ok(inventoryDoc.includes(`\`${key}\``), `key ${key}`);
    for (const client of [...Object.keys(CLIENTS), ...EXECUTION_CLIENTS])
      assert.ok(inventoryDoc.includes(`\`${client}\``), `client ${client}`);
  });

  test('every command in `stake --help` is in the README and docs/cli.md', () => {
    const help = runStake(['--help']).stdout;
    const section = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
    const commands = [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    assert.ok(commands.length >= 2);
    const readme = read('README.md');
    const cli = read('docs', 'cli.md');
    for (const c of commands) {
      assert.ok(readme.includes(`stake ${c}`), `README mentions stake ${c}`);
      assert.ok(cli.includes(`stake ${c}`), `docs/cli.md mentions stake ${c}`);
    }
  });

  test('the README has exactly two set-up commands, and .ci/run runs the test one', () => {
    const readme = read('README.md');
    const block = readme.split('## Set up')[1]?.split('\n## ')[0] ?? '';
    const commands = [...block.matchAll(/^```sh\n([^\n]+)\n```$/gm)].map((m) => m[1]);
    assert.equal(commands.length, 2, commands.join('\n'));
    // the main job needs sshd, nft and ip for its lab; the packages come first on a fresh machine
    assert.match(commands[0]!, /^(apt-get install -y [a-z0-9 -]+ && )?npm ci && npm run demo$/);
    assert.equal(commands[1], 'npm ci && npm test');
    assert.match(read('.ci', 'run'), /npm test/);
  });
});
