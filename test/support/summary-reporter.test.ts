import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { projectPath } from '../../src/paths.js';

const REPORTER = projectPath('test', 'support', 'summary-reporter.mjs');
const FIXTURE = projectPath('test', 'fixtures', 'reporter', 'skips.mjs');

function report(env: Record<string, string> = {}, fixture = FIXTURE) {
  // NODE_TEST_CONTEXT would make the inner runner report to this one instead of through the reporter
  const { NODE_TEST_CONTEXT: _, ...outer } = process.env;
  const r = spawnSync(process.execPath, ['--test', `--test-reporter=${REPORTER}`, fixture], {
    encoding: 'utf8',
    env: { ...outer, STAKE_REFUSE_SKIPS: '', ...env },
  });
  return { code: r.status, out: r.stdout };
}

describe('the summary reporter', () => {
  test('lists a suite skipped whole and a skipped test, with reasons, and counts both', () => {
    const { code, out } = report();
    assert.equal(code, 0, out);
    assert.match(out, /skipped: 1 suite \(every test in them\), 1 test/);
    assert.match(out, /suite "a suite that needs a tool" \(.*skips\.mjs\): the tool is not installed/);
    assert.match(out, /test "needs root" \(.*\): needs root/);
    // the last line: the passing test only; Node 20 leaves the skipped suite out of its own counts
    assert.match(out, /\n1 passed, 0 failed, 2 skipped\n$/);
  });

  test('with STAKE_REFUSE_SKIPS=1 every skip is a failure and the run exits 1', () => {
    const { code, out } = report({ STAKE_REFUSE_SKIPS: '1' });
    assert.equal(code, 1, out);
    assert.match(out, /skips are refused here/);
    assert.match(out, /\n1 passed, 2 failed\n$/);
  });

  test('ends with every failure and the first and last lines of its error, a failed hook named, the tests of one cause under one entry', () => {
    const { code, out } = report({}, projectPath('test', 'fixtures', 'reporter', 'failures.mjs'));
    assert.equal(code, 1, out);
    const list = out.slice(out.indexOf('failures, with the first and last lines of each error:'));
    assert.match(
      list,
      /✖ "a lab that does not start" \(.*failures\.mjs, hookFailed\)\n\s+\| Error: lab up: exit 2\n\s+\| the second line of why/,
    );
    assert.match(list, /✖ "first" \(.*cancelledByParent\), and 2 more with the same error:\n.*"second".*\n.*"third"/);
    assert.match(list, /✖ "an assertion that fails" \(.*testCodeFailure\)\n\s+\| AssertionError.*arithmetic/);
    // a long error keeps its head and its tail (where a lab step's last words are)
    assert.match(
      list,
      /\| Error: a step failed\n(.*\n){11}.*\| … 20 lines left out\n(.*\n){9}.*\| the service's last words\n/,
    );
    assert.doesNotMatch(list, /step line 12\n/);
    assert.match(out, /\n1 passed, 5 failed\n$/);
  });
});
