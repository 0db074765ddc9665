/**
 * The simulated CometBFT node's RPC: `/status`, `/block`, `/commit` and `/validators` answered from
 * the blocks the node holds, in exactly the JSON CometBFT v0.38.25 writes. The shapes come from the
 * server's Go types, not from memory (rpc/core/types/responses.go, types/block.go, types/vote.go,
 * types/evidence.go; libs/json writes int64 and int as strings and wraps interface values as
 * {"type","value"}); the tests validate every answer against the project's own description,
 * test/fixtures/reference/cometbft/openapi.v0.38.25.yaml, with the corrections its README names.
 * Errors are what rpc/core/env.go `getHeight` and rpc/jsonrpc/server/http_uri_handler.go say.
 * Pure: the node's view goes in, a status and a body come out.
 */
import { createHash } from 'node:crypto';
import type { ChainBlock } from '../chain/blocks.js';
import type { ChainView } from './chain-view.js';

/** What the node is and what it holds. */
export interface RpcNode {
  chainId: string;
  moniker: string;
  /** Its p2p node id (40 hex, lower case). */
  nodeId: string;
  listenAddr: string;
  rpcAddr: string;
  /** Its own validator key (a node with none shows its generated one, with no power). */
  own: { address: string; publicKey: string };
  /** The validator set, as the chain has it. */
  validators: RpcValidator[];
  view: ChainView;
  catchingUp: boolean;
}

export interface RpcValidator {
  /** The lab identity it stands for; other validators of the network have none. */
  identity?: string;
  address: string;
  publicKey: string;
  power: number;
}

export interface RpcAnswer {
  status: number;
  body: string;
}

/** What the server calls itself at the pinned version (version/version.go; protocol versions in version/version.go). */
export const COMETBFT_VERSION = '0.38.25';
const P2P_PROTOCOL = '8';
const BLOCK_PROTOCOL = '11';
/** The channels a v0.38 node advertises (node/node.go, the reactors' channel ids). */
const CHANNELS = '40202122233038606100';
/** Go's zero time, as encoding/json writes it. */
const ZERO_TIME = '0001-01-01T00:00:00Z';
/** types.BlockIDFlag: absent, commit, nil (types/block.go). */
const FLAG = { absent: 1, commit: 2 } as const;
/** cmtproto.SignedMsgType for a precommit. */
const PRECOMMIT = 2;

const hex = (text: string) => createHash('sha256').update(text).digest('hex').toUpperCase();
const signatureOf = (text: string) =>
  Buffer.concat([
    createHash('sha256').update(text).digest(),
    createHash('sha256').update(`${text}/2`).digest(),
  ]).toString('base64');

/** An ISO time as Go's RFC3339Nano writes it: trailing zeros of the fraction dropped. */
export function goTime(iso: string): string {
  return iso.replace(/\.(\d*?)0+Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** The validator set in CometBFT's order: voting power descending, then address ascending. */
export function orderedSet(validators: readonly RpcValidator[]): RpcValidator[] {
  return [...validators].sort(
    (a, b) => b.power - a.power || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0),
  );
}

function blockId(chainId: string, height: number) {
  return { hash: hex(`${chainId}/block/${height}`), parts: { total: 1, hash: hex(`${chainId}/parts/${height}`) } };
}
const NO_BLOCK_ID = { hash: '', parts: { total: 0, hash: '' } };

function header(node: RpcNode, block: ChainBlock) {
  const set = orderedSet(node.validators);
  const valHash = hex(`${node.chainId}/validators/${set.map((v) => v.address).join(',')}`);
  const proposer = set[block.height % set.length]!;
  return {
    version: { block: BLOCK_PROTOCOL, app: '0' },
    chain_id: node.chainId,
    height: String(block.height),
    time: goTime(block.time),
    last_block_id: block.height > 1 ? blockId(node.chainId, block.height - 1) : NO_BLOCK_ID,
    last_commit_hash: hex(`${node.chainId}/last-commit/${block.height}`),
    data_hash: hex(''),
    validators_hash: valHash,
    next_validators_hash: valHash,
    consensus_hash: hex(`${node.chainId}/consensus`),
    app_hash: hex(`${node.chainId}/app/${block.height}`),
    last_results_hash: hex(''),
    evidence_hash: block.evidence.length ? hex(`${node.chainId}/evidence/${block.height}`) : '',
    proposer_address: proposer.address,
  };
}

/** One entry per validator of the set, in its order: the lab identities as the block says, the others always. */
function commitSignatures(node: RpcNode, block: ChainBlock) {
  return orderedSet(node.validators).map((v) => {
    const signed = v.identity ? block.signed.find((s) => s.identity === v.identity) : { at: block.time };
    return signed
      ? {
          block_id_flag: FLAG.commit,
          validator_address: v.address,
          timestamp: goTime(signed.at),
          signature: signatureOf(`${node.chainId}/${block.height}/${v.address}`),
        }
      : { block_id_flag: FLAG.absent, validator_address: '', timestamp: ZERO_TIME, signature: null };
  });
}

function commitOf(node: RpcNode, block: ChainBlock) {
  return {
    height: String(block.height),
    round: block.round,
    block_id: blockId(node.chainId, block.height),
    signatures: commitSignatures(node, block),
  };
}

/** DuplicateVoteEvidence (types/evidence.go): the two conflicting precommits, ordered by block id. */
function evidenceOf(node: RpcNode, block: ChainBlock) {
  const set = orderedSet(node.validators);
  const total = set.reduce((n, v) => n + v.power, 0);
  return block.evidence.flatMap((e) => {
    const index = set.findIndex((v) => v.identity === e.identity);
    if (index < 0) return [];
    const v = set[index]!;
    const vote = (which: string) => ({
      type: PRECOMMIT,
      height: String(e.height),
      round: e.round,
      block_id:
        which === 'a'
          ? blockId(node.chainId, e.height)
          : { hash: hex(`${node.chainId}/conflicting/${e.height}`), parts: { total: 1, hash: hex(`${e.height}/b`) } },
      timestamp: goTime(e.at),
      validator_address: v.address,
      validator_index: index,
      signature: signatureOf(`${node.chainId}/${e.height}/${e.round}/${which}`),
      extension: null,
      extension_signature: null,
    });
    const [a, b] = [vote('a'), vote('b')].sort((x, y) => (x.block_id.hash < y.block_id.hash ? -1 : 1));
    return [
      {
        type: 'tendermint/DuplicateVoteEvidence',
        value: {
          vote_a: a,
          vote_b: b,
          TotalVotingPower: String(total),
          ValidatorPower: String(v.power),
          Timestamp: goTime(block.time),
        },
      },
    ];
  });
}

const success = (result: unknown): RpcAnswer => ({
  status: 200,
  body: JSON.stringify({ jsonrpc: '2.0', id: -1, result }, null, 2),
});
const failure = (code: number, message: string, data: string): RpcAnswer => ({
  status: 500,
  body: JSON.stringify({ jsonrpc: '2.0', id: -1, error: { code, message, data } }, null, 2),
});
const internal = (data: string) => failure(-32603, 'Internal error', data);

/** rpc/core/env.go getHeight: the latest when none is given, else a height the node holds. */
function heightParam(node: RpcNode, query: URLSearchParams): number | RpcAnswer {
  const raw = query.get('height');
  if (raw === null || raw === '') return node.view.head;
  const text = raw.replace(/^"(.*)"$/, '$1');
  if (!/^-?\d{1,18}$/.test(text))
    return failure(
      -32602,
      'Invalid params',
      `error converting http params to arguments: invalid character in height ${JSON.stringify(raw)}`,
    );
  const height = Number(text);
  if (height <= 0) return internal(`height must be greater than 0, but got ${height}`);
  if (height > node.view.head)
    return internal(`height ${height} must be less than or equal to the current blockchain height ${node.view.head}`);
  if (height < node.view.base) return internal(`height ${height} is not available, lowest height is ${node.view.base}`);
  return height;
}

/** rpc/core/env.go validatePerPage: 30 when absent or below 1, at most 100. */
function perPageOf(query: URLSearchParams): number {
  const n = Number(query.get('per_page') ?? '');
  return !Number.isInteger(n) || n < 1 ? 30 : Math.min(n, 100);
}

/** rpc/core/env.go validatePage: 1 when absent, else within the pages there are. */
function pageOf(query: URLSearchParams, total: number): number | RpcAnswer {
  const raw = query.get('page');
  if (raw === null || raw === '') return 1;
  const page = Number(raw);
  const pages = Math.max(1, Math.floor((total - 1) / perPageOf(query)) + 1);
  if (!Number.isInteger(page) || page <= 0 || page > pages)
    return internal(`page should be within [1, ${pages}] range, given ${raw}`);
  return page;
}

/** Answers one GET request (path and query string) as the node's RPC would. */
export function rpcAnswer(node: RpcNode, target: string): RpcAnswer {
  const url = new URL(target, 'http://node');
  const { view } = node;
  switch (url.pathname) {
    case '/status': {
      const latest = view.get(view.head);
      const earliest = view.get(view.base);
      const own = node.validators.find((v) => v.address === node.own.address);
      return success({
        node_info: {
          protocol_version: { p2p: P2P_PROTOCOL, block: BLOCK_PROTOCOL, app: '0' },
          id: node.nodeId,
          listen_addr: node.listenAddr,
          network: node.chainId,
          version: COMETBFT_VERSION,
          channels: CHANNELS,
          moniker: node.moniker,
          other: { tx_index: 'on', rpc_address: node.rpcAddr },
        },
        sync_info: {
          latest_block_hash: latest ? blockId(node.chainId, latest.height).hash : '',
          latest_app_hash: latest ? hex(`${node.chainId}/app/${latest.height}`) : '',
          latest_block_height: String(view.head),
          latest_block_time: latest ? goTime(latest.time) : ZERO_TIME,
          earliest_block_hash: earliest ? blockId(node.chainId, earliest.height).hash : '',
          earliest_app_hash: earliest ? hex(`${node.chainId}/app/${earliest.height}`) : '',
          earliest_block_height: String(view.base),
          earliest_block_time: earliest ? goTime(earliest.time) : ZERO_TIME,
          catching_up: node.catchingUp,
        },
        validator_info: {
          address: node.own.address,
          pub_key: { type: 'tendermint/PubKeyEd25519', value: node.own.publicKey },
          voting_power: String(own?.power ?? 0),
        },
      });
    }
    case '/block':
    case '/commit': {
      const height = heightParam(node, url.searchParams);
      if (typeof height !== 'number') return height;
      const block = view.get(height);
      // a node with no block yet answers as CometBFT does for an empty store (rpc/core/blocks.go)
      if (!block) return success(url.pathname === '/commit' ? null : { block_id: NO_BLOCK_ID, block: null });
      if (url.pathname === '/commit')
        return success({
          signed_header: { header: header(node, block), commit: commitOf(node, block) },
          canonical: height < view.head,
        });
      const previous = view.get(height - 1);
      return success({
        block_id: blockId(node.chainId, height),
        block: {
          header: header(node, block),
          data: { txs: [] },
          evidence: { evidence: evidenceOf(node, block) },
          last_commit: previous
            ? commitOf(node, previous)
            : { height: String(height - 1), round: 0, block_id: NO_BLOCK_ID, signatures: [] },
        },
      });
    }
    case '/validators': {
      // rpc/core/consensus.go Validators: the latest uncommitted height by default, then one page
      const asked = url.searchParams.get('height');
      const height =
        asked === null || asked === ''
          ? node.view.head + (node.catchingUp ? 0 : 1)
          : heightParam(node, url.searchParams);
      if (typeof height !== 'number') return height;
      const set = orderedSet(node.validators);
      const page = pageOf(url.searchParams, set.length);
      if (typeof page !== 'number') return page;
      const perPage = perPageOf(url.searchParams);
      const shown = set.slice((page - 1) * perPage, (page - 1) * perPage + perPage);
      return success({
        block_height: String(height),
        validators: shown.map((v) => ({
          address: v.address,
          pub_key: { type: 'tendermint/PubKeyEd25519', value: v.publicKey },
          voting_power: String(v.power),
          proposer_priority: '0',
        })),
        count: String(shown.length),
        total: String(set.length),
      });
    }
    default:
      return { status: 404, body: '404 page not found\n' };
  }
}

/** The network's other validators: always signing, so a commit holds more than the lab's own. */
export function otherValidators(chainId: string, count = 3): RpcValidator[] {
  return Array.from({ length: count }, (_, i) => ({
    address: hex(`${chainId}/other-validator/${i}`).slice(0, 40),
    publicKey: createHash('sha256').update(`${chainId}/other-validator-key/${i}`).digest('base64'),
    power: 10,
  }));
}
