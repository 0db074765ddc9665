// A node:test reporter that prints one closing line, `N passed, N failed[, N skipped]`, from the
// runner's own final counts, so people and CI read the same summary.
export default async function* summaryReporter(source) {
  const counts = {};
  for await (const event of source) {
    if (event.type === 'test:diagnostic') {
      const m = /^(tests|pass|fail|skipped|todo|cancelled) (\d+)$/.exec(event.data.message);
      if (m) counts[m[1]] = Number(m[2]);
    }
  }
  const failed = (counts.fail ?? 0) + (counts.cancelled ?? 0);
  const skipped = (counts.skipped ?? 0) + (counts.todo ?? 0);
  // node counts a skipped test (not a todo) as passed too; report it once, as skipped.
  const passed = Math.max(0, (counts.pass ?? 0) - (counts.skipped ?? 0));
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
