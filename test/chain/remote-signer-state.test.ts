/**
 * The remote signers' watermarks (src/chain/remote-signer-state.ts): tmkms's and horcrux's state
 * files in their own formats, their checks in their own words, and the CometBFT numbering a
 * failover compares them in.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareHRS, parseSignState, STEP } from '../../src/chain/cometbft-sign-state.js';
import {
  horcruxCheck,
  horcruxImportInput,
  parseHorcruxState,
  parseTmkmsState,
  serializeTmkmsState,
  tmkmsCheck,
} from '../../src/chain/remote-signer-state.js';
import { projectPath } from '../../src/paths.js';

describe('tmkms state file', () => {
  test('read in CometBFT numbering: its steps are one below (Precommit 2 is CometBFT 3); a fresh file signed nothing', () => {
    const s = parseTmkmsState('{"height":"361402","round":"1","step":2,"block_id":null}');
    assert.deepEqual(s, { height: 361402n, round: 1, step: STEP.precommit });
    // what tmkms writes when the file is missing (height 0, round 0, step 0, block_id none)
    const fresh = parseTmkmsState(
      '{"height":"0","round":"0","step":0,"block_id":{"hash":"","parts":{"total":0,"hash":""}}}',
    );
    assert.deepEqual(fresh, { height: 0n, round: 0, step: STEP.none });
  });

  test('what tmkms cannot load is refused: numbers for height or round, a step above 2, no block_id', () => {
    assert.throws(
      () => parseTmkmsState('{"height":361402,"round":"0","step":2,"block_id":null}'),
      /height must be a decimal string/,
    );
    // CometBFT's own file has the round as a number: tmkms does not read it
    const cometbft = readFileSync(
      projectPath('test', 'fixtures', 'reference', 'cometbft', 'priv_validator_state.signed-example.json'),
      'utf8',
    );
    assert.throws(() => parseTmkmsState(cometbft), /round must be a decimal string/);
    assert.throws(() => parseTmkmsState('{"height":"1","round":"0","step":3,"block_id":null}'), /step must be 0 to 2/);
    assert.throws(() => parseTmkmsState('{"height":"1","round":"0","step":2}'), /missing field `block_id`/);
  });

  test('a carried watermark round-trips, and at it tmkms signs no block, only above', () => {
    const carried = { height: 213n, round: 2147483647, step: STEP.precommit };
    const text = serializeTmkmsState(carried);
    assert.match(text, /^\{"height":"213","round":"2147483647","step":2,"block_id":/);
    const back = parseTmkmsState(text);
    assert.equal(compareHRS(back, carried), 0);
    const at = (height: bigint, round: number, step: number, blockId?: string) =>
      tmkmsCheck(back, { height, round, step, ...(blockId ? { blockId } : {}) });
    assert.deepEqual(at(213n, 2147483647, STEP.precommit, 'ABCDEF0123'), {
      ok: false,
      endsSession: false,
      why: 'double sign detected: Attempting to sign a second proposal at height:213 round:2147483647 step:2 old block id:<nil> new block ABCDEF0123',
    });
    assert.deepEqual(at(212n, 0, STEP.prevote), {
      ok: false,
      endsSession: true,
      why: 'attempted double sign: height regression: last height:213 new height:212',
    });
    assert.deepEqual(at(214n, 0, STEP.propose), { ok: true });
  });

  test('a prevote for one block, then a precommit for another at the same height and round: refused, as tmkms does; a nil precommit after it is not', () => {
    const s = { height: 100n, round: 0, step: STEP.prevote, blockId: 'AAAA' };
    const other = tmkmsCheck(s, { height: 100n, round: 0, step: STEP.precommit, blockId: 'BBBB' });
    assert.equal(other.ok, false);
    assert.match(
      (other as { why: string }).why,
      /^double sign detected: .* at height:100 round:0 step:2 old block id:AAAA new block BBBB$/,
    );
    assert.deepEqual(tmkmsCheck(s, { height: 100n, round: 0, step: STEP.precommit }), { ok: true });
    assert.deepEqual(tmkmsCheck(s, { height: 100n, round: 0, step: STEP.precommit, blockId: 'AAAA' }), { ok: true });
  });

  test('round and step regressions end the session, in its words (the step one says "round regression", as tmkms does)', () => {
    const s = { height: 100n, round: 2, step: STEP.prevote };
    assert.match(
      String((tmkmsCheck(s, { height: 100n, round: 1, step: STEP.precommit }) as { why: string }).why),
      /round regression: round regression at height:100 last round:2 new round:1$/,
    );
    const step = tmkmsCheck(s, { height: 100n, round: 2, step: STEP.propose });
    assert.equal(step.ok, false);
    assert.equal(
      (step as { why: string }).why,
      'attempted double sign: step regression: round regression at height:100 round:2 last step:1 new step:0',
    );
  });
});

describe('horcrux state files', () => {
  test("read as horcrux writes them (strings, CometBFT's steps); CometBFT's own file, with a numeric round, is not one", () => {
    assert.deepEqual(parseHorcruxState('{"height":"361402","round":"0","step":3,"nonce_public":null}'), {
      height: 361402n,
      round: 0,
      step: STEP.precommit,
    });
    assert.throws(() => parseHorcruxState('{"height":"1","round":0,"step":3}'), /round must be a decimal string/);
  });

  test("a carry goes in through `horcrux state import`: CometBFT's form, then a blank line", () => {
    const input = horcruxImportInput({ height: 213n, round: 3, step: STEP.precommit });
    assert.ok(input.endsWith('}\n\n'));
    assert.deepEqual(parseSignState(input.trim()), { height: 213n, round: 3, step: 3 });
  });

  test('a cosigner refuses any regression, and the same step again only for the same bytes, in its words', () => {
    const s = { height: 50n, round: 1, step: STEP.prevote, signbytes: 'AA' };
    assert.deepEqual(horcruxCheck(s, { height: 49n, round: 0, step: 1 }), {
      ok: false,
      endsSession: false,
      why: 'height regression. Got 49, last height 50',
    });
    assert.equal(
      (horcruxCheck(s, { height: 50n, round: 0, step: 3 }) as { why: string }).why,
      'round regression at height 50. Got 0, last round 1',
    );
    assert.equal(
      (horcruxCheck(s, { height: 50n, round: 1, step: 1 }) as { why: string }).why,
      'step regression at height 50, round 1. Got 1, last step 2',
    );
    assert.deepEqual(horcruxCheck(s, { height: 50n, round: 1, step: 2, signbytes: 'AA' }), { ok: true });
    assert.equal(
      (horcruxCheck(s, { height: 50n, round: 1, step: 2, signbytes: 'BB' }) as { why: string }).why,
      'conflicting data. existing: AA - new: BB',
    );
    assert.equal(
      (horcruxCheck({ ...s, signbytes: undefined } as never, { height: 50n, round: 1, step: 2 }) as { why: string })
        .why,
      'no SignBytes found',
    );
    assert.deepEqual(horcruxCheck(s, { height: 51n, round: 0, step: 1 }), { ok: true });
  });
});
