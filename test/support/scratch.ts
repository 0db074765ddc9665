/**
 * A scratch folder for a unit test's files, removed when the test process exits: tests that make
 * many small roots (shell idioms, host scripts, key placement) need not each remember to clean up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atExit } from './last-resort.js';

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  atExit(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
