/**
 * The chain's word from several CometBFT sources, each fed the answers a node gives in
 * CometBFT's own format (the simulated RPC, validated against the description in
 * cometbft-rpc.test.ts): a signed height, a missed one, a source behind, two sources that
 * disagree, duplicate-vote evidence, a validator out of the set.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChainBlock } from '../../src/lab/chain/blocks.js';
import { ChainView } from '../../src/lab/sim/chain-view.js';
import { otherValidators, rpcAnswer, type RpcNode } from '../../src/lab/sim/cometbft-rpc.js';
import { cometbftRequests } from '../../src/observe/cometbft.js';
import { absorbCometbft, type SourceState } from '../../src/observe/cometbft-source.js';
import type { ApiAnswer } from '../../src/observe/http-on-host.js';
import { judge } from '../../src/observe/judge.js';
import type { SourceView } from '../../src/observe/model.js';
import { chainBlock, timeOf } from '../support/chain-blocks.js';

const HUB = 'C0FFEE'.padEnd(40, '0');
const OSMO = 'D00D'.padEnd(40, '1');
const book = new Map([
  [HUB, 'cosmoshub'],
  [OSMO, 'osmosis'],
]);
const T = (h: number) => timeOf(h, 6000);
const block = (height: number, signed: string[], evidence: ChainBlock['evidence'] = []) =>
  chainBlock(height, signed, evidence, 6000);

function node(blocks: ChainBlock[], validators = ['cosmoshub', 'osmosis']): RpcNode {
  const view = new ChainView();
  for (const b of blocks) view.add(b);
  const all = [
    { identity: 'cosmoshub', address: HUB, publicKey: 'AA==', power: 10 },
    { identity: 'osmosis', address: OSMO, publicKey: 'AQ==', power: 10 },
  ].filter((v) => validators.includes(v.identity));
  return {
    chainId: 'cosmoshub-4',
    moniker: 'n',
    nodeId: '0'.repeat(40),
    listenAddr: '',
    rpcAddr: '',
    own: { address: 'E'.repeat(40), publicKey: 'AA==' },
    validators: [...all, ...otherValidators('cosmoshub-4')],
    view,
    catchingUp: false,
  };
}

/** A source read over rounds as the observer reads it: each round asks the status, the set and 32 blocks. */
function source(name: string, rpc: RpcNode, rounds = 3): SourceView {
  const s: SourceState = {
    view: {
      source: name,
      client: 'cometbft',
      heights: new Map(),
      blockTimes: new Map(),
      equivocations: [],
      flags: new Map(),
      notes: [],
    },
  };
  for (let i = 0; i < rounds; i++) {
    const requests = cometbftRequests(
      26657,
      s.next === undefined ? [] : Array.from({ length: 32 }, (_, k) => s.next! + k),
    );
    const answers = new Map<string, ApiAnswer>(requests.map((r) => [r.tag, rpcAnswer(rpc, r.path)]));
    absorbCometbft(s, answers, { book, network: 'cosmoshub-4', window: 50 });
  }
  return s.view;
}

const chain = (
  n: number,
  missedBy: Record<number, string[]> = {},
  evidence: Record<number, ChainBlock['evidence']> = {},
) =>
  Array.from({ length: n }, (_, i) =>
    block(
      i + 1,
      ['cosmoshub', 'osmosis'].filter((id) => !missedBy[i + 1]?.includes(id)),
      evidence[i + 1],
    ),
  );
const options = { identities: ['cosmoshub', 'osmosis'], lagLimit: 3, window: 50 };

describe('judging the chain from its sources', () => {
  test('a signed height and a missed one; the head; the pace the blocks show', () => {
    const blocks = chain(20, { 7: ['cosmoshub'], 12: ['cosmoshub', 'osmosis'] });
    const r = judge([source('sentry-a', node(blocks)), source('sentry-b', node(blocks))], options);
    assert.equal(r.head, 20);
    assert.equal(r.finalized, 20);
    assert.equal(r.observedBlockMs, 6000);
    assert.deepEqual(r.disagreements, []);
    const hub = r.identity('cosmoshub')!;
    // block 20 commits height 19: the head's own signatures are not final yet
    assert.equal(hub.lastHeight, 19);
    assert.deepEqual(hub.window, { from: 1, to: 19 });
    assert.deepEqual(hub.missedHeights, [7, 12]);
    assert.equal(hub.missed, 2);
    assert.equal(hub.signed, 17);
    assert.deepEqual(r.identity('osmosis')!.missedHeights, [12]);
    assert.equal(r.identity('nobody'), undefined);
  });

  test('a source behind, and two sources that show a height differently, are reported, never averaged', () => {
    const full = chain(30);
    const behind = chain(20);
    const other = chain(30, { 25: ['cosmoshub'] });
    const r = judge(
      [source('sentry-a', node(full)), source('sentry-b', node(behind)), source('sentry-c', node(other))],
      options,
    );
    assert.equal(r.head, 30);
    assert.ok(r.disagreements.includes('sentry-b is 10 heights behind the others (its head 20, the highest 30)'));
    assert.ok(r.disagreements.includes('height 25: sentry-a shows cosmoshub signed, sentry-c does not'));
    // one source's signature counts: the height is not missed, and the disagreement says why
    assert.equal(r.identity('cosmoshub')!.missed, 0);
  });

  test("duplicate-vote evidence in one source's blocks is an equivocation, named with its block and source", () => {
    const evidence = { 9: [{ identity: 'cosmoshub', height: 7, round: 0, at: T(8) }] };
    const r = judge(
      [source('sentry-a', node(chain(12, {}, evidence))), source('sentry-b', node(chain(12, {}, evidence)))],
      options,
    );
    assert.deepEqual(r.identity('cosmoshub')!.equivocations, [
      {
        identity: 'cosmoshub',
        height: 7,
        what: 'duplicate-vote evidence in block 9',
        sources: ['sentry-a', 'sentry-b'],
      },
    ]);
    assert.deepEqual(r.identity('osmosis')!.equivocations, []);
  });

  test('a validator out of the set read whole is flagged; a source that disagrees is reported', () => {
    const blocks = chain(10);
    const r = judge([source('sentry-a', node(blocks, ['osmosis'])), source('sentry-b', node(blocks))], options);
    assert.deepEqual(r.identity('cosmoshub')!.flags, [
      'not in the validator set (jailed, tombstoned or unbonded) (sentry-a)',
    ]);
    assert.ok(r.disagreements.some((d) => d.startsWith('cosmoshub: sentry-a says not in the validator set')));
  });

  test('a source on another chain, or with no RPC, is no source; the others still judge', () => {
    const wrong = { ...node(chain(10)), chainId: 'theta-testnet-001' };
    const dead: SourceView = { ...source('sentry-c', node(chain(10)), 0), error: 'unreachable: timed out' };
    const r = judge([source('sentry-a', wrong), source('sentry-b', node(chain(10))), dead], options);
    assert.equal(r.sources[0]!.error, 'its node is on theta-testnet-001, not cosmoshub-4');
    assert.equal(r.sources[2]!.error, 'unreachable: timed out');
    assert.equal(r.head, 10);
    assert.equal(r.identity('cosmoshub')!.lastHeight, 9);
  });

  test('a source that hands back a block it was not asked for is not believed past it', () => {
    const rpc = node(chain(10));
    const s: SourceState = { view: source('sentry-a', rpc, 0) };
    s.next = 5;
    const answers = new Map<string, ApiAnswer>([
      ['status', rpcAnswer(rpc, '/status')],
      ['block/5', rpcAnswer(rpc, '/block?height=8')],
    ]);
    absorbCometbft(s, answers, { book, network: 'cosmoshub-4', window: 50 });
    assert.equal(s.next, 5);
    assert.deepEqual(s.view.notes, ['asked for block 5, it gave 8']);
    assert.equal(s.view.heights.size, 0);
  });
});
