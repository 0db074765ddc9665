/**
 * Issue 15, class 4: the examples of an inventory string escaping its field, each refused at
 * the value with exit 3, or (a lone `;` in args) rendered as exactly one argument. The property
 * test over every field is test/render/field-strings.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { TemplateEngine } from '../../src/render/engine.js';
import { renderInventory } from '../../src/render/render.js';
import { loadTemplates } from '../../src/render/templates.js';
import { computeGraph } from '../../src/topology/graph.js';
import { edit, example, lineOf, runStake, validateText } from '../support/helpers.js';
import { parseUnit } from '../support/systemd-unit.js';

/** Asserts an error with `id` at the line holding `needle` (and, when given, at its column). */
function refusedAt(text: string, id: string, needle: string) {
  const result = validateText(text);
  const line = lineOf(text, needle);
  const column = text.split('\n')[line - 1]!.indexOf(needle) + 1;
  const hit = result.diagnostics.find((d) => d.id === id && d.severity === 'error');
  assert.ok(hit, `no ${id} in ${JSON.stringify(result.diagnostics.map((d) => [d.id, d.summary]))}`);
  assert.deepEqual([hit.location.line, hit.location.column], [line, column], hit.summary);
}

describe('no inventory string escapes its field', () => {
  const cosmos = example('cosmos');
  const ethereum = example('ethereum');

  test('chain.network with a newline and a [Service] section: refused at the value', () => {
    const bad = edit(cosmos, 'network: cosmoshub-4', 'network: "x\\n[Service]\\nExecStartPre=+/bin/sh -c id"');
    refusedAt(bad, 'schema/control-character', '"x\\n[Service]');
    refusedAt(bad, 'schema/value', '"x\\n[Service]');
  });

  test('chain.network without control characters but with unit syntax: refused by its format', () => {
    refusedAt(edit(cosmos, 'network: cosmoshub-4', 'network: "x [Service] %n $HOME"'), 'schema/value', '"x [Service]');
  });

  test('ssh.user with newlines (AllowUsers *, a foreign AuthorizedKeysFile): refused', () => {
    const bad = edit(cosmos, 'ssh: { user: stake,', 'ssh: { user: "stake\\nAllowUsers *\\nAuthorizedKeysFile /tmp/k",');
    refusedAt(bad, 'schema/control-character', '"stake\\nAllowUsers');
    refusedAt(edit(cosmos, 'ssh: { user: stake,', 'ssh: { user: "st ake",'), 'schema/value', '"st ake"');
    refusedAt(edit(cosmos, 'ssh: { user: stake,', 'ssh: { user: "*",'), 'schema/value', '"*"');
  });

  test('a newline in checkpoint_sync_url (adding --purge-db): refused; credentials and other schemes too', () => {
    const url = 'checkpoint_sync_url: https://checkpoint.example.net';
    refusedAt(
      edit(ethereum, url, 'checkpoint_sync_url: "https://checkpoint.example.net\\n--purge-db"'),
      'schema/control-character',
      '"https://checkpoint.example.net\\n',
    );
    refusedAt(edit(ethereum, url, 'checkpoint_sync_url: "https://u:p@cp.example/"'), 'schema/value', '"https://u:p@');
    refusedAt(
      edit(ethereum, url, 'checkpoint_sync_url: "https://cp.example/ --purge-db"'),
      'schema/value',
      '"https://cp',
    );
    refusedAt(edit(ethereum, url, 'checkpoint_sync_url: "https://[x/"'), 'schema/value', '"https://[x/"');
  });

  test('a newline in root, and roots that are not normalised: refused', () => {
    const host = '    address: 10.1.0.10\n';
    refusedAt(edit(cosmos, host, `${host}    root: "/srv/x\\ny"\n`), 'schema/control-character', '"/srv/x\\ny"');
    for (const root of ['/srv/../etc', '/srv//x', 'srv/x', '/srv/x/', '/srv/a b', '/srv/./x'])
      refusedAt(edit(cosmos, host, `${host}    root: "${root}"\n`), 'schema/value', `"${root}"`);
    assert.equal(validateText(edit(cosmos, host, `${host}    root: /srv/stake-1.0_a\n`)).stage, 'rules');
  });

  test('NUL, tab, DEL, C1 and U+2028 in values, x- keys and labels: refused where they stand', () => {
    for (const [ch, name] of [
      ['\\0', 'NUL'],
      ['\\t', 'tab'],
      ['\\x7f', 'DEL'],
      ['\\x85', 'C1'],
      ['\\u2028', 'U+2028'],
      ['\\ud800', 'lone surrogate'],
      ['\\uffff', 'noncharacter'],
      ['\\ufdd0', 'noncharacter'],
      ['\\U0010FFFE', 'noncharacter'],
    ]) {
      const labelled = edit(
        cosmos,
        '    address: 10.1.0.10\n',
        `    address: 10.1.0.10\n    labels: { team: "a${ch}b" }\n`,
      );
      refusedAt(labelled, 'schema/control-character', `"a${ch}b"`);
      const keyed = edit(cosmos, 'version: 1\n', `version: 1\n"x-note${ch}": 1\n`);
      refusedAt(keyed, 'schema/control-character', `"x-note${ch}"`);
      assert.ok(name);
    }
    // A raw NUL byte in a quoted value.
    refusedAt(
      edit(cosmos, 'network: cosmoshub-4', 'network: "cosmos\u0000hub"'),
      'schema/control-character',
      '"cosmos',
    );
  });

  test('through bin/stake: exit 3 with the location', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-fields-'));
    try {
      const path = join(dir, 'inventory.yaml');
      writeFileSync(
        path,
        edit(cosmos, 'network: cosmoshub-4', 'network: "x\\n[Service]\\nExecStartPre=+/bin/sh -c id"'),
      );
      const r = runStake(['validate', '--strict', '-i', path]);
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`error\\[schema/control-character\\] ${path}:${lineOf(cosmos, 'network:')}:`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a lone ; and other shell and systemd syntax in args: each stays one argv element of ExecStart', () => {
    const args = [';', 'a b', '%n', '$HOME', '${X}', 'q"uote', "it's", 'back\\slash', '&&', '|', '>x', '#c'];
    const text = edit(
      cosmos,
      'cometbft: { version: v0.38.17 }',
      `cometbft: { version: v0.38.17, args: ${JSON.stringify(args)} }`,
    );
    const result = validateText(text);
    assert.equal(result.stage, 'rules', JSON.stringify(result.diagnostics));
    const inv = resolveInventory(result.inventory!);
    const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
    const [render] = renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {}, { hosts: ['val-fra'] });
    const unit = render!.files.find((f) => f.path.endsWith('stake-cometbft.service'))!;
    const argv = parseUnit(unit.content).Service!.ExecStart!;
    assert.deepEqual(argv.slice(-args.length), args, unit.content);
  });
});
