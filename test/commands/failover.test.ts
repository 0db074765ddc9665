/** `stake failover` refuses a validity above the bound before it asks any host: exit 2 (issue 15, class 7). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { edit, example, runStake } from '../support/helpers.js';

const COSMOS = projectPath('inventories', 'cosmos.yaml');

describe('failover --valid-for is bounded', () => {
  for (const args of [
    ['failover', 'cosmoshub', '--to', 'val-waw'],
    ['failover', 'cosmoshub', '--to', 'val-waw', '--confirm'],
    ['failover', 'approve', 'cosmoshub', '--to', 'val-waw', '--as', 'alice'],
  ])
    test(`${args.slice(0, 2).join(' ')}${args.includes('--confirm') ? ' --confirm' : ''} --valid-for 876000h: usage error`, () => {
      const r = runStake([...args, '--valid-for', '876000h', '-i', COSMOS]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--valid-for 876000h: a failover plan or approval may be valid for at most 24h/);
    });

  test("an inventory's policy lowers the bound", () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-policy-'));
    try {
      const file = join(dir, 'inventory.yaml');
      writeFileSync(
        file,
        edit(example('cosmos'), '\noperators:\n', '\npolicy: { max_approval_validity: 4h }\n\noperators:\n'),
      );
      const r = runStake(['failover', 'cosmoshub', '--to', 'val-waw', '--valid-for', '5h', '-i', file]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /at most 4h/);
      assert.match(r.stderr, /policy\.max_approval_validity is 4h/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
