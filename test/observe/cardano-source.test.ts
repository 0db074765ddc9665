/**
 * One Ogmios source over rounds: it starts at the tip, follows each new block by chain-sync with
 * its issuer's pool, undoes a roll back, finds two blocks of one pool at one slot across a fork,
 * starts again when no point it offers is on the chain; judged without a missed count, and the
 * status report says a pool without a recent block is no alarm on cardano.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainView } from '../../src/lab/sim/chain-view.js';
import {
  chainSyncAnswer,
  healthAnswer,
  labBlockId,
  newCursor,
  ogmiosHttpAnswer,
  type OgmiosNode,
} from '../../src/lab/sim/ogmios-api.js';
import {
  absorbClock,
  absorbHealth,
  absorbSync,
  clockRequests,
  freshCardanoState,
  syncMessages,
  type CardanoSourceState,
} from '../../src/observe/cardano-source.js';
import { judge } from '../../src/observe/judge.js';
import { poolIdOf } from '../../src/observe/ogmios.js';
import { freshView, signaturesIn } from '../../src/observe/ask.js';
import type { ResolvedHost } from '../../src/inventory/resolve.js';
import { chainBlock } from '../support/chain-blocks.js';

const POOL = 'pool';
const KEY = 'c0'.repeat(32);
const book = new Map([[poolIdOf(KEY), POOL]]);

function relay(heights: number, ours: (h: number) => boolean): OgmiosNode {
  const view = new ChainView();
  for (let h = 1; h <= heights; h++) view.add(chainBlock(h, ours(h) ? [POOL] : [], [], 100));
  return { view, pools: [{ identity: POOL, verificationKey: KEY, opcertCount: 0, kesPeriod: 0 }] };
}
const healthOf = (node: OgmiosNode) => {
  const a = healthAnswer(node, {
    connected: true,
    startTime: '2026-12-02T07:00:00.000Z',
    lastTipUpdate: '2026-12-02T07:00:01.000Z',
    tipAgeMs: 0,
    slotMs: 100,
    network: 'mainnet',
    totalConnections: 0,
  });
  return { status: a.status, body: a.body };
};
/** One round as the observer makes it, answered by the lab's Ogmios over one WebSocket (one cursor). */
function round(s: CardanoSourceState, node: OgmiosNode): string[] | undefined {
  absorbHealth(s, healthOf(node));
  const messages = syncMessages(s);
  if (!messages) return undefined;
  const cursor = newCursor();
  const answers = messages.map((m) => chainSyncAnswer(node, cursor, m));
  assert.ok(!answers.includes('wait'), 'the observer asked for a block that is not there yet');
  absorbSync(s, answers as string[], book);
  return messages;
}
const rpc = (method: string, result: unknown) => JSON.stringify({ jsonrpc: '2.0', method, result });
const source = () => freshCardanoState(freshView({ name: 'relay-1', client: 'cardano-node' } as ResolvedHost));

describe('an Ogmios source over rounds', () => {
  test('starts at the tip, then reads each new block with its pool; nothing asked when nothing is new', () => {
    const node = relay(20, (h) => h % 2 === 0);
    const s = source();
    const first = round(s, node)!;
    assert.equal(first.length, 2, 'findIntersection at the tip, one nextBlock (the roll back to it)');
    assert.equal(s.view.head, 20);
    assert.equal(s.view.heights.size, 0, 'Ogmios has no block by number: nothing before the tip');
    for (let h = 21; h <= 25; h++) node.view.add(chainBlock(h, h % 2 === 0 ? [POOL] : [], [], 100));
    const second = round(s, node)!;
    assert.equal(second.length, 1 + 5 + 1, 'findIntersection, the roll back, five blocks');
    assert.deepEqual([...s.view.heights.keys()], [21, 22, 23, 24, 25]);
    assert.deepEqual(
      [...s.view.heights.entries()].filter(([, r]) => r.signed.has(POOL)).map(([h]) => h),
      [22, 24],
    );
    assert.equal(s.view.heights.get(23)!.hash, labBlockId(23));
    assert.equal(round(s, node), undefined, 'no new block: no conversation');
    const reading = judge([s.view], { identities: [POOL], lagLimit: 60, window: 50, countsMissed: false });
    const id = reading.identity(POOL)!;
    assert.equal(id.lastHeight, 24);
    assert.equal(id.signed, 2);
    assert.equal(id.window, undefined, 'no window: a slot the pool did not lead is no miss');
    assert.equal(reading.showsMisses, false);
  });

  test('a roll back undoes the slots above it; two blocks of the pool at one slot are a double sign', () => {
    const node = relay(10, () => true);
    const s = source();
    round(s, node);
    node.view.add(chainBlock(11, [POOL], [], 100));
    node.view.add(chainBlock(12, [POOL], [], 100));
    round(s, node);
    assert.deepEqual([...s.view.heights.keys()], [11, 12]);
    // the relay switches to a fork from 10: slot 11 again, another block of the same pool
    const forkTip = { slot: 11, id: 'ab'.repeat(32), height: 11 };
    absorbSync(
      s,
      [
        rpc('findIntersection', { intersection: { slot: 12, id: labBlockId(12) }, tip: forkTip }),
        rpc('nextBlock', { direction: 'backward', point: { slot: 10, id: labBlockId(10) }, tip: forkTip }),
        JSON.stringify({
          jsonrpc: '2.0',
          method: 'nextBlock',
          result: {
            direction: 'forward',
            tip: { slot: 11, id: 'ab'.repeat(32), height: 11 },
            block: {
              ...(JSON.parse(chainSyncForward(node, 11)) as { result: { block: Record<string, unknown> } }).result
                .block,
              id: 'ab'.repeat(32),
            },
          },
        }),
      ],
      book,
    );
    assert.deepEqual([...s.view.heights.keys()], [11], 'slot 12 is gone with the fork it was on');
    assert.equal(s.view.heights.get(11)!.hash, 'ab'.repeat(32));
    assert.equal(s.view.equivocations.length, 1);
    assert.equal(s.view.equivocations[0]!.identity, POOL);
    assert.equal(s.view.equivocations[0]!.height, 11);
    const reading = judge([s.view], { identities: [POOL], lagLimit: 60, window: 50, countsMissed: false });
    assert.equal(reading.identity(POOL)!.equivocations.length, 1);
  });

  test("the pool's highest operational-certificate counter among its blocks, as the chain shows it", () => {
    const node = relay(5, () => true);
    const s = source();
    round(s, node);
    const forged = (h: number, counter: number) => ({
      ...chainBlock(h, [POOL], [], 100),
      signed: [{ identity: POOL, round: 0, at: chainBlock(h, [], [], 100).time, counter }],
    });
    node.view.add(forged(6, 0));
    node.view.add(forged(7, 1));
    node.view.add(forged(8, 1));
    round(s, node);
    assert.equal(s.view.counters?.get(POOL), 1);
    const other = source();
    other.view.counters = new Map([[POOL, 3]]);
    other.view.head = 8;
    const reading = judge([s.view, other.view], { identities: [POOL], lagLimit: 60, window: 50, countsMissed: false });
    assert.equal(reading.identity(POOL)!.opcertCounter, 3, 'the highest any source showed');
  });

  test('no point it offers is on the chain any more: it follows again from the tip', () => {
    const node = relay(10, () => true);
    const s = source();
    round(s, node);
    node.view.add(chainBlock(11, [POOL], [], 100));
    round(s, node);
    // another relay's chain entirely: none of the points offered is on it
    const other: OgmiosNode = { ...relay(30, () => false) };
    other.view = new ChainView();
    for (let h = 1; h <= 30; h++) other.view.add({ ...chainBlock(h, [], [], 100) });
    s.trail = s.trail.map((p) => ({ ...p, id: 'ee'.repeat(32) }));
    round(s, other);
    assert.match(s.view.notes.join('\n'), /no intersection with the blocks followed: following again from the tip/);
    assert.equal(s.trail.length, 0);
    round(s, other);
    assert.equal(s.trail[0]?.slot, 30, 'following again, from the tip');
  });

  test('Ogmios without its node, or an answer of another shape, is an error of the source', () => {
    const s = source();
    absorbHealth(s, {
      status: 500,
      body: healthOf(relay(3, () => true)).body.replace('"connected"', '"disconnected"'),
    });
    assert.equal(s.view.error, 'Ogmios has no connection to its node');
    absorbHealth(s, { status: 200, body: 'not json' });
    assert.equal(s.view.error, 'Ogmios: /health is not JSON');
    absorbHealth(s, { error: 'the API closed the connection without answering' });
    assert.match(s.view.error!, /closed the connection/);
    absorbHealth(s, healthOf(relay(3, () => true)));
    assert.equal(s.view.error, undefined);
    absorbSync(s, ['{"jsonrpc":"2.0","method":"findIntersection","result":"yes"}'], book);
    assert.match(s.view.notes.at(-1)!, /findIntersection: the result is not an object/);
  });
});

/** The lab's forward answer for `height`, by a fresh cursor just below it. */
function chainSyncForward(node: OgmiosNode, height: number): string {
  const cursor = { at: height - 1 };
  return chainSyncAnswer(node, cursor, JSON.stringify({ jsonrpc: '2.0', method: 'nextBlock' })) as string;
}

describe("an Ogmios source's slot times", () => {
  test("read once from the system start and the eras; each of the pool's blocks signed when its slot began", () => {
    const node: OgmiosNode = { ...relay(20, (h) => h % 2 === 0), systemStart: '2026-12-02T07:00:00.000Z', slotMs: 100 };
    const s = source();
    const asked = clockRequests(s);
    assert.deepEqual(
      asked.map((r) => JSON.parse(r.body!).method),
      ['queryNetwork/startTime', 'queryLedgerState/eraSummaries'],
    );
    const [start, eras] = asked.map((r) => ogmiosHttpAnswer(node, r.body!));
    absorbClock(s, start, eras);
    assert.deepEqual(clockRequests(s), [], 'known: not asked again');
    round(s, node);
    for (let h = 21; h <= 24; h++) node.view.add(chainBlock(h, h % 2 === 0 ? [POOL] : [], [], 100));
    round(s, node);
    assert.deepEqual(signaturesIn([s.view], POOL, 0), [
      { height: 22, at: '2026-12-02T07:00:02.200Z' },
      { height: 24, at: '2026-12-02T07:00:02.400Z' },
    ]);
  });

  test('without them the blocks have no time, said once; a block beyond the eras known asks again', () => {
    const node = relay(20, (h) => h % 2 === 0); // an Ogmios that does not answer the queries
    const s = source();
    for (let i = 0; i < 3; i++) {
      const [start, eras] = clockRequests(s).map((r) => ogmiosHttpAnswer(node, r.body!));
      absorbClock(s, start, eras);
    }
    assert.equal(s.view.notes.filter((n) => n.startsWith('no slot times')).length, 1, s.view.notes.join('; '));
    round(s, node);
    node.view.add(chainBlock(21, [POOL], [], 100));
    round(s, node);
    assert.deepEqual(signaturesIn([s.view], POOL, 0), [{ height: 21, at: '' }]);
    const bounded = source();
    bounded.clock = { startMs: 0, eras: [{ startSlot: 0, startSeconds: 0, endSlot: 21, slotMs: 100 }] };
    round(bounded, node);
    node.view.add(chainBlock(22, [POOL], [], 100));
    round(bounded, node);
    assert.equal(bounded.clock, undefined, 'slot 22 is beyond the era that ends at 21: the eras are read again');
    assert.notEqual(clockRequests(bounded).length, 0);
  });
});

describe("the lab relay's fork at a slot two producers of the pool forged", () => {
  test('served as a slot battle: the losing block, a roll back, the adopted one; the source sees a double sign', () => {
    const node = relay(20, (h) => h % 2 === 0);
    const s = source();
    round(s, node); // at the tip, 20
    // slot 22: the active's block and a second producer's with the same keys (a copied key)
    for (let h = 21; h <= 23; h++) {
      const b = chainBlock(h, h % 2 === 0 ? [POOL] : [], [], 100);
      if (h === 22) b.also = [{ identity: POOL, round: 0, at: b.time }];
      node.view.add(b);
    }
    // enough nextBlocks for the fork's two extra answers
    absorbHealth(s, healthOf(node));
    const cursor = newCursor();
    const messages = syncMessages(s)!;
    const more = [...messages, ...messages.slice(-2)];
    const answers = more.map((m) => chainSyncAnswer(node, cursor, m));
    absorbSync(s, answers as string[], book);
    const kinds = answers.slice(1).map((a) => {
      const r = JSON.parse(a as string).result;
      return r.direction === 'backward'
        ? `back to ${r.point.slot}`
        : `${r.block.slot}${r.block.id === labBlockId(r.block.slot) ? '' : ' (fork)'}`;
    });
    assert.deepEqual(kinds, ['back to 20', '21', '22 (fork)', 'back to 21', '22', '23']);
    assert.equal(s.view.heights.get(22)!.hash, labBlockId(22), 'the adopted block is the one on its chain');
    assert.deepEqual(
      s.view.equivocations.map((e) => [e.identity, e.height]),
      [[POOL, 22]],
    );
    assert.match(s.view.equivocations[0]!.what, /two blocks of its pool at slot 22/);
    // a source that starts after the slot sees one block only: only a node that saw both can tell
    const late = source();
    round(late, node);
    assert.deepEqual(late.view.equivocations, []);
  });
});
