/**
 * Slashings as the observer reads them from a beacon node: the attester and proposer slashings in
 * the pools and in the blocks that include them, in answers of the official shapes (each checked
 * against beacon-APIs v2.5.0 first), a missed slot passed over, and answers that lie refused.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beaconRequests, parseBlockSlashings, parseProposerSlashings } from '../../src/observe/beacon.js';
import { absorbBeacon, type BeaconSourceState } from '../../src/observe/beacon-source.js';
import type { ApiAnswer } from '../../src/observe/http-on-host.js';
import { freshView } from '../../src/observe/ask.js';
import { beaconSchemas } from './beacon-openapi.js';

const hex = (bytes: number, fill: string) => `0x${fill.repeat(bytes * 2)}`;
const header = (slot: number, proposer: number, body: string) => ({
  message: {
    slot: String(slot),
    proposer_index: String(proposer),
    parent_root: hex(32, 'a'),
    state_root: hex(32, 'b'),
    body_root: hex(32, body),
  },
  signature: hex(96, body),
});
const proposerSlashing = (slot: number, proposer: number) => ({
  signed_header_1: header(slot, proposer, 'c'),
  signed_header_2: header(slot, proposer, 'd'),
});
/** A phase0 block (the fields every fork's block has), with these slashings in its body. */
const block = (slot: number, proposer: unknown[] = [], attester: unknown[] = []) => ({
  version: 'phase0',
  execution_optimistic: false,
  finalized: false,
  data: {
    message: {
      slot: String(slot),
      proposer_index: '5',
      parent_root: hex(32, 'a'),
      state_root: hex(32, 'b'),
      body: {
        randao_reveal: hex(96, 'e'),
        eth1_data: { deposit_root: hex(32, 'f'), deposit_count: '0', block_hash: hex(32, '1') },
        graffiti: hex(32, '2'),
        proposer_slashings: proposer,
        attester_slashings: attester,
        attestations: [],
        deposits: [],
        voluntary_exits: [],
      },
    },
    signature: hex(96, '3'),
  },
});
const attesterSlashing = (indices: number[], epoch: number) => {
  const attestation = (root: string) => ({
    attesting_indices: indices.map(String),
    signature: hex(96, root),
    data: {
      slot: String(epoch * 32),
      index: '0',
      beacon_block_root: hex(32, root),
      source: { epoch: String(epoch - 1), root: hex(32, '4') },
      target: { epoch: String(epoch), root: hex(32, root) },
    },
  });
  return { attestation_1: attestation('5'), attestation_2: attestation('6') };
};

const answer = (status: number, body: unknown): ApiAnswer => ({ status, body: JSON.stringify(body) });
const POOL = 'mainnet-pool';
const book = new Map([[1000, POOL]]);

function source(): BeaconSourceState {
  return {
    view: freshView({ name: 'beacon-fra-1', client: 'lighthouse' }),
    preset: { slotsPerEpoch: 32, slotMs: 12_000 },
  };
}

describe('slashings in pools and blocks', () => {
  const schemas = beaconSchemas();

  test('the answers used here are in the official shapes', () => {
    assert.deepEqual(
      schemas('apis/beacon/pool/proposer_slashings.yaml', 'get')({ data: [proposerSlashing(6400, 1000)] }),
      [],
    );
    assert.deepEqual(
      schemas(
        'apis/beacon/blocks/blinded_block.yaml',
        'get',
      )(block(6402, [proposerSlashing(6400, 1000)], [attesterSlashing([7, 1000], 199)])),
      [],
    );
  });

  test("a proposer slashing of one of the book's validators, in the pool and then in a block; a missed slot passed over", () => {
    const s = source();
    const headSlot = 6402;
    const requests = beaconRequests(
      5052,
      [1000],
      [],
      false,
      [6394, 6395, 6396, 6397, 6398, 6399, 6400, 6401, 6402, 6403],
    );
    const answers = new Map<string, ApiAnswer>([
      ['syncing', answer(200, { data: { head_slot: String(headSlot), is_syncing: false } })],
      ['slashings', answer(200, { data: [] })],
      ['proposer-slashings', answer(200, { data: [proposerSlashing(6400, 1000)] })],
    ]);
    for (const r of requests.filter((x) => x.tag.startsWith('block/'))) {
      const slot = Number(r.tag.split('/')[1]);
      // 6399: its proposer missed it; 6403: not yet made
      if (slot === 6399 || slot > headSlot) answers.set(r.tag, answer(404, { code: 404, message: 'Block not found' }));
      else if (slot === 6401) answers.set(r.tag, answer(200, block(slot, [], [attesterSlashing([7, 1000], 199)])));
      else answers.set(r.tag, answer(200, block(slot)));
    }
    s.nextSlot = 6394;
    absorbBeacon(s, answers, { book, window: 50 });
    assert.deepEqual(
      s.view.equivocations.map((e) => [e.height, e.what]),
      [
        [200, 'proposer slashing of validator 1000 (two blocks for slot 6400) in the pool'],
        [199, 'attester slashing of validator 1000 in the block at slot 6401'],
      ],
    );
    assert.equal(s.nextSlot, 6403, 'the missed slot passed, the one not yet made asked again');
    assert.deepEqual(s.view.notes, []);
  });

  test('a block that is not the one asked for, and a slashing that is none, are refused', () => {
    const s = source();
    s.nextSlot = 10;
    absorbBeacon(
      s,
      new Map<string, ApiAnswer>([
        ['syncing', answer(200, { data: { head_slot: '12', is_syncing: false } })],
        ['slashings', answer(200, { data: [] })],
        ['block/10', answer(200, block(11, [proposerSlashing(4, 1000)]))],
      ]),
      { book, window: 50 },
    );
    assert.deepEqual(s.view.equivocations, [], 'nothing believed from a block of another slot');
    assert.deepEqual(s.view.notes, ['the block asked for slot 10 says slot 11']);
    assert.equal(s.nextSlot, 10);
    // two headers of different slots (or proposers) are not a slashing
    const differ = { signed_header_1: header(6400, 1000, 'c'), signed_header_2: header(6401, 1000, 'd') };
    assert.deepEqual(parseProposerSlashings({ data: [differ] }), {
      error: '/pool/proposer_slashings: a proposer slashing of another shape',
    });
    assert.deepEqual(parseBlockSlashings({ data: { message: { slot: '3' } } }), {
      error: '/blinded_blocks: a block of another shape',
    });
  });
});
