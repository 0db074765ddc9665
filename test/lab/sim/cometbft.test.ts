/** The simulated cometbft signer keeps its watermark: the new one is on disk before a signature leaves. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cometbftKey } from '../../../src/lab/keys.js';
import { cometbftStartError, cometbftValidator } from '../../../src/lab/sim/cometbft.js';
import type { Offer, SimContext } from '../../../src/lab/sim/context.js';
import type { LabState } from '../../../src/lab/state.js';

const at = (height: number, round = 0, replay = false): Offer => ({ height, round, replay });

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
      const v = cometbftValidator(ctx);
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
    assert.deepEqual(await cometbftValidator(ctx).onHeight(at(3)), { signing: false });
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
      const v = cometbftValidator({
        lab: { name: 'lab', identities: [{ name: 'id', members: ['v'], keyAddress: key.address }] },
        host: { name: 'v' },
        config: { keyFile, stateFile },
        peersUp: () => 1,
        submit: (s: { height: number }) => sent.push(s.height),
        log: () => undefined,
        signer: 'v#1',
      } as unknown as SimContext);
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
      const v = cometbftValidator({
        lab: { name: 'lab', identities: [{ name: 'id', members: ['v'], keyAddress: key.address }] },
        host: { name: 'v' },
        config: { keyFile, stateFile },
        peersUp: () => 1,
        submit: (s: { height: number }) => events.push(`signed ${s.height}`),
        log: () => undefined,
        signer: 'v#1',
        rejoin: () => events.push('rejoin'),
      } as unknown as SimContext);
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
