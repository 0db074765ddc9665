/**
 * Bad input of every kind the issue lists, through the real bin/stake: a clear located
 * message, exit 3, and never a stack trace.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { runStake } from '../support/helpers.js';

const BILLION_LAUGHS = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat('bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`))
  .join('\n');

let dir: string;
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** Runs validate on a path; asserts exit 3, the finding id, its line, and no stack trace. */
function expectRefused(path: string, id: string, line: number, message: RegExp) {
  const r = runStake(['validate', '-i', path]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`error\\[${id.replace('/', '\\/')}\\] ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+`),
  );
  assert.match(r.stdout, message);
  assert.match(r.stdout, /hint: /);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  const json = runStake(['validate', '--json', '-i', path]);
  assert.equal(json.code, 3);
  const report = JSON.parse(json.stdout);
  assert.equal(report.valid, false);
  assert.equal(report.findings[0].id, id);
  assert.equal(report.findings[0].location.line, line);
}

describe('bad input', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stake-bad-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file', () => expectRefused(join(dir, 'nope.yaml'), 'file/missing', 1, /no such file/));
  test('a directory', () => expectRefused(dir, 'file/directory', 1, /directory/));
  test('an empty file', () => expectRefused(file('empty.yaml', ''), 'file/empty', 1, /empty/));
  test('a file of blanks only', () => expectRefused(file('blank.yaml', '\n  \n\n'), 'file/empty', 1, /empty/));
  test('not YAML (a binary file)', () =>
    expectRefused(
      file('png.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])),
      'file/encoding',
      1,
      /not UTF-8/,
    ));
  test('not an inventory (a YAML list)', () =>
    expectRefused(file('list.yaml', '- a\n- b\n'), 'schema/type', 1, /a list, not a mapping/));
  test('a non-UTF-8 file, located at the bad byte', () =>
    expectRefused(
      file(
        'latin1.yaml',
        Buffer.concat([Buffer.from('version: 1\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      ),
      'file/encoding',
      2,
      /invalid byte 0xe9/,
    ));
  test('a file that holds terminal escape sequences: shown as escapes, never sent to the terminal', () => {
    const path = file('escapes.yaml', 'version: 1\nname: "\u001b[2J\u001b]0;owned\u0007\u009b31m"\n');
    const r = runStake(['validate', '-i', path]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.doesNotMatch(
      r.stdout + r.stderr,
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u,
      'no control character on the terminal',
    );
    assert.match(r.stdout, /\\x1b\[2J/, 'the escape is shown');
  });
  test('a YAML syntax error, with its line', () =>
    expectRefused(
      file('syntax.yaml', 'version: 1\nname: x\nchain: { family: cosmos\nhosts: {}\n'),
      'yaml/syntax',
      3,
      /YAML syntax/,
    ));
  test('a tab-indented block', () =>
    expectRefused(file('tabs.yaml', 'version: 1\nhosts:\n\tval: {}\n'), 'yaml/syntax', 3, /YAML syntax/));
  test('an alias to no anchor', () =>
    expectRefused(
      file('alias.yaml', 'version: 1\nname: x\nhosts: *nothing\n'),
      'yaml/unknown-anchor',
      3,
      /alias \*nothing refers to no anchor/,
    ));
  test('duplicate keys, each named', () =>
    expectRefused(
      file('dup.yaml', 'version: 1\nname: a\nhosts:\n  h1: {}\n  h1: {}\n'),
      'yaml/duplicate-key',
      5,
      /duplicate key "h1"/,
    ));

  test('an alias bomb is refused quickly, in bounded memory', () => {
    const path = file('bomb.yaml', BILLION_LAUGHS);
    const started = Date.now();
    expectRefused(path, 'yaml/alias-limit', 1, /alias bomb/);
    // Two runs above; expanding 9^9 strings would take minutes and gigabytes.
    assert.ok(Date.now() - started < 20_000);
  });

  test('a 50 MB file is refused before it is read', () => {
    const path = join(dir, 'big.yaml');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    expectRefused(path, 'file/too-large', 1, /50\.0 MB/);
  });

  test('an endless stream on stdin is cut off at the limit', () => {
    const r = runStake(['validate', '-i', '-'], { input: 'a'.repeat(9 * 1024 * 1024) });
    assert.equal(r.code, 3);
    assert.match(r.stdout, /error\[file\/too-large\] -:1:1/);
  });

  test('an inventory on stdin (-i -) is read like a file', () => {
    const r = runStake(['validate', '-i', '-'], {
      input: readFileSync(projectPath('inventories', 'cardano.yaml'), 'utf8'),
    });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /- is valid \(9 hosts, 1 identity\)/);
  });

  test('unknown keys get a did-you-mean', () => {
    const path = file(
      'typo.yaml',
      'version: 1\nname: x\nchain: { family: cosmos, network: n }\ndatacenters: { a: { provider: p, country: DE } }\nhosts:\n  h: { tier: witness, dc: a, adress: 10.0.0.1 }\nvalidators: {}\n',
    );
    const r = runStake(['validate', '-i', path]);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /unknown key "adress" in hosts\.h/);
    assert.match(r.stdout, /did you mean "address"\?/);
  });

  test('wrong types name the expected type and quote the value as written', () => {
    const path = file(
      'types.yaml',
      'version: "1"\nname: x\nchain: { family: cosmos, network: 4 }\ndatacenters: { a: { provider: p, country: DE } }\nhosts: { h: { tier: witness, dc: a, address: 10.0.0.1, public: yes } }\nvalidators: {}\n',
    );
    const r = runStake(['validate', '--json', '-i', path]);
    assert.equal(r.code, 3);
    const findings = JSON.parse(r.stdout).findings as {
      id: string;
      summary: string;
      hint: string;
      location: { line: number };
    }[];
    const network = findings.find((f) => f.summary.startsWith('chain.network'));
    assert.ok(network, JSON.stringify(findings));
    assert.equal(network.id, 'schema/type');
    assert.match(network.summary, /must be a string, got number 4/);
    assert.match(network.hint, /quote it as written, "4"/);
    assert.ok(findings.some((f) => f.summary.startsWith('version') && f.location.line === 1));
    assert.ok(findings.some((f) => /public must be a boolean, got "yes"/.test(f.summary) && f.location.line === 5));
  });
});
