/**
 * The shell pieces every host script is built from (src/ssh/shell.ts) and the result protocol
 * (src/ssh/script-result.ts), run for real with this machine's sh against temporary folders.
 */
import { scratchDir } from '../support/scratch.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  asRoot,
  base64Heredoc,
  braceGroup,
  hostPath,
  pidAlive,
  printFileLine,
  rootShell,
  sha256Is,
  shq,
  syncPaths,
  tcpAnswers,
  writeFileLines,
} from '../../src/ssh/shell.js';
import {
  isBase64,
  isBoolean,
  isStringOrNull,
  isStrings,
  isTrue,
  parseResult,
  resultLine,
  resultShape,
  ScriptResultError,
  tryResult,
} from '../../src/ssh/script-result.js';

const sh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
const folder = () => scratchDir('stake-shell-');
/** Strings the shell would love to interpret. */
const NASTY = [
  '',
  'plain',
  "it's",
  "''",
  '"double" and \\backslash\\',
  '$HOME ${PATH} $(echo no) `echo no`',
  'new\nline\n\ntwo',
  'tab\there * ? [a] ~ ! # ; & | < > ( ) { }',
  '%s %d %% \\n',
  'ünïcødé ✓',
  '-n',
  '-- --help',
];

describe('quoting', () => {
  test('shq makes one word that sh gives back unchanged, whatever it holds', () => {
    for (const s of NASTY) {
      const r = sh(`printf '%s' ${shq(s)}`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, s);
    }
  });

  test('shq of a single quote closes, escapes and reopens', () => {
    assert.equal(shq("a'b"), `'a'\\''b'`);
  });

  test('asRoot and rootShell go through sudo -n only for become: sudo', () => {
    const sudo = { ssh: { become: 'sudo' } } as const;
    const none = { ssh: { become: 'none' } } as const;
    assert.equal(asRoot(none as never, 'id -u'), 'id -u');
    assert.equal(asRoot(sudo as never, "echo 'x'"), `sudo -n -- sh -c 'echo '\\''x'\\'''`);
    assert.equal(rootShell(none as never), 'sh -s');
    assert.equal(rootShell(sudo as never), 'sudo -n -- sh -s');
  });

  test('hostPath joins the root and the path into one word, and refuses a path that climbs out', () => {
    assert.equal(hostPath("/srv/it's", '/etc/a b'), `'/srv/it'\\''s/etc/a b'`);
    assert.equal(hostPath('/', '/etc/a'), `'/etc/a'`);
    assert.throws(() => hostPath('/srv/h', '/../../etc/passwd'), /climbs out/);
  });

  test('braceGroup: a script cut off in transit runs nothing', () => {
    const dir = folder();
    const script = braceGroup([`touch ${shq(join(dir, 'one'))}`, 'true', `touch ${shq(join(dir, 'two'))}`]);
    assert.equal(sh(script.slice(0, script.lastIndexOf('}'))).status === 0, false);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(sh(script).status, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['one', 'two']);
  });
});

describe('writing a file', () => {
  const contents: (string | Buffer)[] = [
    ...NASTY,
    'STAKE_EOF\nSTAKE_EOF',
    randomBytes(5000),
    Buffer.alloc(0),
    'x'.repeat(77),
  ];

  test('writeFileLines round-trips any bytes or text, with its mode, atomically, leaving no temporary file', () => {
    const root = folder();
    contents.forEach((content, i) => {
      const path = `/etc/it's $dir/f${i}`;
      const r = sh(braceGroup(['set -eu', ...writeFileLines(root, path, content, '0640')]));
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(readFileSync(join(root, path)), Buffer.from(content), `content ${i}`);
      assert.equal((statSync(join(root, path)).mode & 0o777).toString(8), '640');
    });
    assert.deepEqual(
      readdirSync(join(root, "etc/it's $dir")).filter((n) => n.includes('stake-new')),
      [],
    );
  });

  test('base64Heredoc decodes into a file, or into whatever the line before it starts', () => {
    const dir = folder();
    const file = shq(join(dir, 'out'));
    for (const content of contents) {
      assert.equal(sh(base64Heredoc(content, { into: file, marker: 'M_1' }).join('\n')).status, 0);
      assert.deepEqual(readFileSync(join(dir, 'out')), Buffer.from(content));
    }
    writeFileSync(join(dir, 'old'), 'first\n');
    const lines = base64Heredoc('second $x\n', { before: `{ cat ${shq(join(dir, 'old'))}; ` });
    assert.equal(sh([...lines, `} > ${file}`].join('\n')).status, 0);
    assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'first\nsecond $x\n');
  });

  test('syncPaths and sha256Is', () => {
    const dir = folder();
    writeFileSync(join(dir, 'a'), "it's");
    const sha = createHash('sha256').update("it's").digest('hex');
    assert.equal(sh(syncPaths([shq(join(dir, 'a'))])).status, 0);
    assert.equal(sh(`${sha256Is(shq(join(dir, 'a')), sha)} && echo yes`).stdout, 'yes\n');
    assert.equal(sh(`${sha256Is(shq(join(dir, 'a')), '0'.repeat(64))} || echo no`).stdout, 'no\n');
  });

  test('printFileLine prints the tag and the file on one line, nothing for a missing file', () => {
    const dir = folder();
    writeFileSync(join(dir, 'g'), '{"a":\n1}\n');
    assert.equal(sh(printFileLine('G', shq(join(dir, 'g')))).stdout, 'G\t{"a":1}\n');
    assert.equal(sh(printFileLine('G', shq(join(dir, 'missing')))).stdout, '');
  });
});

describe('asking the host', () => {
  test('pidAlive: a live pid, a dead one, no pid file; both ways of reading it', () => {
    const dir = folder();
    writeFileSync(join(dir, 'alive.pid'), `${process.pid}\n`);
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(dir, 'dead.pid'), `${dead}\n`);
    for (const how of ['cat', 'read'] as const) {
      const ask = (name: string) =>
        sh(`if ${pidAlive(shq(join(dir, name)), how)}; then echo up; else echo down; fi`).stdout;
      assert.equal(ask('alive.pid'), 'up\n', how);
      assert.equal(ask('dead.pid'), 'down\n', how);
      assert.equal(ask('none.pid'), 'down\n', how);
    }
  });

  test('tcpAnswers: yes where something listens, no where nothing does (a literal address or a variable)', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const ask = (script: string) =>
      new Promise<string>((resolve) => {
        const child = spawn('sh', ['-s']);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', () => resolve(out));
        child.stdin.end(script);
      });
    try {
      assert.equal(await ask(`if ${tcpAnswers('127.0.0.1', port)}; then echo yes; else echo no; fi`), 'yes\n');
      assert.equal(await ask(`a=127.0.0.1; if ${tcpAnswers('$a', port)}; then echo yes; else echo no; fi`), 'yes\n');
      // closed: its listening socket is gone once close() calls back
      await new Promise((r) => server.close(r));
      assert.equal(await ask(`if ${tcpAnswers('127.0.0.1', port)}; then echo yes; else echo no; fi`), 'no\n');
    } finally {
      if (server.listening) server.close();
    }
  });
});

describe('the result protocol', () => {
  const SHAPE = resultShape('demo', { ok: isTrue, names: isStrings, note: isStringOrNull, data: isBase64 });
  const good = 'stake-result {"step":"demo","ok":true,"names":["a"],"note":null,"data":"aGk="}';

  test('resultLine prints one record sh cannot garble, reading a file field on the host', () => {
    const dir = folder();
    const bytes = Buffer.concat([Buffer.from('"quotes" \\ $x `y` %s\n\0'), randomBytes(300)]);
    writeFileSync(join(dir, 'f'), bytes);
    const names = ["it's", '%s', 'a"b', '\\n', 'new\nline'];
    const script = braceGroup([
      'set -eu',
      'echo chatter before',
      resultLine('demo', { ok: true, names, note: '$(no) `no`', data: { base64Of: shq(join(dir, 'f')) } }),
      'echo chatter after',
    ]);
    const r = sh(script);
    assert.equal(r.status, 0, r.stderr);
    const result = parseResult(r.stdout, SHAPE);
    assert.deepEqual(result.names, names);
    assert.equal(result.note, '$(no) `no`');
    assert.deepEqual(Buffer.from(result.data, 'base64'), bytes);
  });

  test('a file field that cannot be read stops a set -e script before anything is printed', () => {
    const r = sh(braceGroup(['set -eu', resultLine('demo', { data: { base64Of: "'/nonexistent/x'" } })]));
    assert.notEqual(r.status, 0);
    assert.equal(r.stdout, '');
  });

  test('parses the one record line among other output', () => {
    assert.deepEqual(parseResult(`noise\n${good}\nmore noise\n`, SHAPE), {
      step: 'demo',
      ok: true,
      names: ['a'],
      note: null,
      data: 'aGk=',
    });
    assert.equal(parseResult(`${good}\r\n`, SHAPE).ok, true);
  });

  const problem = (stdout: string) => {
    const r = tryResult(stdout, SHAPE);
    assert.ok(r instanceof ScriptResultError, `no error for ${JSON.stringify(stdout)}`);
    assert.match(r.message, /^the demo script /);
    return r.problem;
  };

  test('no record, two records, a record that is not JSON: typed errors', () => {
    assert.equal(problem(''), 'missing');
    assert.equal(problem('DEMO-DONE\nstake-result\n'), 'missing', 'the prefix needs its space');
    assert.equal(problem(`  ${good}`), 'missing', 'only at the start of a line');
    assert.equal(problem(`${good}\n${good}\n`), 'several');
    assert.equal(problem('stake-result {"step":"demo",'), 'malformed');
    assert.equal(problem('stake-result demo ok'), 'malformed');
    assert.throws(() => parseResult('', SHAPE), ScriptResultError);
  });

  test('a record of another shape: another step, a missing, unknown or mistyped field, not an object', () => {
    const with_ = (change: Record<string, unknown>, drop?: string) => {
      const value: Record<string, unknown> = { ...JSON.parse(good.slice('stake-result '.length)), ...change };
      if (drop) delete value[drop];
      return `stake-result ${JSON.stringify(value)}`;
    };
    assert.equal(problem(with_({ step: 'fence' })), 'shape');
    assert.equal(problem(with_({}, 'note')), 'shape');
    assert.equal(problem(with_({}, 'step')), 'shape');
    assert.equal(problem(with_({ extra: 1 })), 'shape');
    assert.equal(problem(with_({ ok: false })), 'shape');
    assert.equal(problem(with_({ ok: 'true' })), 'shape');
    assert.equal(problem(with_({ names: ['a', 1] })), 'shape');
    assert.equal(problem(with_({ data: 'not base64!' })), 'shape');
    assert.equal(problem('stake-result ["demo"]'), 'shape');
    assert.equal(problem('stake-result null'), 'shape');
    assert.equal(tryResult(with_({ ok: true }), resultShape('demo', { ok: isBoolean })) instanceof Error, true);
  });

  test('stderr cannot spoof a result: callers parse stdout only, so a record there is never seen', () => {
    const spoof = braceGroup([
      `echo ${shq('stake-result {"step":"demo","ok":true,"names":[],"note":null,"data":""}')} >&2`,
      resultLine('other', { fenced: true }),
    ]);
    const r = sh(spoof);
    assert.equal(r.status, 0);
    assert.equal(problem(r.stdout), 'shape', 'the real record is for another step');
    const only = sh(`echo ${shq(good)} >&2`);
    assert.equal(problem(only.stdout), 'missing');
  });
});
