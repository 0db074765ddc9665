/**
 * Oracle: `stake protection conformance` run as a user runs it (the built bin/stake, spawned), on
 * the official EIP-3076 interchange tests in test/fixtures/reference/eip3076/tests (written by the
 * client teams, not by stake). Exit codes are the table in docs/cli.md: 0 every file passed,
 * 1 a file failed (or is not a test of the suite's form), 2 a file that is not JSON at all.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { runStake, type RunResult } from '../support/helpers.js';

const SUITE = projectPath('test', 'fixtures', 'reference', 'eip3076', 'tests');
const officialFiles = readdirSync(SUITE)
  .filter((f) => f.endsWith('.json'))
  .sort();
const officialPaths = officialFiles.map((f) => join(SUITE, f));
const readOfficial = (file: string) => JSON.parse(readFileSync(join(SUITE, file), 'utf8')) as Record<string, any>;

/** An unexpected error prints "internal error" and, with STAKE_DEBUG, a stack; neither may show for a bad file. */
function assertNoCrash(r: RunResult): void {
  assert.doesNotMatch(r.stderr, /internal error/, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /^\s+at .+\(?.*:\d+:\d+\)?$/m, 'no stack trace');
}

interface JsonReport {
  results: { file: string; name: string; passed: boolean; failures: string[] }[];
  passed: number;
  failed: number;
}

describe('stake protection conformance (bin/stake) on the official EIP-3076 suite', () => {
  test('the suite is there: 27 files of the upstream release (see the reference README)', () => {
    assert.equal(officialFiles.length, 27);
  });

  test('every official file passes: exit 0, one "pass" line per file and the count', () => {
    const r = runStake(['protection', 'conformance', ...officialPaths]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.slice(0, -1),
      officialFiles.map((f) => `pass  ${f}`),
    );
    assert.equal(lines.at(-1), `${officialFiles.length} passed, 0 failed`);
    assert.equal(r.stderr, '');
  });

  test('--json names every file with its official test name, all passed', () => {
    const r = runStake(['protection', 'conformance', ...officialPaths, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.equal(report.passed, officialFiles.length);
    assert.equal(report.failed, 0);
    assert.deepEqual(
      report.results.map((x) => [x.file, x.name, x.passed, x.failures]),
      officialFiles.map((f) => [join(SUITE, f), readOfficial(f).name, true, []]),
    );
  });
});

describe('stake protection conformance (bin/stake) on deliberately corrupted copies', () => {
  const withCopies = (fn: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-conformance-'));
    try {
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test('a copy whose official expectation is flipped fails (exit 1), naming the check; the others still pass', () =>
    withCopies((dir) => {
      const official = readOfficial('single_validator_multiple_block_attempts.json');
      const block = official.steps[0].blocks.find((b: { should_succeed: boolean }) => !b.should_succeed);
      assert.ok(block, 'the official file has a block it must refuse');
      block.should_succeed = true;
      block.should_succeed_complete = true;
      const flipped = join(dir, 'flipped.json');
      writeFileSync(flipped, JSON.stringify(official));
      const r = runStake(['protection', 'conformance', join(SUITE, 'single_validator_single_block.json'), flipped]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /^pass {2}single_validator_single_block\.json$/m);
      assert.match(r.stdout, /^FAIL {2}flipped\.json$/m);
      assert.match(r.stdout, new RegExp(`block \\d+ \\(slot ${block.slot}\\): refused \\(.+\\), expected signed`));
      assert.match(r.stdout, /^1 passed, 1 failed$/m);
      assertNoCrash(r);
    }));

  test('a copy cut off halfway is not JSON: exit 2, the file named with a hint', () =>
    withCopies((dir) => {
      const text = readFileSync(join(SUITE, 'single_validator_single_block.json'), 'utf8');
      const truncated = join(dir, 'truncated.json');
      writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
      const r = runStake(['protection', 'conformance', truncated]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`stake: ${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not JSON`));
      assert.match(r.stderr, /hint: give an EIP-3076 interchange file/);
      assertNoCrash(r);
    }));

  test('copies whose structure is damaged fail by name (exit 1), never as an internal error', () =>
    withCopies((dir) => {
      const damage: [string, (t: Record<string, any>) => void, RegExp][] = [
        ['no-blocks', (t) => delete t.steps[0].blocks, /not a test file: step 0\.blocks is not a list/],
        ['null-step', (t) => (t.steps[0] = null), /not a test file: step 0 is not an object/],
        ['word-slot', (t) => (t.steps[0].blocks[0].slot = 'ten'), /step 0 block 0\.slot is not a decimal string/],
        ['number-pubkey', (t) => (t.steps[0].blocks[0].pubkey = 5), /step 0 block 0\.pubkey is not a string/],
        ['bad-root', (t) => (t.genesis_validators_root = '0xzz'), /genesis validators root must be 0x and 64 hex/],
        [
          'bad-interchange',
          (t) => (t.steps[0].interchange.data[0].pubkey = '0x12'),
          /step 0: the import was refused \(data\[0\]\.pubkey must be 0x and 96 hex digits\) but should succeed/,
        ],
      ];
      for (const [name, corrupt, message] of damage) {
        const copy = readOfficial('single_validator_single_block.json');
        corrupt(copy);
        const path = join(dir, `${name}.json`);
        writeFileSync(path, JSON.stringify(copy));
        const r = runStake(['protection', 'conformance', path]);
        assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^FAIL {2}${name}\\.json$`, 'm'), name);
        assert.match(r.stdout, message, name);
        assertNoCrash(r);
      }
    }));
});
