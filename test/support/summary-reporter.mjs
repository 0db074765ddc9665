// A node:test reporter that ends the run with one line, `N passed, N failed[, N skipped]`, so
// people and CI read the same summary, and lists every skipped suite and test with its reason
// above it: a suite skipped whole (no sshd, not root) hides all its tests, and Node 20's own
// counts leave such a suite out entirely, so they are counted here from the events.
//
// Above that line it lists every failing test with the first and last lines of its error, the
// tests of one cause (a suite's before hook) under one entry: a run printed in part (CI keeps the
// tail) still says why it failed. The last lines are kept as well as the first because a failed
// lab step ends with the host's own last words (a service's log), which say what the first do not.
//
// With STAKE_REFUSE_SKIPS=1 (what .ci/run sets: CI is root with every package installed) a skip
// counts as a failure and the run exits 1.
const where = (file) => (file ? file.replace(/^.*\/dist\//, '').replace(/\.js$/, '.ts') : 'unknown file');

const HEAD_LINES = 12;
const TAIL_LINES = 10;

/** The first and last lines of what a failed test threw: the hook's or the assertion's own error. */
function errorLines(error) {
  const cause = error?.cause ?? error;
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  const lines = text.split('\n').filter((l) => l.trim());
  const clip = (l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l);
  if (lines.length <= HEAD_LINES + TAIL_LINES + 1) return lines.map(clip);
  const left = lines.length - HEAD_LINES - TAIL_LINES;
  return [...lines.slice(0, HEAD_LINES), `… ${left} lines left out`, ...lines.slice(-TAIL_LINES)].map(clip);
}

const FAILURES_HEADER = 'failures, with the first and last lines of each error:';

export default async function* summaryReporter(source) {
  const counts = {};
  const skipped = [];
  const failures = new Map(); // error text -> the tests that failed with it
  for await (const event of source) {
    if (event.type === 'test:fail' && event.data.skip === undefined && event.data.todo === undefined) {
      const { name, file, details } = event.data;
      // a suite failed because its tests did: those are listed themselves
      if (details?.error?.failureType !== 'subtestsFailed') {
        const lines = errorLines(details?.error);
        const key = lines.join('\n');
        if (!failures.has(key)) failures.set(key, { lines, tests: [] });
        failures
          .get(key)
          .tests.push(
            `"${name}" (${where(file)}${details?.error?.failureType ? `, ${details.error.failureType}` : ''})`,
          );
      }
    }
    if (event.type === 'test:diagnostic') {
      const m = /^(tests|pass|fail|skipped|todo|cancelled) (\d+)$/.exec(event.data.message);
      if (m) counts[m[1]] = Number(m[2]);
    }
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      const { skip, todo, details, name, file } = event.data;
      if (skip === undefined && todo === undefined) continue;
      skipped.push({
        kind: details?.type === 'suite' ? 'suite' : 'test',
        name,
        file: where(file),
        why:
          typeof skip === 'string'
            ? skip
            : typeof todo === 'string'
              ? `todo: ${todo}`
              : todo
                ? 'todo'
                : 'no reason given',
      });
    }
  }
  // Node 20's `pass` already leaves skipped and todo tests out.
  const passed = counts.pass ?? 0;
  let failed = (counts.fail ?? 0) + (counts.cancelled ?? 0);
  if (skipped.length > 0) {
    const suites = skipped.filter((s) => s.kind === 'suite').length;
    const tests = skipped.length - suites;
    yield `\nskipped: ${suites} suite${suites === 1 ? '' : 's'} (every test in them), ${tests} test${tests === 1 ? '' : 's'}\n`;
    for (const s of skipped) yield `  ${s.kind} "${s.name}" (${s.file}): ${s.why}\n`;
  }
  if (failures.size > 0) {
    yield `\n${FAILURES_HEADER}\n`;
    for (const { lines, tests } of failures.values()) {
      yield `  ✖ ${tests[0]}${tests.length > 1 ? `, and ${tests.length - 1} more with the same error:` : ''}\n`;
      for (const t of tests.slice(1, 6)) yield `      ${t}\n`;
      if (tests.length > 6) yield `      … ${tests.length - 6} more\n`;
      for (const l of lines) yield `      | ${l}\n`;
    }
  }
  const refuse = process.env.STAKE_REFUSE_SKIPS === '1' && skipped.length > 0;
  if (refuse) {
    yield `skips are refused here (STAKE_REFUSE_SKIPS=1): install what they name, run as root; each counts as failed\n`;
    failed += skipped.length;
    process.exitCode = 1;
  }
  const tail = skipped.length && !refuse ? `, ${skipped.length} skipped` : '';
  yield `\n${passed} passed, ${failed} failed${tail}\n`;
}
