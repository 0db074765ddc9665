/**
 * The simulated CometBFT RPC answers in CometBFT's own format: every answer the observer reads is
 * validated against the project's copy of the upstream description (with its named corrections),
 * and the observer's parsers read back exactly what the node holds: who signed, who did not, the
 * duplicate-vote evidence.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainView } from '../../src/lab/sim/chain-view.js';
import { goTime, orderedSet, otherValidators, rpcAnswer, type RpcNode } from '../../src/lab/sim/cometbft-rpc.js';
import type { ChainBlock } from '../../src/lab/chain/blocks.js';
import { equivocationsIn, heightOf, parseBlock, parseStatus } from '../../src/observe/cometbft.js';
import { cometbftSchemas, ERRATA } from './cometbft-openapi.js';
import { chainBlock, timeOf } from '../support/chain-blocks.js';

const HUB = 'A'.repeat(40);
const T = (h: number) => timeOf(h, 1000);
const block = (height: number, signed: string[], evidence: ChainBlock['evidence'] = []) =>
  chainBlock(height, signed, evidence);

function node(blocks: ChainBlock[]): RpcNode {
  const view = new ChainView();
  for (const b of blocks) view.add(b);
  return {
    chainId: 'cosmoshub-4',
    moniker: 'sentry-fra-1',
    nodeId: 'ab'.repeat(20),
    listenAddr: 'tcp://0.0.0.0:26656',
    rpcAddr: 'tcp://127.0.0.1:26657',
    own: { address: 'B'.repeat(40), publicKey: Buffer.alloc(32, 1).toString('base64') },
    validators: [
      { identity: 'cosmoshub', address: HUB, publicKey: Buffer.alloc(32, 2).toString('base64'), power: 10 },
      ...otherValidators('cosmoshub-4'),
    ],
    view,
    catchingUp: false,
  };
}

const json = (body: string) => JSON.parse(body) as unknown;
const schemas = cometbftSchemas();

describe('the simulated CometBFT RPC', () => {
  const chain = [
    block(1, ['cosmoshub']),
    block(2, ['cosmoshub']),
    block(3, []),
    block(4, ['cosmoshub'], [{ identity: 'cosmoshub', height: 2, round: 0, at: T(4) }]),
    block(5, ['cosmoshub']),
  ];
  const n = node(chain);

  test('every answer the observer reads validates against the description (with its corrections)', () => {
    const checks: [string, string][] = [
      ['/status', 'StatusResponse'],
      ['/block?height=4', 'BlockResponse'],
      ['/block?height=5', 'BlockResponse'],
      ['/block', 'BlockResponse'],
      ['/commit?height=3', 'CommitResponse'],
      ['/validators', 'ValidatorsResponse'],
      ['/block?height=9', 'ErrorResponse'],
    ];
    for (const [path, schema] of checks) {
      const answer = rpcAnswer(n, path);
      assert.deepEqual(schemas(schema)(json(answer.body)), [], `${path} as ${schema}`);
    }
    // the validator can fail: an int64 written as a number is refused
    const status = json(rpcAnswer(n, '/status').body) as { result: { sync_info: Record<string, unknown> } };
    status.result.sync_info.latest_block_height = 5;
    assert.notDeepEqual(schemas('StatusResponse')(status), []);
  });

  test('the corrections are each needed: the uncorrected description refuses what the server writes there', () => {
    const upstream = cometbftSchemas(false);
    const blockErrors = upstream('BlockResponse')(json(rpcAnswer(n, '/block?height=4').body)).join('\n');
    for (const where of [
      '/result/block/data',
      '/result/block/evidence',
      '/result/block/last_commit/height',
      '/result/block/last_commit/signatures/0',
    ])
      assert.match(blockErrors, new RegExp(`^${where} `, 'm'), where);
    assert.match(upstream('ErrorResponse')(json(rpcAnswer(n, '/block?height=9').body)).join(), /^\/error /);
    assert.match(
      upstream('CommitResponse')(json(rpcAnswer(n, '/commit?height=3').body)).join(),
      /\/result\/signed_header\/commit\/signatures\/\d+\/signature must be string/,
    );
    assert.equal(ERRATA.length, 6, 'one correction per place above');
  });

  test('the observer reads back who signed each height, who did not, and the evidence', () => {
    const status = parseStatus(json(rpcAnswer(n, '/status').body));
    assert.deepEqual(status, {
      network: 'cosmoshub-4',
      head: 5,
      headTime: goTime(T(5)),
      earliest: 1,
      catchingUp: false,
    });
    const book = new Map([[HUB, 'cosmoshub']]);
    const signedAt = (h: number) => {
      const b = parseBlock(json(rpcAnswer(n, `/block?height=${h}`).body));
      assert.ok(!('error' in b), JSON.stringify(b));
      return heightOf(b, book);
    };
    assert.deepEqual([...signedAt(3).record.signed], ['cosmoshub']); // block 3 commits height 2
    assert.equal(signedAt(3).height, 2);
    assert.deepEqual([...signedAt(4).record.signed], [], 'height 3 missed: an absent entry, flag 1');
    const four = parseBlock(json(rpcAnswer(n, '/block?height=4').body));
    assert.ok(!('error' in four));
    assert.deepEqual(equivocationsIn(four, book, 'sentry-fra-1'), [
      { identity: 'cosmoshub', height: 2, what: 'duplicate-vote evidence in block 4', sources: ['sentry-fra-1'] },
    ]);
    // the other validators sign every block, in the set's order
    const commit = json(rpcAnswer(n, '/block?height=4').body) as {
      result: { block: { last_commit: { signatures: { block_id_flag: number; validator_address: string }[] } } };
    };
    const flags = commit.result.block.last_commit.signatures.map((s) => s.block_id_flag);
    assert.equal(flags.length, 4);
    assert.equal(flags.filter((f) => f === 1).length, 1);
    assert.deepEqual(
      orderedSet(n.validators).map((v) => v.address),
      [...n.validators.map((v) => v.address)].sort(),
      'equal power: by address',
    );
  });

  test("errors are getHeight's words, with HTTP 500 and id -1", () => {
    const above = rpcAnswer(n, '/block?height=9');
    assert.equal(above.status, 500);
    assert.deepEqual(json(above.body), {
      jsonrpc: '2.0',
      id: -1,
      error: {
        code: -32603,
        message: 'Internal error',
        data: 'height 9 must be less than or equal to the current blockchain height 5',
      },
    });
    assert.match(rpcAnswer(n, '/block?height=0').body, /height must be greater than 0, but got 0/);
    assert.match(rpcAnswer(n, '/block?height=x').body, /Invalid params/);
    assert.equal(rpcAnswer(n, '/nothing').status, 404);
    const parsed = parseBlock(json(above.body));
    assert.deepEqual(parsed, { error: 'height 9 must be less than or equal to the current blockchain height 5' });
  });

  test("Go's RFC3339Nano drops a fraction's trailing zeros", () => {
    assert.equal(goTime('2026-12-02T07:00:00.120Z'), '2026-12-02T07:00:00.12Z');
    assert.equal(goTime('2026-12-02T07:00:00.000Z'), '2026-12-02T07:00:00Z');
    assert.equal(goTime('2026-12-02T07:00:00.123Z'), '2026-12-02T07:00:00.123Z');
  });
});

describe("a node's chain view", () => {
  test('its head is the top of its unbroken run: a gap (a cut) leaves it behind until block sync fills it', () => {
    const v = new ChainView(10);
    for (const h of [1, 2, 3]) v.add(block(h, []));
    v.add(block(6, []));
    assert.equal(v.head, 3);
    assert.equal(v.behind, true);
    assert.equal(v.get(6), undefined, 'not served above its head');
    v.add(block(5, []));
    v.add(block(4, []));
    assert.equal(v.head, 6);
    assert.equal(v.behind, false);
  });

  test('prunes its oldest blocks past what it keeps, and serves none below its base', () => {
    const v = new ChainView(10);
    for (let h = 1; h <= 600; h++) v.add(block(h, []));
    assert.equal(v.head, 600);
    assert.ok(v.base > 1 && v.base <= 591, `base ${v.base}`);
    assert.equal(v.get(1), undefined);
    assert.ok(v.get(600));
  });
});
