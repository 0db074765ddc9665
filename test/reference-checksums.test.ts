/**
 * The upstream copies in test/fixtures/reference are the oracles' data: each one is listed in
 * SHA256SUMS and still has the bytes it was copied with, so a copy edited by hand (or a file
 * added without its provenance line) fails here rather than silently changing what is checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectPath } from '../src/paths.js';

const REFERENCE = projectPath('test', 'fixtures', 'reference');
const NOT_COPIES = new Set(['README.md', 'SHA256SUMS']);

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );

test('every reference copy is in SHA256SUMS with the hash of its bytes', () => {
  const listed = new Map(
    readFileSync(join(REFERENCE, 'SHA256SUMS'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => {
        const [hash, path] = line.split(/\s+/);
        return [path!.replace(/^\.\//, ''), hash!] as const;
      }),
  );
  const copies = filesUnder(REFERENCE)
    .map((f) => relative(REFERENCE, f))
    .filter((f) => !NOT_COPIES.has(f))
    .sort();
  assert.ok(copies.length > 50, `${copies.length} copies`);
  assert.deepEqual(copies, [...listed.keys()].sort(), 'the listed files are exactly the copies');
  for (const file of copies)
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(REFERENCE, file)))
        .digest('hex'),
      listed.get(file),
      file,
    );
});
