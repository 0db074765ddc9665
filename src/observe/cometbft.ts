/**
 * The CometBFT RPC as the chain observer reads it (v0.38.25's JSON: int64 as strings, interface
 * values as {"type","value"}; see test/fixtures/reference/README.md §2): `/status` for the node's
 * head, network and sync state; `/block?height=H` for block H's `last_commit` (the precommits for
 * H-1, each with its validator address) and its evidence (DuplicateVoteEvidence: two votes of one
 * validator); `/validators` for the set. A block's last_commit is the canonical commit, so a height
 * is judged from the block above it: the head's own signatures are not final yet. Every field is
 * checked before it is used; an answer of another shape is an error of that source. Pure.
 */
import type { ApiRequest } from './http-on-host.js';
import type { Equivocation, HeightRecord } from './model.js';
import { isObject, type Parsed } from './json-fields.js';

export interface CometStatus {
  network: string;
  head: number;
  headTime: string;
  earliest: number;
  catchingUp: boolean;
}

export interface CometCommitSig {
  /** 1 absent, 2 commit, 3 nil (types/block.go BlockIDFlag). */
  flag: number;
  address: string;
  timestamp: string;
}

export interface CometBlock {
  height: number;
  hash: string;
  time: string;
  lastCommit: { height: number; round: number; signatures: CometCommitSig[] };
  /** DuplicateVoteEvidence: the validator and the height/round it voted twice at. */
  duplicateVotes: { address: string; height: number; round: number }[];
}

/** An int64 as libs/json writes it: a decimal string (a bare number is accepted too, never a float). */
function int64(v: unknown): number | undefined {
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}
const hexOf = (v: unknown, length?: number): string | undefined =>
  typeof v === 'string' && /^[0-9A-Fa-f]*$/.test(v) && (length === undefined || v.length === length)
    ? v.toUpperCase()
    : undefined;
const time = (v: unknown): string | undefined =>
  typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/.test(v) ? v : undefined;

/** The `result` of a JSON-RPC answer, or its error's words. */
function resultOf(v: unknown): { result: unknown } | { error: string } {
  if (!isObject(v) || v.jsonrpc !== '2.0') return { error: 'not a JSON-RPC 2.0 answer' };
  if (v.error !== undefined) {
    const e = v.error;
    const data = isObject(e) && typeof e.data === 'string' ? e.data : typeof e === 'string' ? e : 'an error';
    return { error: data.slice(0, 200) };
  }
  return { result: v.result };
}

export function parseStatus(answer: unknown): Parsed<CometStatus> {
  const rpc = resultOf(answer);
  if ('error' in rpc) return rpc;
  const { result } = rpc;
  if (!isObject(result) || !isObject(result.node_info) || !isObject(result.sync_info))
    return { error: '/status: no node_info and sync_info' };
  const network = result.node_info.network;
  const s = result.sync_info;
  const head = int64(s.latest_block_height);
  const earliest = int64(s.earliest_block_height);
  const headTime = time(s.latest_block_time);
  if (typeof network !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(network)) return { error: '/status: no network' };
  if (head === undefined || earliest === undefined || !headTime || typeof s.catching_up !== 'boolean')
    return { error: '/status: sync_info is not of the v0.38 shape' };
  return { network, head, headTime, earliest, catchingUp: s.catching_up };
}

function parseCommitSig(v: unknown): CometCommitSig | undefined {
  if (!isObject(v) || typeof v.block_id_flag !== 'number' || ![1, 2, 3].includes(v.block_id_flag)) return undefined;
  const address = v.block_id_flag === 1 ? '' : hexOf(v.validator_address, 40);
  const timestamp = typeof v.timestamp === 'string' && v.timestamp.length <= 40 ? v.timestamp : undefined;
  if (address === undefined || timestamp === undefined) return undefined;
  return { flag: v.block_id_flag, address, timestamp };
}

function parseDuplicateVote(v: unknown): CometBlock['duplicateVotes'][number] | undefined {
  if (!isObject(v) || v.type !== 'tendermint/DuplicateVoteEvidence' || !isObject(v.value)) return undefined;
  const a = v.value.vote_a;
  const b = v.value.vote_b;
  if (!isObject(a) || !isObject(b)) return undefined;
  const address = hexOf(a.validator_address, 40);
  const height = int64(a.height);
  const round = typeof a.round === 'number' && Number.isInteger(a.round) && a.round >= 0 ? a.round : undefined;
  if (!address || height === undefined || round === undefined) return undefined;
  // both votes are the same validator's at the same height and round, or it is not this evidence
  if (hexOf(b.validator_address, 40) !== address || int64(b.height) !== height || b.round !== round) return undefined;
  return { address, height, round };
}

export function parseBlock(answer: unknown): Parsed<CometBlock> {
  const rpc = resultOf(answer);
  if ('error' in rpc) return rpc;
  const { result } = rpc;
  if (!isObject(result) || !isObject(result.block) || !isObject(result.block_id))
    return { error: '/block: no block in the answer' };
  const { block } = result;
  const header = block.header;
  const commit = block.last_commit;
  const evidence = isObject(block.evidence) ? block.evidence.evidence : undefined;
  if (!isObject(header) || !isObject(commit)) return { error: '/block: no header or last_commit' };
  const height = int64(header.height);
  const hash = hexOf(result.block_id.hash);
  const at = time(header.time);
  const commitHeight = int64(commit.height);
  const round = typeof commit.round === 'number' ? commit.round : undefined;
  if (height === undefined || hash === undefined || !at || commitHeight === undefined || round === undefined)
    return { error: '/block: the header or last_commit is not of the v0.38 shape' };
  if (commitHeight !== height - 1) return { error: `/block: block ${height} commits height ${commitHeight}` };
  if (!Array.isArray(commit.signatures) || commit.signatures.length > 10_000)
    return { error: '/block: last_commit.signatures is not a list' };
  const signatures: CometCommitSig[] = [];
  for (const s of commit.signatures) {
    const sig = parseCommitSig(s);
    if (!sig) return { error: `/block ${height}: a commit signature of another shape` };
    signatures.push(sig);
  }
  if (evidence !== null && evidence !== undefined && !Array.isArray(evidence))
    return { error: `/block ${height}: evidence is not a list` };
  const duplicateVotes = (evidence ?? []).flatMap((e) => {
    const vote = parseDuplicateVote(e);
    return vote ? [vote] : [];
  });
  return { height, hash, time: at, lastCommit: { height: commitHeight, round, signatures }, duplicateVotes };
}

/** Which identity a consensus address belongs to. */
export type AddressBook = ReadonlyMap<string, string>;

/** The height a block judges (its last_commit's), with the identities that signed it. */
export function heightOf(block: CometBlock, book: AddressBook): { height: number; record: HeightRecord } {
  const record: HeightRecord = { signed: new Set(), at: new Map() };
  for (const s of block.lastCommit.signatures) {
    const identity = s.flag !== 1 ? book.get(s.address) : undefined;
    if (!identity) continue;
    // a nil vote (3) is a signature too: the key voted at that height, which is what equivocation and liveness turn on
    record.signed.add(identity);
    record.at.set(identity, s.timestamp);
  }
  return { height: block.lastCommit.height, record };
}

export function equivocationsIn(block: CometBlock, book: AddressBook, source: string): Equivocation[] {
  return block.duplicateVotes.flatMap((d) => {
    const identity = book.get(d.address);
    return identity
      ? [
          {
            identity,
            height: d.height,
            ...(d.round > 0 ? { round: d.round } : {}),
            what: `duplicate-vote evidence in block ${block.height}`,
            sources: [source],
          },
        ]
      : [];
  });
}

/** The validator set at the head: the addresses on the pages asked, and the set's size. */
export function parseValidators(answer: unknown): Parsed<{ addresses: string[]; total: number }> {
  const rpc = resultOf(answer);
  if ('error' in rpc) return rpc;
  const { result } = rpc;
  if (!isObject(result) || !Array.isArray(result.validators)) return { error: '/validators: no validators list' };
  const total = int64(result.total);
  if (total === undefined || result.validators.length > 100) return { error: '/validators: not of the v0.38 shape' };
  const addresses: string[] = [];
  for (const v of result.validators) {
    const address = isObject(v) ? hexOf(v.address, 40) : undefined;
    if (!address) return { error: '/validators: a validator without an address' };
    addresses.push(address);
  }
  return { addresses, total };
}

/** Pages of the set asked each round: 200 validators, more than the Cosmos Hub's active set (180). */
export const VALIDATOR_PAGES = 2;

/** The requests of one round: the status, the set, and the blocks above what was read (block H judges H-1). */
export function cometbftRequests(port: number, blocks: readonly number[], withSet = true): ApiRequest[] {
  return [
    { tag: 'status', port, method: 'GET', path: '/status' },
    ...(withSet
      ? Array.from({ length: VALIDATOR_PAGES }, (_, i): ApiRequest => ({
          tag: `validators/${i + 1}`,
          port,
          method: 'GET',
          path: `/validators?page=${i + 1}&per_page=100`,
        }))
      : []),
    ...blocks.map((h): ApiRequest => ({ tag: `block/${h}`, port, method: 'GET', path: `/block?height=${h}` })),
  ];
}

/** Identities whose key is not in a set read whole: jailed, tombstoned or unbonded. */
export function outOfSet(
  pages: readonly Parsed<{ addresses: string[]; total: number }>[],
  book: AddressBook,
): Map<string, string> | undefined {
  const addresses = new Set<string>();
  let total: number | undefined;
  for (const p of pages) {
    if ('error' in p) continue; // a page past the end is an error: the set is what came before it
    total = p.total;
    for (const a of p.addresses) addresses.add(a);
  }
  if (total === undefined || addresses.size < total) return undefined; // not read whole: no verdict
  const out = new Map<string, string>();
  for (const [address, identity] of book)
    if (!addresses.has(address)) out.set(identity, 'not in the validator set (jailed, tombstoned or unbonded)');
  return out;
}
