/**
 * EIP-3076 at its boundaries, beyond the official suite: the interchange's fields refused by
 * name, the signing rules at their exact edges (each refusal told apart by its reason, since
 * several rules refuse the same vote), repeats only with both signing roots known and equal,
 * and the complete and minimal exports.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InterchangeError, parseInterchange, SlashingProtection } from '../../src/chain/eip3076.js';

const GVR = `0x${'0a'.repeat(32)}`;
const PK = `0x${'a1'.repeat(48)}`;
const PK2 = `0x${'b2'.repeat(48)}`;
const ROOT_A = `0x${'aa'.repeat(32)}`;
const ROOT_B = `0x${'bb'.repeat(32)}`;
type Block = { slot: string; signing_root?: string };
type Attestation = { source_epoch: string; target_epoch: string; signing_root?: string };
const doc = (blocks: Block[] = [], attestations: Attestation[] = [], pubkey = PK, gvr = GVR) => ({
  metadata: { interchange_format_version: '5', genesis_validators_root: gvr },
  data: [{ pubkey, signed_blocks: blocks, signed_attestations: attestations }],
});
const att = (source: number, target: number, signing_root?: string): Attestation => ({
  source_epoch: String(source),
  target_epoch: String(target),
  ...(signing_root ? { signing_root } : {}),
});
const db = (blocks: Block[] = [], attestations: Attestation[] = []) => {
  const d = new SlashingProtection(GVR);
  d.import(doc(blocks, attestations));
  return d;
};
const refusedWith = (message: string) => (err: unknown) => err instanceof InterchangeError && err.message === message;

describe('EIP-3076: reading an interchange', () => {
  test('no document, or no metadata object, is not an interchange', () => {
    for (const raw of [null, 'x', 5, {}, { metadata: null }, { metadata: 'x' }])
      assert.throws(
        () => parseInterchange(raw),
        refusedWith('not an interchange document: no metadata'),
        JSON.stringify(raw),
      );
  });

  test('the genesis validators root must be there, and be exactly 0x and 64 hex digits', () => {
    assert.throws(
      () => parseInterchange({ metadata: { interchange_format_version: '5' }, data: [] }),
      refusedWith('metadata.genesis_validators_root is missing'),
    );
    for (const bad of [`x${GVR}`, `${GVR}0`, GVR.slice(0, -1), 7])
      assert.throws(
        () => parseInterchange(doc([], [], PK, bad as string)),
        refusedWith(`metadata.genesis_validators_root must be 0x and 64 hex digits, not ${JSON.stringify(bad)}`),
      );
    assert.equal(parseInterchange(doc([], [], PK, GVR.toUpperCase().replace('0X', '0x'))).genesisValidatorsRoot, GVR);
  });

  test('data must be a list, each entry with a public key of exactly 0x and 96 hex digits', () => {
    assert.throws(() => parseInterchange({ ...doc(), data: {} }), refusedWith('data must be a list'));
    for (const pubkey of [`x${PK}`, `${PK}0`, 7])
      assert.throws(
        () => parseInterchange(doc([], [], pubkey as string)),
        refusedWith('data[0].pubkey must be 0x and 96 hex digits'),
      );
    assert.throws(
      () => parseInterchange({ ...doc(), data: [{ signed_blocks: [] }] }),
      refusedWith('data[0].pubkey must be 0x and 96 hex digits'),
    );
    assert.throws(
      () => parseInterchange({ ...doc(), data: [null] }),
      refusedWith('data[0].pubkey must be 0x and 96 hex digits'),
    );
  });

  test('an entry may leave out its blocks or its attestations', () => {
    const parsed = parseInterchange({ ...doc(), data: [{ pubkey: PK }] });
    assert.deepEqual(parsed.records.get(PK), { blocks: [], attestations: [] });
  });

  test('every number is a canonical decimal string that fits in 64 bits, named where it is', () => {
    const max = '18446744073709551615';
    assert.deepEqual(parseInterchange(doc([{ slot: max }])).records.get(PK)!.blocks, [{ slot: 2n ** 64n - 1n }]);
    assert.throws(
      () => parseInterchange(doc([{ slot: '0' }, { slot: '18446744073709551616' }])),
      refusedWith('data[0].signed_blocks[1].slot 18446744073709551616 does not fit in uint64'),
    );
    for (const slot of ['05', '5x', 'x5', '-1', ''])
      assert.throws(
        () => parseInterchange(doc([{ slot }])),
        refusedWith(`data[0].signed_blocks[0].slot must be a decimal string, not ${JSON.stringify(slot)}`),
      );
    assert.throws(
      () => parseInterchange(doc([], [{ source_epoch: '1', target_epoch: 2 as never }])),
      refusedWith('data[0].signed_attestations[0].target_epoch must be a decimal string, not 2'),
    );
    assert.throws(
      () => parseInterchange(doc([], [{ source_epoch: 'a', target_epoch: '2' }])),
      refusedWith('data[0].signed_attestations[0].source_epoch must be a decimal string, not "a"'),
    );
  });

  test('signing roots: absent or null is unknown, otherwise 0x and 64 hex digits, kept in lower case', () => {
    const parsed = parseInterchange(
      doc(
        [
          { slot: '1', signing_root: null as never },
          { slot: '2', signing_root: ROOT_A.toUpperCase().replace('0X', '0x') },
        ],
        [att(1, 2, ROOT_B)],
      ),
    ).records.get(PK)!;
    assert.deepEqual(parsed.blocks, [{ slot: 1n }, { slot: 2n, signingRoot: ROOT_A }]);
    assert.deepEqual(parsed.attestations, [{ source: 1n, target: 2n, signingRoot: ROOT_B }]);
    assert.throws(
      () => parseInterchange(doc([{ slot: '1', signing_root: 'x' }])),
      refusedWith('data[0].signed_blocks[0].signing_root must be 0x and 64 hex digits, not "x"'),
    );
    assert.throws(
      () => parseInterchange(doc([], [{ ...att(1, 2), signing_root: 5 as never }])),
      refusedWith('data[0].signed_attestations[0].signing_root must be 0x and 64 hex digits, not 5'),
    );
  });

  test("a database is for one chain: a malformed root is refused, another chain's interchange too, by both roots", () => {
    assert.throws(
      () => new SlashingProtection('0x12'),
      refusedWith('genesis validators root must be 0x and 64 hex digits, not 0x12'),
    );
    const other = `0x${'0b'.repeat(32)}`;
    assert.throws(
      () => db().import(doc([], [], PK, other)),
      refusedWith(`the interchange is for genesis validators root ${other}, this database for ${GVR}: another chain`),
    );
    assert.equal(new SlashingProtection(GVR.replace(/a/g, 'A')).genesisValidatorsRoot, GVR);
  });
});

describe('EIP-3076: blocks', () => {
  test('a block at a signed slot is a repeat only with the same known root; otherwise a double proposal', () => {
    const d = db([{ slot: '10', signing_root: ROOT_A }, { slot: '20' }]);
    assert.deepEqual(d.checkBlock(PK, 10n, ROOT_A.toUpperCase().replace('0X', '0x')), { ok: true });
    const double = { ok: false, why: 'a different block at slot 10 is already signed (double proposal)' };
    assert.deepEqual(d.checkBlock(PK, 10n, ROOT_B), double);
    assert.deepEqual(d.checkBlock(PK, 10n), double, 'an unknown root is never a repeat');
    assert.equal(d.checkBlock(PK, 20n, ROOT_A).ok, false, 'a stored record without a root is never repeated');
  });

  test('two records at one slot: a repeat of one of them is still a double proposal of the other', () => {
    const d = db([
      { slot: '10', signing_root: ROOT_A },
      { slot: '10', signing_root: ROOT_B },
    ]);
    assert.equal(d.checkBlock(PK, 10n, ROOT_A).ok, false);
  });

  test('below the lowest slot is refused; the lowest is the minimum, wherever it is listed', () => {
    const d = db([{ slot: '10' }, { slot: '5' }]);
    assert.deepEqual(d.checkBlock(PK, 4n), { ok: false, why: 'slot 4 is at or below the lowest signed slot 5' });
    assert.deepEqual(d.checkBlock(PK, 7n), { ok: true });
    assert.deepEqual(d.checkBlock(PK2, 1n), { ok: true }, 'another key has no history');
  });

  test('a refused block is not recorded; an allowed one is, with its root in lower case', () => {
    const d = db([{ slot: '10' }]);
    assert.equal(d.signBlock(PK, 9n).ok, false);
    assert.equal(d.signBlock(PK, 11n, ROOT_A.toUpperCase().replace('0X', '0x')).ok, true);
    assert.deepEqual(d.export().data[0]!.signed_blocks, [{ slot: '10' }, { slot: '11', signing_root: ROOT_A }]);
  });
});

describe('EIP-3076: attestations', () => {
  test('a source after its target is refused, even with no history; source equal to target is fine', () => {
    const d = new SlashingProtection(GVR);
    assert.deepEqual(d.checkAttestation(PK, 5n, 4n), { ok: false, why: 'source epoch 5 is after target epoch 4' });
    assert.deepEqual(d.checkAttestation(PK, 0n, 0n), { ok: true });
  });

  test('a repeat needs the same source and the same known root; otherwise a double vote', () => {
    const d = db([], [att(3, 4, ROOT_A), att(6, 7)]);
    assert.deepEqual(d.checkAttestation(PK, 3n, 4n, ROOT_A), { ok: true });
    const double = { ok: false, why: 'another attestation for target epoch 4 is already signed (double vote)' };
    assert.deepEqual(d.checkAttestation(PK, 2n, 4n, ROOT_A), double);
    assert.deepEqual(d.checkAttestation(PK, 3n, 4n, ROOT_B), double);
    assert.deepEqual(d.checkAttestation(PK, 3n, 4n), double);
    assert.equal(d.checkAttestation(PK, 6n, 7n, ROOT_A).ok, false, 'a stored record without a root is never repeated');
  });

  test('surrounding and surrounded votes are refused, named; a shared source is neither', () => {
    const d = db([], [att(5, 8)]);
    assert.deepEqual(d.checkAttestation(PK, 6n, 7n), { ok: false, why: 'surrounded by the signed attestation 5->8' });
    assert.deepEqual(d.checkAttestation(PK, 4n, 9n), { ok: false, why: 'surrounds the signed attestation 5->8' });
    assert.deepEqual(d.checkAttestation(PK, 5n, 7n), {
      ok: false,
      why: 'target epoch 7 is at or below the lowest signed target 8',
    });
  });

  test('EIP-3076: an attestation with source < lowest source is refused at the exact boundary', () => {
    const d = db([], [att(5, 10)]);
    // 4 -> 9 surrounds nothing; only the lowest-source rule names it (the target rule would refuse it too, for another reason)
    assert.deepEqual(d.checkAttestation(PK, 4n, 9n), {
      ok: false,
      why: 'source epoch 4 is below the lowest signed source 5',
    });
    assert.deepEqual(d.checkAttestation(PK, 5n, 11n), { ok: true }, 'a source equal to the lowest is fine');
  });

  test('a target at or below the lowest target is refused; the lowest is the minimum, wherever listed', () => {
    const d = db([], [att(5, 10), att(2, 3)]);
    assert.deepEqual(d.checkAttestation(PK, 3n, 3n), {
      ok: false,
      why: 'another attestation for target epoch 3 is already signed (double vote)',
    });
    assert.deepEqual(d.checkAttestation(PK, 6n, 11n), { ok: true });
    const e = db([], [att(7, 10), att(5, 6)]);
    assert.deepEqual(e.checkAttestation(PK, 6n, 5n), { ok: false, why: 'source epoch 6 is after target epoch 5' });
  });

  test('a refused attestation is not recorded; an allowed one is, and repeats with its root in any case', () => {
    const d = db([], [att(5, 10)]);
    assert.equal(d.signAttestation(PK, 4n, 9n).ok, false);
    assert.equal(d.signAttestation(PK, 10n, 11n, ROOT_A.toUpperCase().replace('0X', '0x')).ok, true);
    assert.deepEqual(d.checkAttestation(PK, 10n, 11n, ROOT_A), { ok: true });
    assert.deepEqual(d.export().data[0]!.signed_attestations, [att(5, 10), att(10, 11, ROOT_A)]);
  });
});

describe('EIP-3076: records that look alike', () => {
  test('two attestations for one target from different sources are both kept: evidence of a double vote stays', () => {
    const d = db([], [att(1, 5, ROOT_A), att(2, 5, ROOT_A)]);
    assert.equal(d.export().data[0]!.signed_attestations.length, 2);
    assert.equal(
      d.checkAttestation(PK, 1n, 5n, ROOT_A).ok,
      false,
      'a repeat of one is a double vote against the other',
    );
  });

  test('records at one slot keep the order they were signed in, and the minimal export keeps the first of them', () => {
    const d = db([{ slot: '50', signing_root: ROOT_A }, { slot: '50' }, { slot: '10' }]);
    assert.deepEqual(d.export().data[0]!.signed_blocks, [
      { slot: '10' },
      { slot: '50', signing_root: ROOT_A },
      { slot: '50' },
    ]);
    assert.deepEqual(d.export('minimal').data[0]!.signed_blocks, [{ slot: '50', signing_root: ROOT_A }]);
    const e = db([], [att(1, 9, ROOT_A), att(2, 9), att(0, 1)]);
    assert.deepEqual(e.export().data[0]!.signed_attestations, [att(0, 1), att(1, 9, ROOT_A), att(2, 9)]);
    assert.deepEqual(e.export('minimal').data[0]!.signed_attestations, [att(1, 9, ROOT_A)]);
  });

  test('a signing root that is not a string is refused, whatever it prints as', () => {
    const sneaky = { toString: () => ROOT_A };
    assert.throws(
      () => parseInterchange(doc([{ slot: '1', signing_root: sneaky as never }])),
      (err) =>
        err instanceof InterchangeError && err.message.startsWith('data[0].signed_blocks[0].signing_root must be 0x'),
    );
  });
});
