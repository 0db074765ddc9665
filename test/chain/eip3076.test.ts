/**
 * The EIP-3076 module against the official interchange test suite in ../shared/reference/eip3076
 * (written by the client teams), every file, plus what the suite does not cover: export, merge,
 * and a runner that can fail.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { runConformance } from '../../src/chain/eip3076-conformance.js';
import { runStake } from '../support/helpers.js';
import { InterchangeError, mergeInterchanges, SlashingProtection } from '../../src/chain/eip3076.js';

const SUITE = new URL('../../../../shared/reference/eip3076/tests/', import.meta.url);
const files = readdirSync(SUITE)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (f: string) => JSON.parse(readFileSync(new URL(f, SUITE), 'utf8')) as Record<string, any>;
const GVR = `0x${'0'.repeat(64)}`;
const PK = `0x${'a1'.repeat(48)}`;

describe('EIP-3076: the official interchange test suite', () => {
  test('the suite is there', () => assert.ok(files.length >= 27, `${files.length} files`));
  for (const f of files) {
    test(f, () => {
      const r = runConformance(load(f));
      assert.deepEqual(r.failures, []);
      assert.equal(r.passed, true);
    });
  }

  test('the runner fails a file whose expectation is flipped', () => {
    const t = load('single_validator_slashable_blocks.json');
    const withChecks = load('single_validator_single_block.json');
    withChecks.steps[0].blocks[0].should_succeed_complete = !withChecks.steps[0].blocks[0].should_succeed_complete;
    withChecks.steps[0].blocks[0].should_succeed = !withChecks.steps[0].blocks[0].should_succeed;
    assert.equal(runConformance(withChecks).passed, false);
    assert.equal(runConformance(t).passed, true);
  });
});

describe('EIP-3076: beyond the suite', () => {
  test('an interchange of another chain is refused and imports nothing', () => {
    const db = new SlashingProtection(GVR);
    const other = {
      metadata: { interchange_format_version: '5', genesis_validators_root: `0x${'11'.repeat(32)}` },
      data: [{ pubkey: PK, signed_blocks: [{ slot: '5' }], signed_attestations: [] }],
    };
    assert.throws(() => db.import(other), InterchangeError);
    assert.deepEqual(db.export().data, []);
  });

  test('malformed documents name the bad field', () => {
    const db = new SlashingProtection(GVR);
    assert.throws(
      () => db.import({ metadata: { interchange_format_version: '4', genesis_validators_root: GVR }, data: [] }),
      /"5"/,
    );
    assert.throws(
      () =>
        db.import({
          metadata: { interchange_format_version: '5', genesis_validators_root: GVR },
          data: [{ pubkey: PK, signed_blocks: [{ slot: 5 }], signed_attestations: [] }],
        }),
      /signed_blocks\[0\]\.slot/,
    );
  });

  test('export then import gives the same verdicts; merge keeps everything either side signed', () => {
    const a = new SlashingProtection(GVR);
    a.signBlock(PK, 10n);
    a.signAttestation(PK, 3n, 4n);
    const b = new SlashingProtection(GVR);
    b.signBlock(PK, 12n);
    b.signAttestation(PK, 4n, 6n);
    const merged = new SlashingProtection(GVR);
    merged.import(mergeInterchanges([a.export(), b.export()]));
    assert.equal(merged.checkBlock(PK, 12n).ok, false, 'b signed slot 12');
    assert.equal(merged.checkBlock(PK, 10n).ok, false, 'a signed slot 10');
    assert.equal(merged.checkAttestation(PK, 4n, 6n, `0x${'22'.repeat(32)}`).ok, false, "double vote on b's target");
    assert.equal(merged.checkAttestation(PK, 2n, 7n).ok, false, "surrounds a's 3->4");
    assert.equal(merged.checkAttestation(PK, 6n, 7n).ok, true);
    assert.equal(merged.export().data[0]!.signed_blocks.length, 2);
  });
});

describe('stake protection check and export (the CLI)', () => {
  const example = new URL('../../../../shared/reference/eip3076/eip-text/example-interchange.json', import.meta.url)
    .pathname;
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
