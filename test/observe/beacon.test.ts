/**
 * The simulated Beacon API answers in the shapes of ethereum/beacon-APIs v2.5.0 (every answer the
 * observer reads validated against the project's copy of the description), and the observer reads
 * back from them: liveness per epoch, a missed epoch, a source behind, an attester slashing in the
 * pool, a slashed validator.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainView } from '../../src/lab/sim/chain-view.js';
import { beaconAnswer, labBeaconValidators, type BeaconNode } from '../../src/lab/sim/beacon-api.js';
import type { ChainBlock } from '../../src/lab/chain/blocks.js';
import { beaconRequests } from '../../src/observe/beacon.js';
import { absorbBeacon, type BeaconSourceState } from '../../src/observe/beacon-source.js';
import type { ApiAnswer } from '../../src/observe/http-on-host.js';
import { freshView } from '../../src/observe/ask.js';
import { judge } from '../../src/observe/judge.js';
import { beaconSchemas } from './beacon-openapi.js';
import { chainBlock } from '../support/chain-blocks.js';

const POOL = 'mainnet-pool';
const validators = labBeaconValidators([{ name: POOL, validatorIndex: 1000 }]);
const book = new Map([[1000, POOL]]);

function node(blocks: ChainBlock[]): BeaconNode {
  const view = new ChainView();
  for (const b of blocks) view.add(b);
  return { view, validators, slotMs: 500 };
}
const chain = (n: number, missed: number[] = [], evidence: Record<number, ChainBlock['evidence']> = {}) =>
  Array.from({ length: n }, (_, i) => chainBlock(i + 1, missed.includes(i + 1) ? [] : [POOL], evidence[i + 1], 500));

const json = (body: string) => JSON.parse(body) as unknown;

function source(name: string, n: BeaconNode, rounds = 2): BeaconSourceState {
  const s: BeaconSourceState = {
    view: freshView({ name: name, client: 'lighthouse' }),
  };
  for (let i = 0; i < rounds; i++) {
    const epochs = s.next === undefined ? [] : Array.from({ length: 60 }, (_, k) => s.next! + k);
    const slots = s.nextSlot === undefined ? [] : Array.from({ length: 10 }, (_, k) => s.nextSlot! + k);
    const requests = beaconRequests(5052, [1000], epochs, !s.preset, slots);
    const answers = new Map<string, ApiAnswer>(requests.map((r) => [r.tag, beaconAnswer(n, r.method, r.path, r.body)]));
    absorbBeacon(s, answers, { book, window: 50 });
  }
  return s;
}

describe('the simulated Beacon API', () => {
  const schemas = beaconSchemas();
  const evidence = { 8: [{ identity: POOL, height: 6, round: 0, at: '2026-12-02T07:00:04.000Z' }] };
  const n = node(chain(14, [], evidence));

  test('every answer the observer reads validates against beacon-APIs v2.5.0', () => {
    const checks: [string, string, string, string?][] = [
      ['GET', '/eth/v1/node/syncing', 'apis/node/syncing.yaml'],
      ['GET', '/eth/v1/config/spec', 'apis/config/spec.yaml'],
      ['GET', '/eth/v1/beacon/headers/head', 'apis/beacon/blocks/header.yaml'],
      ['GET', '/eth/v1/beacon/states/head/finality_checkpoints', 'apis/beacon/states/finality_checkpoints.yaml'],
      ['GET', '/eth/v1/beacon/states/head/validators?id=1000,0', 'apis/beacon/states/validators.yaml'],
      ['GET', '/eth/v1/beacon/pool/attester_slashings', 'apis/beacon/pool/attester_slashings.yaml'],
      ['GET', '/eth/v1/beacon/pool/proposer_slashings', 'apis/beacon/pool/proposer_slashings.yaml'],
      ['GET', '/eth/v1/beacon/blinded_blocks/10', 'apis/beacon/blocks/blinded_block.yaml'],
      ['GET', '/eth/v1/validator/duties/proposer/10', 'apis/validator/duties/proposer.yaml'],
      ['POST', '/eth/v1/validator/liveness/9', 'apis/validator/liveness.yaml', '["1000","1"]'],
    ];
    for (const [method, path, file, body] of checks) {
      const answer = beaconAnswer(n, method, path, body);
      assert.equal(answer.status, 200, `${path}: ${answer.body}`);
      assert.deepEqual(schemas(file, method === 'GET' ? 'get' : 'post')(json(answer.body)), [], `${method} ${path}`);
    }
    // a block in Deneb's own shape (the answer's anyOf would take an older fork's too), holding the slashing
    const block = json(beaconAnswer(n, 'GET', '/eth/v1/beacon/blinded_blocks/12').body) as {
      version: string;
      data: { message: { body: { attester_slashings: unknown[]; execution_payload_header: Record<string, unknown> } } };
    };
    assert.equal(block.version, 'deneb');
    // one erratum of beacon-APIs v2.5.0: its Deneb payload header still says `excess_data_gas`, a
    // name consensus-specs replaced before Deneb shipped (specs/deneb/beacon-chain.md:
    // `blob_gas_used`, `excess_blob_gas`, the names the clients serve); the sim serves the clients'
    const erratum = "/message/body/execution_payload_header must have required property 'excess_data_gas'";
    assert.deepEqual(schemas.type('types/deneb/block.yaml', '/Deneb/SignedBlindedBeaconBlock')(block.data), [erratum]);
    assert.ok(
      ['blob_gas_used', 'excess_blob_gas'].every((k) =>
        Object.hasOwn(block.data.message.body.execution_payload_header, k),
      ),
    );
    assert.equal(block.data.message.body.attester_slashings.length, 1);
    // the validator can fail: a Uint64 written as a number is refused
    const sync = json(beaconAnswer(n, 'GET', '/eth/v1/node/syncing').body) as { data: Record<string, unknown> };
    sync.data.head_slot = 10;
    assert.notDeepEqual(schemas('apis/node/syncing.yaml', 'get')(sync), []);
  });

  test("errors are the API's {code, message}: a future epoch, a body that is not a list of indices, an unknown route", () => {
    const future = beaconAnswer(n, 'POST', '/eth/v1/validator/liveness/99', '["1000"]');
    assert.equal(future.status, 400);
    assert.deepEqual(schemas('apis/validator/liveness.yaml', 'post', '400')(json(future.body)), []);
    assert.equal(beaconAnswer(n, 'POST', '/eth/v1/validator/liveness/3', '[1000]').status, 400);
    assert.equal(beaconAnswer(n, 'GET', '/eth/v1/nothing').status, 404);
  });

  test("the observer reads liveness per epoch, the pool's attester slashing, then the block including it and the validator slashed", () => {
    const pending = source('beacon-fra-1', node(chain(10, [4], evidence)));
    assert.equal(pending.view.head, 10);
    assert.equal(pending.view.finalized, 8);
    assert.equal(pending.view.paceMs, 500);
    assert.deepEqual([...pending.view.heights.get(5)!.signed], [POOL]);
    assert.deepEqual([...pending.view.heights.get(4)!.signed], []);
    assert.deepEqual(pending.view.equivocations, [
      { identity: POOL, height: 6, what: 'attester slashing of validator 1000 in the pool', sources: ['beacon-fra-1'] },
    ]);
    assert.equal(pending.view.flags.get(POOL), undefined, 'not slashed before a block includes it');
    // four slots on, a block has included it: out of the pool, in the block, the validator slashed
    const s = source('beacon-fra-1', node(chain(14, [4], evidence)));
    assert.equal(s.nextSlot, 15, 'every block up to the head read');
    assert.deepEqual(s.view.equivocations, [
      {
        identity: POOL,
        height: 6,
        what: 'attester slashing of validator 1000 in the block at slot 12',
        sources: ['beacon-fra-1'],
      },
    ]);
    assert.equal(s.view.flags.get(POOL), 'slashed (validator 1000: active_slashed)');
    const r = judge([s.view, source('beacon-lon-1', node(chain(14, [4], evidence))).view], {
      identities: [POOL],
      lagLimit: 3,
      window: 50,
    });
    const pool = r.identity(POOL)!;
    assert.equal(pool.lastHeight, 14);
    assert.deepEqual(pool.missedHeights, [4]);
    assert.equal(pool.equivocations[0]!.sources.length, 2);
    assert.deepEqual(pool.flags, [
      'slashed (validator 1000: active_slashed) (beacon-fra-1)',
      'slashed (validator 1000: active_slashed) (beacon-lon-1)',
    ]);
    assert.equal(r.observedBlockMs, 500);
  });

  test('a source behind is reported; one with no preset is no source', () => {
    const r = judge([source('a', node(chain(20))).view, source('b', node(chain(12))).view], {
      identities: [POOL],
      lagLimit: 3,
      window: 50,
    });
    assert.ok(
      r.disagreements.includes('b is 8 heights behind the others (its head 12, the highest 20)'),
      r.disagreements.join(),
    );
    const blind: BeaconSourceState = { view: source('c', node(chain(5)), 0).view };
    absorbBeacon(blind, new Map([['syncing', beaconAnswer(node(chain(5)), 'GET', '/eth/v1/node/syncing')]]), {
      book,
      window: 50,
    });
    assert.equal(blind.view.error, 'its Beacon API: no preset (/eth/v1/config/spec) yet');
  });
});
