/**
 * `npm test`: runs every `*.test.js` under dist/test/ with Node's test runner, the spec reporter
 * and the summary line. Node 20 treats every `.js` file under a folder named `test` as a test file
 * when it is given the folder, so helpers (test/support/, table files) would each count as a
 * passing test; the files are listed here instead.
 *
 * Arguments narrow the run to paths that start with them, relative to the project:
 * `npm test -- test/chain test/failover/floor` runs those files only. `--unit` leaves out the
 * `*.lab.test.js` files (the ones that start sshd, namespaces or a lab): `npm run test:unit`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { projectPath } from '../src/paths.js';

const TEST_FILE = /\.test\.js$/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return testFiles(path);
      return TEST_FILE.test(entry.name) ? [path] : [];
    })
    .sort();
}

const root = projectPath();
const compiled = projectPath('dist', 'test');
// `test/chain/x.test.ts` and `dist/test/chain/x.test.js` name the same file
const asSource = (file: string) => relative(join(root, 'dist'), file).split(sep).join('/').replace(/\.js$/, '.ts');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const wanted = args.filter((a) => a !== '--unit').map((a) => a.replace(/^\.\//, '').replace(/^dist\//, ''));
// A compiled file whose source was renamed or deleted stays in dist/ (tsc never removes one): not a test.
const files = testFiles(compiled)
  .filter((f) => existsSync(join(root, asSource(f))))
  .filter((f) => !(unitOnly && f.endsWith('.lab.test.js')))
  .filter((f) => wanted.length === 0 || wanted.some((w) => asSource(f).startsWith(w)));
if (files.length === 0) {
  process.stderr.write(`no test file matches ${wanted.join(', ')}\n0 passed, 1 failed\n`);
  process.exit(1);
}

const run = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${projectPath('test', 'support', 'summary-reporter.mjs')}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { stdio: 'inherit', cwd: root },
);
process.exit(run.status ?? 1);
