/** EIP-3076 slashing protection beyond the official suite: refusals of another chain's or a malformed file, export and merge. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InterchangeError, mergeInterchanges, missingRecords, SlashingProtection } from '../../src/chain/eip3076.js';

const GVR = `0x${'0'.repeat(64)}`;
const PK = `0x${'a1'.repeat(48)}`;

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

describe('merging never drops history (issue 15)', () => {
  const GVR = `0x${'04'.repeat(32)}`;
  const KEY = `0x${'a1'.repeat(48)}`;
  const doc = (blocks: unknown, attestations: unknown = []) => ({
    metadata: { interchange_format_version: '5', genesis_validators_root: GVR },
    data: [{ pubkey: KEY, signed_blocks: blocks, signed_attestations: attestations }],
  });
  test('every record of every input is in the merge, with and without signing roots', () => {
    const a = doc(
      [{ slot: '10' }, { slot: '11', signing_root: `0x${'01'.repeat(32)}` }],
      [{ source_epoch: '1', target_epoch: '2' }],
    );
    const b = doc(
      [{ slot: '11' }, { slot: '12' }],
      [{ source_epoch: '1', target_epoch: '2', signing_root: `0x${'02'.repeat(32)}` }],
    );
    const merged = mergeInterchanges([a, b]);
    assert.deepEqual(missingRecords(a, merged), []);
    assert.deepEqual(missingRecords(b, merged), []);
    assert.equal(merged.data[0]!.signed_blocks.length, 4);
    assert.equal(merged.data[0]!.signed_attestations.length, 2);
    assert.deepEqual(missingRecords(merged, a), [`${KEY} block 11`, `${KEY} block 12`, `${KEY} attestation 1->2`]);
  });
  test('a history that is not a list is refused, never read as no history', () => {
    assert.throws(() => mergeInterchanges([doc({ 0: { slot: '10' } })]), /signed_blocks must be a list/);
    assert.throws(() => mergeInterchanges([doc([], 'x')]), /signed_attestations must be a list/);
  });
});

describe('EIP-3076: export, history kept and compared', () => {
  const GVR = `0x${'05'.repeat(32)}`;
  const A = `0x${'a1'.repeat(48)}`;
  const B = `0x${'b2'.repeat(48)}`;
  const ROOT = `0x${'cc'.repeat(32)}`;
  const doc = (
    pubkey: string,
    blocks: { slot: string; signing_root?: string }[],
    attestations: { source_epoch: string; target_epoch: string }[] = [],
  ) => ({
    metadata: { interchange_format_version: '5', genesis_validators_root: GVR },
    data: [{ pubkey, signed_blocks: blocks, signed_attestations: attestations }],
  });

  test('the complete export: keys in order, blocks by slot, attestations by target, each record once', () => {
    const db = new SlashingProtection(GVR);
    const a = doc(
      A,
      [{ slot: '30' }, { slot: '10', signing_root: ROOT }, { slot: '20' }],
      [
        { source_epoch: '5', target_epoch: '9' },
        { source_epoch: '1', target_epoch: '2' },
        { source_epoch: '3', target_epoch: '4' },
      ],
    );
    db.import(doc(B, [{ slot: '1' }]));
    db.import(a);
    db.import(a);
    assert.deepEqual(db.export(), {
      metadata: { interchange_format_version: '5', genesis_validators_root: GVR },
      data: [
        {
          pubkey: A,
          signed_blocks: [{ slot: '10', signing_root: ROOT }, { slot: '20' }, { slot: '30' }],
          signed_attestations: [
            { source_epoch: '1', target_epoch: '2' },
            { source_epoch: '3', target_epoch: '4' },
            { source_epoch: '5', target_epoch: '9' },
          ],
        },
        { pubkey: B, signed_blocks: [{ slot: '1' }], signed_attestations: [] },
      ],
    });
  });

  test('the same slot with and without a signing root are two records, both kept', () => {
    const db = new SlashingProtection(GVR);
    db.import(doc(A, [{ slot: '10', signing_root: ROOT }]));
    db.import(doc(A, [{ slot: '10' }]));
    assert.equal(db.export().data[0]!.signed_blocks.length, 2);
  });

  test('the minimal export keeps per key only the highest block and the attestation with the highest target', () => {
    const db = new SlashingProtection(GVR);
    db.import(
      doc(
        A,
        [{ slot: '30' }, { slot: '50' }, { slot: '40' }],
        [
          { source_epoch: '5', target_epoch: '9' },
          { source_epoch: '6', target_epoch: '12' },
          { source_epoch: '7', target_epoch: '10' },
        ],
      ),
    );
    db.import(doc(B, [{ slot: '1' }]));
    assert.deepEqual(db.export('minimal').data, [
      { pubkey: A, signed_blocks: [{ slot: '50' }], signed_attestations: [{ source_epoch: '6', target_epoch: '12' }] },
      { pubkey: B, signed_blocks: [{ slot: '1' }], signed_attestations: [] },
    ]);
  });

  test('records missing from another document: a key it lacks lacks everything; a root is part of a record', () => {
    const from = doc(
      A,
      [{ slot: '11', signing_root: ROOT }, { slot: '12' }],
      [{ source_epoch: '1', target_epoch: '2' }],
    );
    assert.deepEqual(missingRecords(from, doc(B, [])), [`${A} block 11`, `${A} block 12`, `${A} attestation 1->2`]);
    assert.deepEqual(
      missingRecords(from, doc(A, [{ slot: '11' }, { slot: '12' }], [{ source_epoch: '1', target_epoch: '2' }])),
      [`${A} block 11`],
    );
  });

  test('the same slot or the same vote with another signing root is another record', () => {
    const other = `0x${'dd'.repeat(32)}`;
    const from = doc(
      A,
      [{ slot: '11', signing_root: ROOT }],
      [{ source_epoch: '1', target_epoch: '2', signing_root: ROOT } as never],
    );
    const into = doc(
      A,
      [{ slot: '11', signing_root: other }],
      [{ source_epoch: '1', target_epoch: '2', signing_root: other } as never],
    );
    assert.deepEqual(missingRecords(from, into), [`${A} block 11`, `${A} attestation 1->2`]);
  });

  test('merging nothing is refused', () => {
    assert.throws(
      () => mergeInterchanges([]),
      (err) => err instanceof InterchangeError && err.message === 'nothing to merge',
    );
  });
});
