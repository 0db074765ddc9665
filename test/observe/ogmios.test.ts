/**
 * Ogmios v6.13 as the observer reads it: the lab relay's answers validate against Ogmios's own
 * schemas and parse back to what the node holds; answers of another shape are refused field by
 * field; a pool's id is blake2b-224 of its cold key (checked against coreutils' b2sum) in bech32;
 * two blocks of one pool at one slot are found among the blocks a source followed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bech32 } from '@scure/base';
import { ChainView } from '../../src/lab/sim/chain-view.js';
import {
  blockAt,
  labBlockId,
  nextBlockAnswer,
  ogmiosHttpAnswer,
  type OgmiosNode,
} from '../../src/lab/sim/ogmios-api.js';
import {
  equivocationsIn,
  ogmiosQuery,
  parseBlockHeight,
  parseNextBlock,
  parseOperationalCertificates,
  parseTip,
  poolIdOf,
  type OgmiosBlock,
} from '../../src/observe/ogmios.js';
import { chainBlock } from '../support/chain-blocks.js';
import { ERRATA, ogmiosSchemas } from './ogmios-schema.js';
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
