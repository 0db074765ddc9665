/**
 * The simulated beacon node's Beacon API: what stake's observer reads, answered from the blocks
 * the node holds in the shapes of ethereum/beacon-APIs v2.5.0 (the Deneb release the pinned
 * lighthouse v5.3.0 and teku 24.10.3 serve; the tests validate every answer against that
 * description, kept in test/fixtures/reference/beacon-apis/). The lab chain's slot stands for an
 * epoch (a lab vouch attests once per slot), so its preset says SLOTS_PER_EPOCH "1"; each lab
 * identity is one validator. A double sign is an attester slashing in the pool from the block
 * whose evidence holds it, until the block INCLUSION_SLOTS later includes it in its body (a blinded
 * block, `/eth/v1/beacon/blinded_blocks/{block_id}`), and the validator `active_slashed` from that
 * block on. The lab's validator clients propose no blocks, so the proposer slashings pool is always
 * empty. Pure: the node's view goes in, a status and a body come out.
 */
import { createHash } from 'node:crypto';
import type { ChainView } from './chain-view.js';

export interface BeaconValidator {
  /** The lab identity; the network's other validators have none. */
  identity?: string;
  index: number;
  pubkey: string;
}

export interface BeaconNode {
  view: ChainView;
  validators: BeaconValidator[];
  /** The lab's slot, in ms (config/spec SLOT_DURATION_MS). */
  slotMs: number;
}

export interface BeaconAnswer {
  status: number;
  body: string;
}

/** The lab preset: one slot per epoch (config/spec). */
export const LAB_SLOTS_PER_EPOCH = 1;
/** How long an attester slashing stays in the pool before a block includes it (slots). */
export const INCLUSION_SLOTS = 4;
const FAR_FUTURE_EPOCH = '18446744073709551615';

const root = (text: string) => `0x${createHash('sha256').update(text).digest('hex')}`;
const signature = (text: string) =>
  `0x${[0, 1, 2].map((i) => createHash('sha256').update(`${text}/${i}`).digest('hex')).join('')}`;

/** A lab validator's public key: 48 bytes from its name (a stand-in, as the lab's other keys are). */
export function labPubkey(name: string): string {
  return `0x${createHash('sha256').update(`pubkey/${name}`).digest('hex')}${createHash('sha256').update(`pubkey2/${name}`).digest('hex').slice(0, 32)}`;
}

const ok = (body: unknown): BeaconAnswer => ({ status: 200, body: JSON.stringify(body) });
const error = (status: number, message: string): BeaconAnswer => ({
  status,
  body: JSON.stringify({ code: status, message }),
});

/**
 * Slots at which the identity's key was seen signing twice, from the evidence the node's blocks
 * carry: seen at one block (the pool has it from then), included in the block INCLUSION_SLOTS later.
 */
function evidenceOf(node: BeaconNode): { identity: string; slot: number; seenAt: number }[] {
  const out: { identity: string; slot: number; seenAt: number }[] = [];
  for (let h = node.view.base; h <= node.view.head; h++)
    for (const e of node.view.get(h)?.evidence ?? []) out.push({ identity: e.identity, slot: e.height, seenAt: h });
  return out;
}

function validatorEntry(node: BeaconNode, v: BeaconValidator, slashed: boolean) {
  return {
    index: String(v.index),
    balance: slashed ? '31000000000' : '32000000000',
    status: slashed ? 'active_slashed' : 'active_ongoing',
    validator: {
      pubkey: v.pubkey,
      withdrawal_credentials: root(`withdrawal/${v.index}`),
      effective_balance: '32000000000',
      slashed,
      activation_eligibility_epoch: '0',
      activation_epoch: '0',
      exit_epoch: slashed ? String(node.view.head + 256) : FAR_FUTURE_EPOCH,
      withdrawable_epoch: slashed ? String(node.view.head + 8192) : FAR_FUTURE_EPOCH,
    },
  };
}

function attestation(index: number, slot: number, which: string) {
  return {
    attesting_indices: [String(index)],
    signature: signature(`${index}/${slot}/${which}`),
    data: {
      slot: String(slot),
      index: '0',
      beacon_block_root: root(`${which}/block/${slot}`),
      source: { epoch: String(Math.max(0, slot - 1)), root: root(`checkpoint/${slot - 1}`) },
      target: { epoch: String(slot), root: root(`${which}/checkpoint/${slot}`) },
    },
  };
}

function attesterSlashings(node: BeaconNode, found: readonly { identity: string; slot: number }[]) {
  return found.flatMap((e) => {
    const v = node.validators.find((x) => x.identity === e.identity);
    return v
      ? [{ attestation_1: attestation(v.index, e.slot, 'a'), attestation_2: attestation(v.index, e.slot, 'b') }]
      : [];
  });
}

const bytes = (n: number, text: string) =>
  `0x${Array.from({ length: Math.ceil(n / 32) }, (_, i) => createHash('sha256').update(`${text}/${i}`).digest('hex'))
    .join('')
    .slice(0, n * 2)}`;

/** A Deneb SignedBlindedBeaconBlock (beacon-APIs types/deneb/block.yaml) at a slot, with these slashings. */
function blindedBlock(node: BeaconNode, slot: number, slashings: unknown[]) {
  const proposer = proposerOf(node, slot);
  return {
    message: {
      slot: String(slot),
      proposer_index: String(proposer.index),
      parent_root: root(`block/${slot - 1}`),
      state_root: root(`state/${slot}`),
      body: {
        randao_reveal: signature(`randao/${slot}`),
        eth1_data: { deposit_root: root('deposits'), deposit_count: '0', block_hash: root('eth1') },
        graffiti: root(`graffiti/${slot}`),
        proposer_slashings: [],
        attester_slashings: slashings,
        attestations: [],
        deposits: [],
        voluntary_exits: [],
        sync_aggregate: {
          sync_committee_bits: bytes(64, `sync/${slot}`),
          sync_committee_signature: signature(`sync/${slot}`),
        },
        execution_payload_header: {
          parent_hash: root(`el/${slot - 1}`),
          fee_recipient: bytes(20, 'fee-recipient'),
          state_root: root(`el-state/${slot}`),
          receipts_root: root(`receipts/${slot}`),
          logs_bloom: bytes(256, `bloom/${slot}`),
          prev_randao: root(`randao-mix/${slot}`),
          block_number: String(slot),
          gas_limit: '30000000',
          gas_used: '0',
          timestamp: String(Math.floor((slot * node.slotMs) / 1000)),
          extra_data: '0x',
          base_fee_per_gas: '7',
          block_hash: root(`el/${slot}`),
          transactions_root: root(`transactions/${slot}`),
          withdrawals_root: root(`withdrawals/${slot}`),
          blob_gas_used: '0',
          excess_blob_gas: '0',
        },
        bls_to_execution_changes: [],
        blob_kzg_commitments: [],
      },
    },
    signature: signature(`block/${slot}`),
  };
}

/** The proposer of a slot: one of the set, by a hash of the slot (the lab's stand-in for RANDAO). */
export function proposerOf(node: BeaconNode, slot: number): BeaconValidator {
  const pick = createHash('sha256').update(`proposer/${slot}`).digest().readUInt32BE(0);
  return node.validators[pick % node.validators.length]!;
}

const epochParam = (text: string | undefined) => (text && /^\d{1,15}$/.test(text) ? Number(text) : undefined);

/** Answers one request (method, path with query, and a POST's body) as the node's Beacon API would. */
export function beaconAnswer(node: BeaconNode, method: string, target: string, body = ''): BeaconAnswer {
  const url = new URL(target, 'http://node');
  const path = url.pathname;
  const head = node.view.head;
  const evidence = evidenceOf(node);
  const slashedNow = new Set(evidence.filter((e) => e.seenAt + INCLUSION_SLOTS <= head).map((e) => e.identity));
  if (method === 'GET' && path === '/eth/v1/node/syncing')
    return ok({
      data: {
        head_slot: String(head),
        sync_distance: node.view.behind ? '1' : '0',
        is_syncing: node.view.behind,
        is_optimistic: false,
        el_offline: false,
      },
    });
  if (method === 'GET' && path === '/eth/v1/config/spec')
    // SLOT_DURATION_MS as the consensus specs' newer configs give the slot (the lab's is below a
    // second, which SECONDS_PER_SLOT cannot say)
    return ok({
      data: {
        CONFIG_NAME: 'stake-lab',
        PRESET_BASE: 'stake-lab',
        SLOTS_PER_EPOCH: String(LAB_SLOTS_PER_EPOCH),
        SLOT_DURATION_MS: String(node.slotMs),
      },
    });
  if (method === 'GET' && path === '/eth/v1/beacon/headers/head') {
    if (head === 0) return error(404, 'NOT_FOUND: beacon block at head');
    return ok({
      execution_optimistic: false,
      finalized: false,
      data: {
        root: root(`block/${head}`),
        canonical: true,
        header: {
          message: {
            slot: String(head),
            proposer_index: String(proposerOf(node, head).index),
            parent_root: root(`block/${head - 1}`),
            state_root: root(`state/${head}`),
            body_root: root(`body/${head}`),
          },
          signature: signature(`header/${head}`),
        },
      },
    });
  }
  if (method === 'GET' && path === '/eth/v1/beacon/states/head/finality_checkpoints') {
    const checkpoint = (epoch: number) => ({
      epoch: String(Math.max(0, epoch)),
      root: root(`checkpoint/${Math.max(0, epoch)}`),
    });
    return ok({
      execution_optimistic: false,
      finalized: false,
      data: {
        previous_justified: checkpoint(head - 2),
        current_justified: checkpoint(head - 1),
        finalized: checkpoint(head - 2),
      },
    });
  }
  if (method === 'GET' && path === '/eth/v1/beacon/states/head/validators') {
    const ids = (url.searchParams.get('id') ?? '').split(',').filter(Boolean);
    if (ids.length > 64) return error(400, 'BAD_REQUEST: too many validator ids');
    const picked = node.validators.filter(
      (v) => ids.length === 0 || ids.includes(String(v.index)) || ids.some((id) => id.toLowerCase() === v.pubkey),
    );
    return ok({
      execution_optimistic: false,
      finalized: false,
      data: picked.map((v) => validatorEntry(node, v, v.identity !== undefined && slashedNow.has(v.identity))),
    });
  }
  if (method === 'GET' && path === '/eth/v1/beacon/pool/attester_slashings') {
    const pending = evidence.filter((e) => head < e.seenAt + INCLUSION_SLOTS);
    return ok({ data: attesterSlashings(node, pending) });
  }
  if (method === 'GET' && path === '/eth/v1/beacon/pool/proposer_slashings') return ok({ data: [] });
  const blinded = /^\/eth\/v1\/beacon\/blinded_blocks\/([^/]+)$/.exec(path);
  if (method === 'GET' && blinded) {
    const id = blinded[1]!;
    const slot = id === 'head' ? head : id === 'genesis' ? 0 : /^\d{1,15}$/.test(id) ? Number(id) : undefined;
    if (slot === undefined && !/^0x[0-9a-fA-F]{64}$/.test(id) && id !== 'finalized')
      return error(400, `BAD_REQUEST: Invalid block ID: ${id}`);
    const slotOf = slot ?? (id === 'finalized' ? Math.max(0, head - 2) : undefined);
    if (slotOf === undefined || slotOf > head || !node.view.get(slotOf))
      return error(404, `NOT_FOUND: beacon block at ${slotOf === undefined ? 'root' : `slot ${slotOf}`}`);
    return ok({
      version: 'deneb',
      execution_optimistic: false,
      finalized: slotOf <= head - 2,
      data: blindedBlock(
        node,
        slotOf,
        attesterSlashings(
          node,
          evidence.filter((e) => e.seenAt + INCLUSION_SLOTS === slotOf),
        ),
      ),
    });
  }
  const proposer = /^\/eth\/v1\/validator\/duties\/proposer\/([^/]+)$/.exec(path);
  if (method === 'GET' && proposer) {
    const epoch = epochParam(proposer[1]);
    if (epoch === undefined) return error(400, `BAD_REQUEST: invalid epoch ${JSON.stringify(proposer[1])}`);
    if (epoch > head + 1)
      return error(400, `BAD_REQUEST: epoch ${epoch} is more than one after the current epoch ${head}`);
    const slots = Array.from({ length: LAB_SLOTS_PER_EPOCH }, (_, i) => epoch * LAB_SLOTS_PER_EPOCH + i);
    return ok({
      dependent_root: root(`block/${Math.max(0, epoch - 1)}`),
      execution_optimistic: false,
      data: slots.map((slot) => {
        const v = proposerOf(node, slot);
        return { pubkey: v.pubkey, validator_index: String(v.index), slot: String(slot) };
      }),
    });
  }
  const liveness = /^\/eth\/v1\/validator\/liveness\/([^/]+)$/.exec(path);
  if (method === 'POST' && liveness) {
    const epoch = epochParam(liveness[1]);
    if (epoch === undefined) return error(400, `BAD_REQUEST: invalid epoch ${JSON.stringify(liveness[1])}`);
    if (epoch > head) return error(400, `BAD_REQUEST: epoch ${epoch} is after the current epoch ${head}`);
    let indices: unknown;
    try {
      indices = JSON.parse(body);
    } catch {
      return error(400, 'BAD_REQUEST: the body is not JSON');
    }
    if (
      !Array.isArray(indices) ||
      indices.length === 0 ||
      !indices.every((i) => typeof i === 'string' && /^\d+$/.test(i))
    )
      return error(400, 'BAD_REQUEST: the body must be a list of validator indices');
    const block = node.view.get(epoch);
    return ok({
      data: indices.map((i) => {
        const v = node.validators.find((x) => String(x.index) === i);
        const live = v?.identity ? (block?.signed.some((s) => s.identity === v.identity) ?? false) : v !== undefined;
        return { index: i, is_live: live };
      }),
    });
  }
  return error(404, 'NOT_FOUND');
}

/** The lab's validators: one per identity, then three others of the network. */
export function labBeaconValidators(
  identities: readonly { name: string; validatorIndex?: number; validatorPubkey?: string }[],
): BeaconValidator[] {
  const own = identities.flatMap((i) =>
    i.validatorIndex !== undefined
      ? [{ identity: i.name, index: i.validatorIndex, pubkey: i.validatorPubkey ?? labPubkey(i.name) }]
      : [],
  );
  const others = [0, 1, 2].map((n) => ({ index: n, pubkey: labPubkey(`other-${n}`) }));
  return [...others, ...own];
}
