/** `stake protection check` and `stake protection export` through the real bin/stake, on the EIP's example interchange. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingRecords, SlashingProtection } from '../../src/chain/eip3076.js';
import { runStake } from '../support/helpers.js';
import { projectPath } from '../../src/paths.js';

describe('stake protection check and export (the CLI)', () => {
  const example = projectPath('test', 'fixtures', 'reference', 'eip3076', 'eip-text', 'example-interchange.json');
  const doc = JSON.parse(readFileSync(example, 'utf8')) as {
    data: {
      pubkey: string;
      signed_blocks: { slot: string }[];
      signed_attestations: { source_epoch: string; target_epoch: string }[];
    }[];
  };
  const key = doc.data[0]!;
  const lastBlock = key.signed_blocks.map((b) => Number(b.slot)).sort((a, b) => b - a)[0]!;
  const lastAtt = key.signed_attestations
    .map((a) => [Number(a.source_epoch), Number(a.target_epoch)] as const)
    .sort((a, b) => b[1] - a[1])[0]!;

  test('a block below the history is slashable (exit 4), one above it is safe (exit 0)', () => {
    const low = runStake(['protection', 'check', example, '--pubkey', key.pubkey, '--block', String(lastBlock)]);
    assert.equal(low.code, 4, low.stdout + low.stderr);
    assert.match(low.stdout, /SLASHABLE/);
    const high = runStake(['protection', 'check', example, '--pubkey', key.pubkey, '--block', String(lastBlock + 1)]);
    assert.equal(high.code, 0, high.stderr);
  });
  test('a vote surrounding the last one is slashable; the next one is safe', () => {
    const surround = runStake([
      'protection',
      'check',
      example,
      '--pubkey',
      key.pubkey,
      '--attestation',
      `${Math.max(0, lastAtt[0] - 1)}:${lastAtt[1] + 1}`,
      '--json',
    ]);
    assert.equal(surround.code, 4, surround.stdout);
    assert.equal((JSON.parse(surround.stdout) as { safe: boolean }).safe, false);
    assert.equal(
      runStake([
        'protection',
        'check',
        example,
        '--pubkey',
        key.pubkey,
        '--attestation',
        `${lastAtt[1]}:${lastAtt[1] + 1}`,
      ]).code,
      0,
    );
  });
  test('export --form minimal keeps what protects: the same verdicts after a re-import', () => {
    const minimal = runStake(['protection', 'export', example, '--form', 'minimal']);
    assert.equal(minimal.code, 0, minimal.stderr);
    const min = JSON.parse(minimal.stdout) as typeof doc;
    assert.equal(min.data[0]!.signed_blocks.length, 1);
    const db = new SlashingProtection(
      (JSON.parse(minimal.stdout) as { metadata: { genesis_validators_root: string } }).metadata
        .genesis_validators_root,
    );
    db.import(min);
    assert.equal(db.checkBlock(key.pubkey, BigInt(lastBlock)).ok, false);
    assert.equal(db.checkBlock(key.pubkey, BigInt(lastBlock + 1)).ok, true);
  });
});

describe('stake protection merge -o never drops the history already there (issue 15)', () => {
  const GVR = `0x${'04'.repeat(32)}`;
  const KEY = `0x${'a1'.repeat(48)}`;
  const doc = (slots: number[]) => ({
    metadata: { interchange_format_version: '5', genesis_validators_root: GVR },
    data: [{ pubkey: KEY, signed_blocks: slots.map((s) => ({ slot: String(s) })), signed_attestations: [] }],
  });
  test('an existing --out is merged in; one of another chain refuses and is left alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-merge-'));
    try {
      const [a, out] = [join(dir, 'a.json'), join(dir, 'out.json')];
      writeFileSync(a, JSON.stringify(doc([10, 11])));
      writeFileSync(out, JSON.stringify(doc([500])));
      const before = JSON.parse(readFileSync(out, 'utf8')) as unknown;
      const r = runStake(['protection', 'merge', a, '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      const merged = JSON.parse(readFileSync(out, 'utf8')) as unknown;
      assert.deepEqual(missingRecords(before, merged), [], 'slot 500 is still there');
      assert.deepEqual(missingRecords(JSON.parse(readFileSync(a, 'utf8')), merged), []);
      const other = {
        ...doc([1]),
        metadata: { interchange_format_version: '5', genesis_validators_root: `0x${'05'.repeat(32)}` },
      };
      writeFileSync(out, JSON.stringify(other));
      const refused = runStake(['protection', 'merge', a, '-o', out]);
      assert.equal(refused.code, 4, refused.stdout + refused.stderr);
      assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), other);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
