/**
 * Ogmios v6.13 as the observer reads it: the lab relay's answers validate against Ogmios's own
 * schemas and parse back to what the node holds; answers of another shape are refused field by
 * field; a pool's id is blake2b-224 of its cold key (checked against coreutils' b2sum) in bech32;
 * two blocks of one pool at one slot are found among the blocks a source followed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { bech32 } from '@scure/base';
import { ChainView } from '../../src/lab/sim/chain-view.js';
import {
  blockAt,
  healthAnswer,
  labBlockId,
  nextBlockAnswer,
  ogmiosHttpAnswer,
  type OgmiosHealthState,
  type OgmiosNode,
} from '../../src/lab/sim/ogmios-api.js';
import { serveNodeSocket } from '../../src/lab/sim/node-socket.js';
import { ogmiosServer } from '../../src/lab/sim/ogmios-node.js';
import type { LabState } from '../../src/lab/state.js';
import { waitFor } from '../../src/wait.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseWsConversation, wsScript } from '../../src/observe/ws-on-host.js';
import {
  equivocationsIn,
  ogmiosQuery,
  parseBlockHeight,
  parseNextBlock,
  chainSyncMessages,
  parseHealth,
  parseIntersection,
  parseEraSummaries,
  parseOperationalCertificates,
  parseStartTime,
  parseTip,
  poolIdOf,
  slotStartMs,
  type OgmiosBlock,
  type OgmiosHealth,
} from '../../src/observe/ogmios.js';
import { chainBlock } from '../support/chain-blocks.js';
import { ERRATA, HEALTH_ERRATA, healthSchema, ogmiosSchemas } from './ogmios-schema.js';
import { readFileSync } from 'node:fs';
import { projectPath } from '../../src/paths.js';

const POOL = 'mainnet-pool';
const KEY = 'a1'.repeat(16) + '0f'.repeat(16);
const validate = ogmiosSchemas();

function node(heights: number, missed: number[] = []): OgmiosNode {
  const view = new ChainView();
  for (let h = 1; h <= heights; h++) view.add(chainBlock(h, missed.includes(h) ? ['other'] : [POOL]));
  return { view, pools: [{ identity: POOL, verificationKey: KEY, opcertCount: 3, kesPeriod: 41 }] };
}
const ask = (n: OgmiosNode, method: string) => {
  const answer = ogmiosHttpAnswer(n, ogmiosQuery('q', method).body!);
  assert.equal(answer.status, 200, answer.body);
  return JSON.parse(answer.body);
};

describe('Ogmios v6.13: the lab relay answers as the schema says, the observer reads it back', () => {
  test("a pool's id: blake2b-224 of its cold key (as b2sum -l 224 computes it), bech32 with the prefix pool", () => {
    const b2 = spawnSync('b2sum', ['-l', '224'], { input: Buffer.from(KEY, 'hex'), encoding: 'utf8' });
    assert.equal(b2.status, 0, b2.stderr);
    const id = poolIdOf(KEY);
    assert.match(id, /^pool1[02-9ac-hj-np-z]{51}$/);
    const decoded = bech32.decode(id as `${string}1${string}`);
    assert.equal(decoded.prefix, 'pool');
    assert.equal(Buffer.from(bech32.fromWords(decoded.words)).toString('hex'), b2.stdout.split(/\s/)[0]);
    assert.throws(() => poolIdOf('zz'.repeat(32)), /64 hex digits/);
  });

  test('queryNetwork/tip, queryNetwork/blockHeight and queryLedgerState/operationalCertificates', () => {
    const n = node(7);
    const tip = ask(n, 'queryNetwork/tip');
    assert.deepEqual(validate('QueryNetworkTipResponse')(tip), []);
    assert.deepEqual(parseTip(tip), { slot: 7, id: labBlockId(7) });
    const height = ask(n, 'queryNetwork/blockHeight');
    assert.deepEqual(validate('QueryNetworkBlockHeightResponse')(height), []);
    assert.equal(parseBlockHeight(height), 7);
    const certs = ask(n, 'queryLedgerState/operationalCertificates');
    assert.deepEqual(validate('QueryLedgerStateOperationalCertificatesResponse')(certs), []);
    assert.deepEqual(parseOperationalCertificates(certs), new Map([[poolIdOf(KEY), 3]]));
    // a node with no block yet is at origin, in both answers
    const empty: OgmiosNode = { ...n, view: new ChainView() };
    assert.equal(parseTip(ask(empty, 'queryNetwork/tip')), 'origin');
    assert.deepEqual(validate('QueryNetworkBlockHeightResponse')(ask(empty, 'queryNetwork/blockHeight')), []);
    assert.equal(parseBlockHeight(ask(empty, 'queryNetwork/blockHeight')), 0);
  });

  test('queryNetwork/startTime and queryLedgerState/eraSummaries: when each slot began', () => {
    const n: OgmiosNode = { ...node(7), systemStart: '2026-12-02T10:00:00.000Z', slotMs: 500 };
    const start = ask(n, 'queryNetwork/startTime');
    assert.deepEqual(validate('QueryNetworkStartTimeResponse')(start), []);
    assert.equal(start.result, '2026-12-02T10:00:00Z', 'written as the node writes a UtcTime');
    const eras = ask(n, 'queryLedgerState/eraSummaries');
    assert.deepEqual(validate('QueryLedgerStateEraSummariesResponse')(eras), []);
    const clock = { startMs: parseStartTime(start) as number, eras: parseEraSummaries(eras) as never };
    assert.equal(new Date(slotStartMs(clock, 7)!).toISOString(), '2026-12-02T10:00:03.500Z');
    // mainnet's shape: Byron's 20 s slots to slot 4492800 (epoch 208), then 1 s slots, the last era unbounded
    const mainnet = {
      jsonrpc: '2.0',
      method: 'queryLedgerState/eraSummaries',
      result: [
        {
          start: { time: { seconds: 0 }, slot: 0, epoch: 0 },
          end: { time: { seconds: 89856000 }, slot: 4492800, epoch: 208 },
          parameters: { epochLength: 21600, slotLength: { milliseconds: 20000 }, safeZone: 4320 },
        },
        {
          start: { time: { seconds: 89856000 }, slot: 4492800, epoch: 208 },
          parameters: { epochLength: 432000, slotLength: { milliseconds: 1000 }, safeZone: 129600 },
        },
      ],
    };
    assert.deepEqual(validate('QueryLedgerStateEraSummariesResponse')(mainnet), []);
    const systemStart = Date.parse('2017-09-23T21:44:51Z');
    const main = { startMs: systemStart, eras: parseEraSummaries(mainnet) as never };
    assert.equal(new Date(slotStartMs(main, 1)!).toISOString(), '2017-09-23T21:45:11.000Z', 'a Byron slot: 20 s');
    // slot 4492800 + 100000000 s after the Shelley start
    assert.equal(slotStartMs(main, 4492800 + 100_000_000), systemStart + (89856000 + 100_000_000) * 1000);
    const bounded = { startMs: 0, eras: [{ startSlot: 0, startSeconds: 0, endSlot: 10, slotMs: 1000 }] };
    assert.equal(slotStartMs(bounded, 10), undefined, 'beyond the eras known: no time');
    // refused, field by field
    assert.ok(
      'error' in (parseStartTime({ jsonrpc: '2.0', method: 'queryNetwork/startTime', result: 'soon' }) as object),
    );
    const era = mainnet.result[1]!;
    for (const bad of [
      [],
      [{ ...era, parameters: { ...era.parameters, slotLength: { milliseconds: 0 } } }],
      [{ ...era, start: { slot: 1 } }],
      [mainnet.result[1], mainnet.result[0]], // out of order
      [{ ...mainnet.result[0], end: { ...mainnet.result[0]!.end, slot: 5 } }, era], // a gap
    ])
      assert.ok(
        'error' in (parseEraSummaries({ ...mainnet, result: bad }) as object),
        `refused: ${JSON.stringify(bad).slice(0, 120)}`,
      );
  });

  test("nextBlock: a praos block with its issuer's pool, opcert counter and KES period; another pool's block", () => {
    const n = node(5, [4]);
    const answer = JSON.parse(nextBlockAnswer(n, 3, 7)!);
    assert.deepEqual(validate('NextBlockResponse')(answer), []);
    const step = parseNextBlock(answer);
    assert.ok(!('error' in step) && step.direction === 'forward');
    assert.deepEqual(step.tip, { slot: 5, id: labBlockId(5), height: 5 });
    assert.deepEqual(step.block, {
      slot: 3,
      id: labBlockId(3),
      height: 3,
      ancestor: labBlockId(2),
      era: 'conway',
      issuer: { poolId: poolIdOf(KEY), verificationKey: KEY, opcertCount: 3, kesPeriod: 41 },
    });
    const other = parseNextBlock(JSON.parse(nextBlockAnswer(n, 4)!));
    assert.ok(!('error' in other) && other.direction === 'forward');
    assert.notEqual(other.block.issuer?.poolId, poolIdOf(KEY));
    assert.equal(nextBlockAnswer(n, 9), undefined);
    const back = {
      jsonrpc: '2.0',
      method: 'nextBlock',
      result: { direction: 'backward', tip: 'origin', point: 'origin' },
    };
    assert.deepEqual(validate('NextBlockResponse')(back), []);
    assert.deepEqual(parseNextBlock(back), { direction: 'backward', tip: 'origin', point: 'origin' });
  });

  test('answers of another shape are errors of the source, never read as a value', () => {
    const n = node(3);
    const good = JSON.parse(nextBlockAnswer(n, 2)!);
    const tip = ask(n, 'queryNetwork/tip');
    const bad: [string, unknown, (a: unknown) => unknown, RegExp][] = [
      [
        'an RPC error',
        JSON.parse(ogmiosHttpAnswer(n, '{"jsonrpc":"2.0","method":"nope"}').body),
        parseTip,
        /unknown method/,
      ],
      ['not JSON-RPC', { result: tip.result }, parseTip, /not a JSON-RPC/],
      ['the answer to another method', { ...tip, method: 'queryNetwork/blockHeight' }, parseTip, /another method/],
      ['a short block id', { ...tip, result: { slot: 1, id: 'ab' } }, parseTip, /not a point/],
      ['a negative slot', { ...tip, result: { slot: -1, id: labBlockId(1) } }, parseTip, /not a point/],
      [
        'a height as a string',
        { jsonrpc: '2.0', method: 'queryNetwork/blockHeight', result: '7' },
        parseBlockHeight,
        /not a block height/,
      ],
      [
        'a fractional counter',
        { jsonrpc: '2.0', method: 'queryLedgerState/operationalCertificates', result: { [poolIdOf(KEY)]: 1.5 } },
        parseOperationalCertificates,
        /not a pool's counter/,
      ],
      [
        'a pool id outside bech32',
        { jsonrpc: '2.0', method: 'queryLedgerState/operationalCertificates', result: { pool1bio: 1 } },
        parseOperationalCertificates,
        /not a pool's counter/,
      ],
      [
        'a block without an issuer',
        { ...good, result: { ...good.result, block: { ...good.result.block, issuer: undefined } } },
        parseNextBlock,
        /issuer/,
      ],
      [
        'an issuer key too short',
        {
          ...good,
          result: {
            ...good.result,
            block: { ...good.result.block, issuer: { ...good.result.block.issuer, verificationKey: 'ab' } },
          },
        },
        parseNextBlock,
        /issuer/,
      ],
      [
        'a block of an unknown type',
        { ...good, result: { ...good.result, block: { ...good.result.block, type: 'leios' } } },
        parseNextBlock,
        /unknown type/,
      ],
      ['neither direction', { ...good, result: { ...good.result, direction: 'sideways' } }, parseNextBlock, /neither/],
    ];
    for (const [what, answer, parse, words] of bad) {
      const r = parse(answer) as { error?: string };
      assert.match(r.error ?? '(parsed)', words, what);
    }
    // the lab's own refusals are Ogmios's error shape, once the schema's one erratum is corrected
    const refused = ogmiosHttpAnswer(n, 'not json');
    assert.equal(refused.status, 400);
    assert.deepEqual(validate('RpcError')(JSON.parse(refused.body)), []);
    const published = JSON.parse(
      readFileSync(projectPath('test', 'fixtures', 'reference', 'ogmios', 'ogmios.v6.13.0.json'), 'utf8'),
    );
    assert.deepEqual(
      published.properties.RpcError.properties.error.required,
      ['code', 'string'],
      `still wrong upstream: ${ERRATA[0]}`,
    );
  });

  test('two blocks of one pool at one slot, seen on a fork, are a double sign; one block seen twice is not', () => {
    const n = node(4);
    const block = (h: number) => (parseNextBlock(JSON.parse(nextBlockAnswer(n, h)!)) as { block: OgmiosBlock }).block;
    const fork: OgmiosBlock = { ...block(3), id: 'ff'.repeat(32) };
    assert.deepEqual(equivocationsIn([block(1), block(2), block(3), block(3), block(4)]), []);
    assert.deepEqual(equivocationsIn([block(2), block(3), fork, block(4), fork]), [
      { poolId: poolIdOf(KEY), slot: 3, height: 3, ids: [labBlockId(3), 'ff'.repeat(32)] },
    ]);
    const otherPool = { ...fork, issuer: { ...fork.issuer!, poolId: 'pool1other' } };
    assert.deepEqual(equivocationsIn([block(3), otherPool]), []);
    assert.ok(blockAt(n, 3));
  });
});

describe('Ogmios v6.13 GET /health: the lab relay answers as the server does, the observer reads it back', () => {
  const schema = healthSchema();
  const state = (over: Partial<OgmiosHealthState> = {}): OgmiosHealthState => ({
    connected: true,
    startTime: '2026-12-02T07:00:00.000Z',
    lastTipUpdate: '2026-12-02T07:00:07.000Z',
    tipAgeMs: 400,
    slotMs: 1000,
    network: 'mainnet',
    totalConnections: 2,
    ...over,
  });

  test('200 synced, 202 behind, 500 without its node; each body a Health, parsed back', () => {
    const n = node(7);
    const synced = healthAnswer(n, state());
    assert.equal(synced.status, 200);
    assert.match(synced.body, /"networkSynchronization":1\.00000,/, 'five decimals, as Ogmios writes it');
    assert.deepEqual(schema(JSON.parse(synced.body)), []);
    assert.deepEqual(parseHealth(synced.status, JSON.parse(synced.body)), {
      connected: true,
      synchronization: 1,
      tip: { slot: 7, id: labBlockId(7), height: 7 },
      lastTipUpdate: '2026-12-02T07:00:07.000Z',
    });
    // a tip ten slots old on a chain of seven: well behind by the slot clock
    const behind = healthAnswer(n, state({ tipAgeMs: 10_000 }));
    assert.equal(behind.status, 202);
    assert.deepEqual(schema(JSON.parse(behind.body)), []);
    const parsed = parseHealth(behind.status, JSON.parse(behind.body));
    assert.ok(!('error' in parsed) && parsed.synchronization! < 1 && parsed.synchronization! > 0);
    const gone = healthAnswer(n, state({ connected: false }));
    assert.equal(gone.status, 500);
    assert.deepEqual(schema(JSON.parse(gone.body)), []);
    assert.equal((parseHealth(gone.status, JSON.parse(gone.body)) as OgmiosHealth).connected, false);
    // before its first tip: origin and nulls, as emptyHealth
    const fresh = healthAnswer({ ...n, view: new ChainView() }, state({ lastTipUpdate: null, tipAgeMs: undefined }));
    assert.equal(fresh.status, 202);
    assert.deepEqual(schema(JSON.parse(fresh.body)), []);
    assert.deepEqual(parseHealth(fresh.status, JSON.parse(fresh.body)), {
      connected: true,
      synchronization: null,
      tip: 'origin',
      lastTipUpdate: null,
    });
  });

  test('each correction of the published Health schema is needed: without it, what the server writes is refused', () => {
    const answers = [
      healthAnswer(node(7), state()).body,
      healthAnswer({ ...node(7), view: new ChainView() }, state({ lastTipUpdate: null, tipAgeMs: undefined })).body,
    ].map((b) => JSON.parse(b) as unknown);
    for (const [name] of HEALTH_ERRATA) {
      let refused: boolean;
      try {
        const partly = healthSchema(true, name);
        refused = answers.some((a) => partly(a).length > 0);
      } catch {
        refused = true; // the schema as published does not even compile there
      }
      assert.ok(refused, `without "${name}" every answer still passes: the correction is not needed`);
    }
  });

  test('a /health whose status and body disagree, or with a field of another shape, is refused', () => {
    const good = JSON.parse(healthAnswer(node(7), state()).body) as Record<string, unknown>;
    const cases: [number, unknown, RegExp][] = [
      [200, { ...good, connectionStatus: 'disconnected' }, /HTTP 200 with connectionStatus disconnected/],
      [500, good, /HTTP 500 with connectionStatus connected/],
      [200, { ...good, networkSynchronization: 0.5 }, /HTTP 200 with networkSynchronization 0.5/],
      [202, good, /HTTP 202 with networkSynchronization 1/],
      [200, { ...good, networkSynchronization: 2 }, /not a fraction/],
      [200, { ...good, lastKnownTip: { slot: -1, id: labBlockId(1), height: 1 } }, /lastKnownTip/],
      [200, { ...good, lastTipUpdate: 'yesterday' }, /lastTipUpdate/],
      [200, { ...good, connectionStatus: 'sort of' }, /connectionStatus/],
      [404, good, /HTTP 404/],
      [200, 'connected', /not a JSON object/],
    ];
    for (const [status, body, why] of cases) {
      const parsed = parseHealth(status, body);
      assert.ok('error' in parsed, `accepted: ${JSON.stringify(body).slice(0, 80)}`);
      assert.match(parsed.error, why);
    }
  });
});

/** A lab relay's node socket over `view`, and its Ogmios on a loopback port; `restartNode` as the node's restart. */
async function relayWithOgmios(view: ChainView) {
  const dir = mkdtempSync(join(tmpdir(), 'stake-ogmios-'));
  const socketPath = join(dir, 'node.socket');
  const lab = {
    identities: [{ name: POOL, members: [], coldVerificationKey: KEY }],
    blockTimeMs: 100,
  } as unknown as LabState;
  let node = serveNodeSocket(socketPath, view);
  const ogmios = ogmiosServer(lab, socketPath, 'mainnet');
  await new Promise<void>((resolve) => ogmios.server.listen(0, '127.0.0.1', resolve));
  return {
    ogmios,
    port: (ogmios.server.address() as AddressInfo).port,
    stopNode: () => node.close(),
    startNode: () => (node = serveNodeSocket(socketPath, view)),
    stop: () => {
      ogmios.stop();
      node.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("the lab relay's Ogmios follows its node through the node's socket", () => {
  test('connected and at its node’s tip; its queries answered from it; without its node, 500 and no answer', async () => {
    const view = new ChainView();
    for (let h = 1; h <= 300; h++) view.add(chainBlock(h, [POOL], [], 100));
    const relay = await relayWithOgmios(view);
    const base = `http://127.0.0.1:${relay.port}`;
    const health = async () => {
      const r = await fetch(`${base}/health`);
      return { status: r.status, body: (await r.json()) as unknown };
    };
    try {
      const first = await waitFor(
        async () => {
          const h = await health();
          const p = parseHealth(h.status, h.body);
          return !('error' in p) && p.connected && p.tip !== 'origin' && p.tip.height === 300 ? p : undefined;
        },
        { timeoutMs: 5000, what: 'Ogmios at its node’s tip' },
      );
      assert.equal(first.tip !== 'origin' && first.tip.id, labBlockId(300));
      // the node moves on: so does Ogmios
      view.add(chainBlock(301, [POOL], [], 100));
      await waitFor(
        async () => {
          const p = parseHealth(...(Object.values(await health()) as [number, unknown]));
          return !('error' in p) && p.tip !== 'origin' && p.tip.height === 301;
        },
        { timeoutMs: 5000, what: 'the new block' },
      );
      const certs = await fetch(base, {
        method: 'POST',
        body: ogmiosQuery('c', 'queryLedgerState/operationalCertificates').body!,
      });
      assert.equal(certs.status, 200);
      assert.deepEqual(parseOperationalCertificates(await certs.json()), new Map([[poolIdOf(KEY), 0]]));
      // its node stops: disconnected, and a query has no answer
      relay.stopNode();
      await waitFor(async () => (await health()).status === 500, { timeoutMs: 5000, what: 'disconnected' });
      const query = await fetch(base, { method: 'POST', body: ogmiosQuery('t', 'queryNetwork/tip').body! });
      assert.equal(query.status, 500);
      // and back
      relay.startNode();
      // (202, not 200: the test's blocks were made hours ago by their times, so the node is far behind by the slot clock)
      await waitFor(async () => (await health()).status === 202, { timeoutMs: 5000, what: 'connected again' });
      assert.equal((await fetch(`${base}/elsewhere`)).status, 404);
    } finally {
      relay.stop();
    }
  });
});

describe('chain-sync over one WebSocket, spoken by perl on the host (the lab relay’s Ogmios on loopback)', () => {
  const onHost = { address: '127.0.0.1', privateAddress: '127.0.0.1' };
  // not spawnSync: the server answering is in this process
  const converse = async (port: number, messages: string[], seconds?: number) => {
    const r = await execa('bash', ['-c', wsScript(onHost, port, messages, seconds)], {
      timeout: 30_000,
      reject: false,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    return parseWsConversation(r.stdout, messages.length);
  };

  test('findIntersection, a roll back to it, then each block forward with its issuer; at the tip it waits, bounded', async () => {
    const view = new ChainView();
    for (let h = 1; h <= 40; h++) view.add(chainBlock(h, h === 38 ? ['other'] : [POOL], [], 100));
    const relay = await relayWithOgmios(view);
    const { port, ogmios } = relay;
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status !== 500, {
        timeoutMs: 5000,
        what: 'Ogmios connected',
      });
      // the newest point it holds of the two: the first listed that is on its chain
      const points = [
        { slot: 36, id: labBlockId(36) },
        { slot: 30, id: labBlockId(30) },
      ];
      const talk = await converse(port, chainSyncMessages(points, 5));
      assert.ok('answers' in talk, JSON.stringify(talk));
      const [found, ...steps] = talk.answers.map((a) => JSON.parse(a) as unknown);
      assert.deepEqual(validate('FindIntersectionResponse')(found), []);
      assert.deepEqual(parseIntersection(found), {
        intersection: points[0],
        tip: { slot: 40, id: labBlockId(40), height: 40 },
      });
      for (const s of steps) assert.deepEqual(validate('NextBlockResponse')(s), []);
      const parsed = steps.map(parseNextBlock);
      assert.deepEqual(parsed[0], {
        direction: 'backward',
        point: points[0],
        tip: { slot: 40, id: labBlockId(40), height: 40 },
      });
      const forward = parsed.slice(1).map((p) => (p as { block: OgmiosBlock }).block);
      assert.deepEqual(
        forward.map((b) => b.height),
        [37, 38, 39, 40],
      );
      assert.deepEqual(
        forward.map((b) => b.issuer?.poolId === poolIdOf(KEY)),
        [true, false, true, true],
        "block 38 is another pool's",
      );
      // a point it does not hold: no intersection, with its tip
      const none = await converse(port, chainSyncMessages([{ slot: 5, id: labBlockId(6) }], 0));
      assert.ok('answers' in none);
      const missing = JSON.parse(none.answers[0]!) as unknown;
      assert.deepEqual(validate('FindIntersectionResponse')(missing), []);
      assert.deepEqual(parseIntersection(missing), {
        intersection: undefined,
        tip: { slot: 40, id: labBlockId(40), height: 40 },
      });
      // one nextBlock more than there are blocks: the real one answers when the next block comes; the host gives up in time
      const started = Date.now();
      const over = await converse(port, chainSyncMessages([{ slot: 39, id: labBlockId(39) }], 3), 2);
      assert.ok('error' in over && /no answer within 2 s \(after 3 answers\)/.test(over.error), JSON.stringify(over));
      assert.ok(Date.now() - started < 6000);
      // nothing listening
      ogmios.server.close();
      const gone = await converse(port, chainSyncMessages([], 1));
      assert.deepEqual(gone, { error: 'nothing listens on the port' });
    } finally {
      relay.stop();
    }
  });

  test("the script's output is read strictly: out of order, unreadable, too few, or what the server said", () => {
    const hex = (t: string) => Buffer.from(t).toString('hex');
    assert.deepEqual(parseWsConversation(`noise\n=== ws\t1\t${hex('{"a":1}')}\n=== ws\t2\t${hex('{}')}\n`, 2), {
      answers: ['{"a":1}', '{}'],
    });
    const cases: [string, number, RegExp][] = [
      [`=== ws\t2\t${hex('{}')}\n`, 1, /out of order/],
      [`=== ws\t1\tzz\n`, 1, /not what the script prints/],
      [`=== ws\t1\t${hex('{}')}\n`, 2, /1 answers of 2/],
      [
        `=== ws\trefused\t${hex('HTTP/1.1 404 Not Found\r\n\u001b[31m')}\n`,
        1,
        /refused the WebSocket: HTTP\/1\.1 404 Not Found \[31m$/,
      ],
      [`=== ws\tclosed\t${hex('bye')}\n`, 1, /closed the WebSocket after 0 answers/],
      [
        `=== ws\terror\t${hex('the server masked its frame\n')}\n`,
        1,
        /the server masked its frame \(after 0 answers\)/,
      ],
      [`=== ws\t-\n`, 1, /nothing listens/],
      ['', 1, /0 answers of 1/],
    ];
    for (const [output, count, why] of cases) {
      const r = parseWsConversation(output, count);
      assert.ok('error' in r, output);
      assert.match(r.error, why);
    }
    assert.throws(() => wsScript(onHost, 0, ['{}']), /bad port/);
    assert.throws(() => wsScript(onHost, 1337, []), /1 to 200 messages/);
  });
});
