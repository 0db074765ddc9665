/**
 * CometBFT's own RPC description (test/fixtures/reference/cometbft/openapi.v0.38.25.yaml) as a
 * validator of answers, with the corrections where the description and the v0.38.25 server's Go
 * types disagree (each named below with the type it comes from; test/fixtures/reference/README.md
 * §2 says why). Everything else is the description as upstream wrote it.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { projectPath } from '../../src/paths.js';

const SPEC = projectPath('test', 'fixtures', 'reference', 'cometbft', 'openapi.v0.38.25.yaml');

/** types/block.go CommitSig: what last_commit.signatures holds (the description reuses the Vote shape). */
const COMMIT_SIG = {
  type: 'object',
  required: ['block_id_flag', 'validator_address', 'timestamp', 'signature'],
  properties: {
    block_id_flag: { type: 'integer' },
    validator_address: { type: 'string' },
    timestamp: { type: 'string' },
    signature: { type: 'string', nullable: true },
  },
};

/** types/vote.go Vote, as libs/json writes it (int64 height as a string). */
const VOTE = {
  type: 'object',
  required: ['type', 'height', 'round', 'block_id', 'timestamp', 'validator_address', 'validator_index', 'signature'],
  properties: {
    type: { type: 'integer' },
    height: { type: 'string', pattern: '^[0-9]+$' },
    round: { type: 'integer' },
    block_id: { $ref: '#/components/schemas/BlockID' },
    timestamp: { type: 'string' },
    validator_address: { type: 'string' },
    validator_index: { type: 'integer' },
    signature: { type: 'string' },
  },
};

/** The corrections, by where they apply: [path of keys from the document's root, the schema the server's type gives]. */
export const ERRATA: [string[], unknown][] = [
  // types/block.go Data: {"txs": [...]}, not an array
  [
    ['components', 'schemas', 'Block', 'properties', 'data'],
    {
      type: 'object',
      required: ['txs'],
      properties: { txs: { type: 'array', nullable: true, items: { type: 'string' } } },
    },
  ],
  // types/block.go EvidenceData {"evidence": [...]}; each item an interface value {"type","value"} (types/evidence.go)
  [
    ['components', 'schemas', 'Block', 'properties', 'evidence'],
    {
      type: 'object',
      required: ['evidence'],
      properties: {
        evidence: {
          type: 'array',
          items: {
            type: 'object',
            required: ['type', 'value'],
            properties: {
              type: { enum: ['tendermint/DuplicateVoteEvidence', 'tendermint/LightClientAttackEvidence'] },
              value: {
                type: 'object',
                required: ['vote_a', 'vote_b', 'TotalVotingPower', 'ValidatorPower', 'Timestamp'],
                properties: {
                  vote_a: VOTE,
                  vote_b: VOTE,
                  TotalVotingPower: { type: 'string', pattern: '^[0-9]+$' },
                  ValidatorPower: { type: 'string', pattern: '^[0-9]+$' },
                  Timestamp: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  ],
  // types/block.go Commit.Height is an int64: a string
  [['components', 'schemas', 'Block', 'properties', 'last_commit', 'properties', 'height'], { type: 'string' }],
  [['components', 'schemas', 'Block', 'properties', 'last_commit', 'properties', 'signatures', 'items'], COMMIT_SIG],
  // types/block.go CommitSig.Signature is a []byte: an absent validator's nil is written as null
  [
    [
      'components',
      'schemas',
      'CommitResponse',
      'properties',
      'result',
      'properties',
      'signed_header',
      'properties',
      'commit',
      'properties',
      'signatures',
      'items',
      'properties',
      'signature',
    ],
    { type: 'string', nullable: true },
  ],
  // rpc/jsonrpc/types/types.go RPCError {code, message, data}
  [
    ['components', 'schemas', 'ErrorResponse', 'allOf', '1', 'properties', 'error'],
    {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'integer' }, message: { type: 'string' }, data: { type: 'string' } },
    },
  ],
];

function setIn(doc: Record<string, unknown>, path: string[], value: unknown): void {
  let at: Record<string, unknown> = doc;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null) throw new Error(`erratum path ${path.join('.')}: no ${key}`);
    at = next as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (!(last in at)) throw new Error(`erratum path ${path.join('.')}: the description has no ${last} to correct`);
  at[last] = value;
}

/** Validators for the responses the observer reads, by schema name (StatusResponse, BlockResponse, ...). */
export function cometbftSchemas(corrected = true): (name: string) => (value: unknown) => string[] {
  const doc = parse(readFileSync(SPEC, 'utf8')) as Record<string, unknown>;
  if (corrected) for (const [path, schema] of ERRATA) setIn(doc, path, schema);
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'cometbft', components: doc.components }, 'cometbft');
  return (name) => {
    const validate = ajv.getSchema(`cometbft#/components/schemas/${name}`);
    if (!validate) throw new Error(`no schema ${name} in the description`);
    return (value) =>
      validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}
