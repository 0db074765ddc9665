/** The host-side guard of every signing state and witness copy write: run with sh on a folder standing for a host's root. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opcertCbor } from '../../src/chain/cardano-opcert.js';
import { neverLowerWriteLines, WOULD_LOWER, WOULD_LOWER_EXIT } from '../../src/failover/floor-script.js';
import { braceGroup } from '../../src/ssh/shell.js';

const state = (h: string | number, r = 0, s = 3) =>
  `${JSON.stringify({ height: String(h), round: r, step: s }, null, 2)}\n`;
const cert = (n: number) =>
  JSON.stringify({
    type: 'NodeOperationalCertificate',
    description: '',
    cborHex: opcertCbor(Buffer.alloc(32, 1), n, 7, Buffer.alloc(64, 2), Buffer.alloc(32, 3)),
  });

function write(family: 'cosmos' | 'cardano', onHost: string | undefined, content: string) {
  const root = mkdtempSync(join(tmpdir(), 'stake-floor-'));
  try {
    mkdirSync(join(root, 'state'));
    if (onHost !== undefined) writeFileSync(join(root, 'state', 'f'), onHost);
    const r = spawnSync('sh', ['-s'], {
      input: braceGroup(['set -eu', ...neverLowerWriteLines(family, root, '/state/f', content, '0600')]),
    });
    return { code: r.status, after: readFileSync(join(root, 'state', 'f'), 'utf8'), stderr: r.stderr.toString() };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('a host never takes a lower signing state than it holds', () => {
  const cases: [string, 'cosmos' | 'cardano', string | undefined, string, boolean][] = [
    ['no file yet', 'cosmos', undefined, state(10), true],
    ['a lower height', 'cosmos', state(9, 5, 3), state(10), true],
    ['the same height/round/step', 'cosmos', state(10), state(10), true],
    ['a higher height', 'cosmos', state(11), state(10), false],
    ['the same height, a later round', 'cosmos', state(10, 1, 1), state(10, 0, 3), false],
    ['the same height and round, a later step', 'cosmos', state(10, 0, 3), state(10, 0, 2), false],
    ['a height beyond 2^53 (int64)', 'cosmos', state('9223372036854775807'), state('9223372036854775806'), false],
    ['a truncated file whose height is readable', 'cosmos', '{"height":"342","rou', state(341), false],
    ['a file with no watermark', 'cosmos', 'garbage', state(1), true],
    ['a lower counter', 'cardano', cert(4), cert(300), true],
    ['the same counter', 'cardano', cert(5), cert(5), true],
    ['a higher counter', 'cardano', cert(5), cert(4), false],
    ['a higher counter of two bytes', 'cardano', cert(70000), cert(300), false],
  ];
  for (const [what, family, onHost, content, writes] of cases)
    test(`${family}: ${what}: ${writes ? 'written' : 'refused, the file kept'}`, () => {
      const r = write(family, onHost, content);
      if (writes) {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.after, content);
      } else {
        assert.equal(r.code, WOULD_LOWER_EXIT);
        assert.equal(r.after, onHost);
        assert.ok(r.stderr.includes(WOULD_LOWER));
      }
    });
});
