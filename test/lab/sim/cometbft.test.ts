/** The simulated cometbft signer keeps its watermark: the new one is on disk before a signature leaves. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cometbftKey } from '../../../src/lab/keys.js';
import {
  privValidatorAddress,
  cometbftStartError,
  cometbftValidator,
  signatureInPastBlocks,
  type ValidatorOptions,
} from '../../../src/lab/sim/cometbft.js';
import { ChainView } from '../../../src/lab/sim/chain-view.js';
import type { Offer, SimContext } from '../../../src/lab/sim/context.js';
import type { LabState } from '../../../src/lab/state.js';
import { chainBlock } from '../../support/chain-blocks.js';

const at = (height: number, round = 0, replay = false): Offer => ({ height, round, replay });

/** A node that holds every block below what it is offered, none of them signed by its key, the look-back off. */
const unchecked: ValidatorOptions = {
  view: { head: Number.MAX_SAFE_INTEGER, behind: false, get: () => undefined },
  checkHeight: () => 0,
  refuseStart: (why) => assert.fail(`refused to start: ${why}`),
};

describe('simulated signers keep their watermark', () => {
  test('cometbft: refuses at or below the state file, and writes the new watermark before the signature leaves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
    try {
      const key = cometbftKey();
      const keyFile = join(dir, 'priv_validator_key.json');
      const stateFile = join(dir, 'data', 'priv_validator_state.json');
      writeFileSync(keyFile, key.text);
      const sent: string[] = [];
      const lab = {
        name: 'lab',
        identities: [{ name: 'id', members: ['v'], keyAddress: key.address }],
      } as unknown as LabState;
      const ctx: SimContext = {
        lab,
        host: { name: 'v', tier: 'validator', root: dir, addresses: [], sshPort: 22 },
        config: { client: 'cometbft', role: 'cometbft', listen: [], metrics: [], peers: [], keyFile, stateFile },
        peersUp: () => 1,
        submit: (s) => {
          // by the time a signature is submitted, the watermark on disk already covers it
          assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).height, String(s.height));
          sent.push(`${s.height}/${s.round ?? 0}`);
        },
        log: () => undefined,
        signer: 'v#1',
        rejoin: () => undefined,
      };
      const v = cometbftValidator(ctx, unchecked);
      await v.onHeight(at(5));
      await v.onHeight(at(5, 0, true)); // the same height again: nothing new
      await v.onHeight(at(4, 0, true)); // below: refused
      await v.onHeight(at(7));
      writeFileSync(stateFile, JSON.stringify({ height: '100', round: 0, step: 3 }));
      const outcome = await v.onHeight(at(100));
      await v.onHeight(at(99, 0, true));
      await v.onHeight(at(101));
      await v.onHeight(at(101, 1)); // a new round at the same height: signed
      const lower = await v.onHeight(at(101, 0, true)); // the same height at a lower round: refused
      assert.deepEqual(sent, ['5/0', '7/0', '101/0', '101/1']);
      assert.match(outcome.note ?? '', /watermark at 100/);
      assert.match(lower.note ?? '', /watermark at 101\/1: refusing 101\/0/);
      assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).round, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cometbft: a host without the key signs nothing', async () => {
    const sent: number[] = [];
    const ctx = {
      lab: { identities: [] },
      host: { name: 'v' },
      config: { keyFile: '/nonexistent/key.json', stateFile: '/nonexistent/state.json' },
      peersUp: () => 1,
      submit: (s: { height: number }) => sent.push(s.height),
      log: () => undefined,
      signer: 'v#1',
    } as unknown as SimContext;
    assert.deepEqual(await cometbftValidator(ctx, unchecked).onHeight(at(3)), { signing: false });
    assert.deepEqual(sent, []);
  });

  test('cometbft will not start with its key but without a readable state (privval loadFilePV), and starts without a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
    try {
      const keyFile = join(dir, 'priv_validator_key.json');
      const stateFile = join(dir, 'priv_validator_state.json');
      assert.equal(cometbftStartError(keyFile, stateFile), undefined, 'no key: a full node starts');
      writeFileSync(keyFile, cometbftKey().text);
      assert.match(cometbftStartError(keyFile, stateFile) ?? '', /no such file or directory/);
      writeFileSync(stateFile, '{"height":');
      assert.match(cometbftStartError(keyFile, stateFile) ?? '', /^Error reading PrivValidator state from /);
      writeFileSync(stateFile, '{"height":"0","round":0,"step":0}');
      assert.equal(cometbftStartError(keyFile, stateFile), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cometbft: a state file lost under a running signer changes nothing: the watermark is in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
    try {
      const key = cometbftKey();
      const keyFile = join(dir, 'priv_validator_key.json');
      const stateFile = join(dir, 'priv_validator_state.json');
      writeFileSync(keyFile, key.text);
      writeFileSync(stateFile, '{"height":"0","round":0,"step":0}');
      const sent: number[] = [];
      const v = cometbftValidator(
        {
          lab: { name: 'lab', identities: [{ name: 'id', members: ['v'], keyAddress: key.address }] },
          host: { name: 'v' },
          config: { keyFile, stateFile },
          peersUp: () => 1,
          submit: (s: { height: number }) => sent.push(s.height),
          log: () => undefined,
          signer: 'v#1',
        } as unknown as SimContext,
        unchecked,
      );
      await v.onHeight(at(9));
      rmSync(stateFile);
      await v.onHeight(at(8, 0, true));
      await v.onHeight(at(9, 0, true));
      await v.onHeight(at(10));
      assert.deepEqual(sent, [9, 10]);
      assert.match(readFileSync(stateFile, 'utf8'), /"10"/, 'written anew at the next signature');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cometbft: a key moved in under the running node is loaded as at a start: its state checked, the chain met again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
    try {
      const key = cometbftKey();
      const keyFile = join(dir, 'priv_validator_key.json');
      const stateFile = join(dir, 'priv_validator_state.json');
      const events: string[] = [];
      const v = cometbftValidator(
        {
          lab: { name: 'lab', identities: [{ name: 'id', members: ['v'], keyAddress: key.address }] },
          host: { name: 'v' },
          config: { keyFile, stateFile },
          peersUp: () => 1,
          submit: (s: { height: number }) => events.push(`signed ${s.height}`),
          log: () => undefined,
          signer: 'v#1',
          rejoin: () => events.push('rejoin'),
        } as unknown as SimContext,
        unchecked,
      );
      assert.deepEqual(await v.onHeight(at(5)), { signing: false }, 'no key: a full node');
      writeFileSync(keyFile, key.text); // moved in, and no state beside it
      const refused = await v.onHeight(at(6));
      assert.equal(refused.signing, false);
      assert.match(refused.note ?? '', /CometBFT would not start: open .*no such file or directory/);
      writeFileSync(stateFile, '{"height":"6","round":0,"step":3}');
      const loaded = await v.onHeight(at(7));
      assert.match(loaded.note ?? '', /loaded as at a start/);
      assert.deepEqual(events, ['rejoin'], 'nothing signed at the height it loaded on: the chain offers it again');
      await v.onHeight(at(6, 0, true));
      await v.onHeight(at(7, 0, true));
      assert.deepEqual(events, ['rejoin', 'signed 7']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("CometBFT's look-back before it joins consensus (double_sign_check_height)", () => {
  const ID = 'id';
  const viewOf = (top: number, signedAt: number[]) => {
    const view = new ChainView();
    for (let h = 1; h <= top; h++) view.add(chainBlock(h, signedAt.includes(h) ? [ID] : []));
    return view;
  };

  test('as consensus/state.go reads it: heights H-1 down to H-(n-1), capped at H; 0 is off', () => {
    const view = viewOf(30, [20]);
    const found = (height: number, n: number) => signatureInPastBlocks((h) => view.get(h), ID, height, n);
    assert.equal(found(21, 10), 20, 'the block just below');
    assert.equal(found(29, 10), 20, 'H-9: the deepest height a look-back of 10 reads');
    assert.equal(found(30, 10), undefined, 'H-10 is not read (the loop runs i < n)');
    assert.equal(found(21, 0), undefined, 'off');
    assert.equal(found(21, 1), undefined, 'a look-back of 1 reads nothing');
    assert.equal(found(22, 2), undefined);
    assert.equal(found(21, 2), 20);
    assert.equal(
      signatureInPastBlocks((h) => view.get(h), 'other', 21, 10),
      undefined,
      'only its own key counts',
    );
  });

  /** A validator process over `view`, with its key and a state file; what it signed and how it ended. */
  function validator(view: ChainView, checkHeight: number) {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
    const key = cometbftKey();
    const keyFile = join(dir, 'priv_validator_key.json');
    const stateFile = join(dir, 'priv_validator_state.json');
    writeFileSync(keyFile, key.text);
    writeFileSync(stateFile, '{"height":"0","round":0,"step":0}');
    const signed: string[] = [];
    const refused: string[] = [];
    const v = cometbftValidator(
      {
        lab: { name: 'lab', identities: [{ name: ID, members: ['v'], keyAddress: key.address }] },
        host: { name: 'v' },
        config: { keyFile, stateFile },
        peersUp: () => 1,
        submit: (s: { height: number; round?: number }) => signed.push(`${s.height}/${s.round ?? 0}`),
        log: () => undefined,
        signer: 'v#1',
        rejoin: () => undefined,
      } as unknown as SimContext,
      { view, checkHeight: () => checkHeight, refuseStart: (why) => refused.push(why) },
    );
    return { v, signed, refused, keyFile, key, done: () => rmSync(dir, { recursive: true, force: true }) };
  }

  test('a start within n heights of its own last signature is refused, as CometBFT panics; n heights later it joins', async () => {
    const view = viewOf(25, [20]);
    const node = validator(view, 10);
    try {
      const r = await node.v.onHeight(at(26));
      assert.equal(node.refused.length, 1);
      assert.match(
        node.refused[0]!,
        /^found signature from the same key at height 20 \(double_sign_check_height 10, joining at 26\)/,
      );
      assert.match(r.note ?? '', /would not start/);
      assert.deepEqual(node.signed, []);
      for (let h = 26; h <= 29; h++) view.add(chainBlock(h, []));
      node.refused.length = 0;
      await node.v.onHeight(at(30)); // the look-back from 30 reads 29..21: clear
      assert.deepEqual(node.refused, []);
      assert.deepEqual(node.signed, ['30/0']);
    } finally {
      node.done();
    }
  });

  test('nothing is signed while the node is still catching up (block sync), the look-back runs once it has', async () => {
    const view = new ChainView();
    const node = validator(view, 10);
    try {
      assert.match((await node.v.onHeight(at(5))).note ?? '', /catching up \(block sync\)/);
      for (let h = 1; h <= 3; h++) view.add(chainBlock(h, []));
      assert.match((await node.v.onHeight(at(5))).note ?? '', /catching up/, 'height 4 not held yet');
      view.add(chainBlock(4, []));
      await node.v.onHeight(at(5));
      assert.deepEqual(node.signed, ['5/0']);
    } finally {
      node.done();
    }
  });

  test('a height offered again before a new one is not signed (block sync has not seen the tip); once joined, one is looked back from', async () => {
    const early = validator(viewOf(30, []), 10);
    try {
      assert.match((await early.v.onHeight(at(21, 0, true))).note ?? '', /catching up/);
      await early.v.onHeight(at(31));
      assert.deepEqual(early.signed, ['31/0']);
    } finally {
      early.done();
    }
    const view = viewOf(24, [20]); // the key signed 20 (another holder)
    const node = validator(view, 3); // a look-back of 3 reads the two heights below
    try {
      await node.v.onHeight(at(25)); // 24 and 23 clear: joins, signs
      const again = await node.v.onHeight(at(21, 0, true));
      assert.match(
        again.note ?? '',
        /not signing 21: a node at that height would not have joined consensus \(found signature from the same key at height 20\)/,
      );
      const later = await node.v.onHeight(at(23, 0, true)); // 22 and 21 clear: the watermark answers
      assert.match(later.note ?? '', /watermark at 25/);
      assert.deepEqual(node.signed, ['25/0']);
    } finally {
      node.done();
    }
  });

  test('a key moved in under a running node while its holder signs: refused at every height, never ending the process', async () => {
    const view = viewOf(30, [26, 27, 28, 29, 30]);
    const node = validator(view, 10);
    try {
      rmSync(node.keyFile);
      await node.v.onHeight(at(31)); // a full node
      writeFileSync(node.keyFile, node.key.text);
      await node.v.onHeight(at(31)); // loaded as at a start
      for (let h = 31; h <= 35; h++) {
        view.add(chainBlock(h, [ID]));
        const r = await node.v.onHeight(at(h + 1));
        assert.match(r.note ?? '', /CometBFT would not start: found signature from the same key at height \d+/);
      }
      assert.deepEqual(node.refused, [], 'not the process start: the running full node carries on');
      assert.deepEqual(node.signed, []);
    } finally {
      node.done();
    }
  });
});

test("the simulated CometBFT believes the private key, not the file's address field, and will not load a key file without one", () => {
  const { text, address } = cometbftKey();
  assert.deepEqual(privValidatorAddress(text), { address });
  const lying = JSON.stringify({ ...JSON.parse(text), address: 'AB'.repeat(20) });
  assert.deepEqual(privValidatorAddress(lying), { address }, 'loadFilePV overwrites the address from the key');
  assert.match(
    privValidatorAddress(`{"address": "${address}", "note": "a copy"}`).error ?? '',
    /^panic: runtime error: invalid memory address/,
  );
  assert.match(privValidatorAddress('not json').error ?? '', /^Error reading PrivValidator key from \{file\}/);
});
