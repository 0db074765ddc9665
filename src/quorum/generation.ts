/**
 * The generation guard of the failover protocol (docs/failover.md). Each identity's generation record lives on
 * its quorum hosts (active, standbys, witness); the live truth is the highest generation a
 * majority of them hold, not the inventory file. Deploy reads it first and refuses a checkout
 * whose `active` is not the live active host: someone failed over since it was pulled.
 *
 * Pure decisions here; reading and writing the records over SSH is the applier's.
 */
import { posix } from 'node:path';
import type { ResolvedHost, ResolvedIdentity } from '../inventory/resolve.js';
import { sealedPath, validatorKeyFiles, type KeyFile } from '../keys/layout.js';
import { cometbftAddressOf, identityKeyAtPathTest } from '../keys/held.js';
import { generationPath } from '../plan/host-layout.js';
import { braceGroup, printFileLine, shq, writeFileLines } from '../ssh/shell.js';
import { isCount, isListOf, isRecordOf, isShortString, parseRecord, RECORD_LIMITS } from '../ssh/host-records.js';

export interface GenerationRecord {
  generation: number;
  active: string;
  since: string;
  approvers: string[];
  plan: string;
}

/** Where a cometbft validator keeps its signing key: the one place keys/layout.ts says. */
export const COMETBFT_KEY = validatorKeyFiles('cosmos')[0]!.path;

export const quorumOf = (id: ResolvedIdentity): ResolvedHost[] => [
  id.active,
  ...id.standby,
  ...(id.witness ? [id.witness] : []),
];
export const majorityOf = (n: number) => Math.floor(n / 2) + 1;

/** What one quorum host said: its record (null when it has none), and the address of the key it holds, if any. */
export interface QuorumAnswer {
  host: string;
  record: GenerationRecord | null;
  keyAddress?: string;
}

export type GenerationVerdict =
  | { kind: 'first'; quorum: string[] }
  | { kind: 'live'; record: GenerationRecord; holders: string[] }
  | { kind: 'stale'; record: GenerationRecord; holders: string[]; inventoryActive: string }
  | { kind: 'unknown'; why: string };

/** Reads the record and the key's address on one quorum host, in one command. */
export function quorumReadScript(root: string, identity: string): string {
  const gen = shq(posix.join(root, generationPath(identity)));
  const key = shq(posix.join(root, COMETBFT_KEY));
  return [
    printFileLine('G', gen),
    `if [ -f ${key} ]; then printf 'K\\t%s\\n' "${cometbftAddressOf(key)}"; fi`,
    'true',
    '',
  ].join('\n');
}

/** The record's shape, exactly: the fields stake writes (../failover/steps/move.ts), bounded; nothing else. */
const isGenerationRecord = isRecordOf<GenerationRecord>({
  generation: isCount,
  active: isShortString(),
  since: isShortString(),
  approvers: isListOf(isShortString(), 64),
  plan: isShortString(),
});

/**
 * A record's JSON; null when damaged, oversized or of another shape (wrong types, extra fields):
 * such a record counts as no record from that host, never as a generation it could claim.
 */
export function parseGenerationRecord(json: string | undefined): GenerationRecord | null {
  return parseRecord(json, isGenerationRecord, RECORD_LIMITS.smallJson) ?? null;
}

export function parseQuorumAnswer(host: string, output: string): QuorumAnswer {
  const answer: QuorumAnswer = { host, record: null };
  for (const line of output.split('\n')) {
    const [kind, ...rest] = line.split('\t');
    const value = rest.join('\t');
    if (kind === 'G') {
      answer.record = parseGenerationRecord(value);
    } else if (kind === 'K' && /^[0-9A-Fa-f]{40}$/.test(value)) {
      answer.keyAddress = value.toUpperCase();
    }
  }
  return answer;
}

/**
 * The live generation from the answers of the quorum hosts that could be reached.
 * - no host has a record and a majority answered: the identity was never deployed (first);
 * - a majority holds one generation that is the highest seen: that is the live truth;
 * - otherwise nothing can be trusted: unknown (deploy refuses).
 */
export function decideGeneration(identity: ResolvedIdentity, answers: readonly QuorumAnswer[]): GenerationVerdict {
  const quorum = quorumOf(identity).map((h) => h.name);
  const needed = majorityOf(quorum.length);
  if (answers.length < needed) {
    return {
      kind: 'unknown',
      why: `only ${answers.length} of ${quorum.length} quorum hosts (${quorum.join(', ')}) answered; ${needed} are needed to know which host is live`,
    };
  }
  const records = answers.filter((a) => a.record !== null);
  if (records.length === 0) return { kind: 'first', quorum };
  const highest = Math.max(...records.map((a) => a.record!.generation));
  const holders = records.filter((a) => a.record!.generation === highest);
  if (holders.length < needed) {
    return {
      kind: 'unknown',
      why: `generation ${highest} is held by ${holders.map((a) => a.host).join(', ')} only, not by a majority of ${quorum.join(', ')}: a failover may be in progress (stake failover --resume)`,
    };
  }
  const record = holders[0]!.record!;
  const names = holders.map((a) => a.host);
  if (record.active !== identity.active.name)
    return { kind: 'stale', record, holders: names, inventoryActive: identity.active.name };
  return { kind: 'live', record, holders: names };
}

/** The record a first deploy writes: generation 1, the inventory's active host. */
export function firstRecord(identity: ResolvedIdentity, by: string, now: Date): GenerationRecord {
  return {
    generation: 1,
    active: identity.active.name,
    since: now.toISOString(),
    approvers: [],
    plan: `first deploy by ${by}`,
  };
}

/** Writes the record with the one write idiom (../ssh/shell.ts): no link followed out of the root, an exclusive temp. */
export function writeRecordScript(root: string, identity: string, record: GenerationRecord): string {
  return braceGroup([
    'set -eu',
    ...writeFileLines(root, generationPath(identity), `${JSON.stringify(record)}\n`, '0644'),
  ]);
}

/**
 * The reachable quorum hosts whose record is behind the live one: a host that was down or cut
 * off through a failover (one made with --old-host-dead) still holds the generation before it,
 * and would never agree as a failover's target. Copying the record a majority already holds is
 * all that settles it: no generation is made up.
 */
export function laggingHosts(verdict: GenerationVerdict, answers: readonly QuorumAnswer[]): string[] {
  if (verdict.kind !== 'live') return [];
  return answers
    .filter((a) => (a.record?.generation ?? 0) < verdict.record.generation && a.host !== verdict.record.active)
    .map((a) => a.host);
}

/**
 * Writes the live record on a lagging host, unless one of the identity's own signing keys sits
 * at its active path there (printed `H path`: a host back from a failover it missed, its key still
 * in place, which must be fenced by hand first). Prints `S` once written.
 */
export function settleRecordScript(
  root: string,
  identity: string,
  record: GenerationRecord,
  keys: readonly KeyFile[],
): string {
  const on = (p: string) => shq(posix.join(root, p));
  return braceGroup([
    'set -eu',
    // the identity's own key, not one CometBFT made itself beside the sealed one (../keys/held.ts)
    ...keys.map(
      (k) =>
        `if ${identityKeyAtPathTest(on(k.path), on(sealedPath(identity, k)), k)}; then printf 'H\\t%s\\n' ${shq(k.path)}; exit 0; fi`,
    ),
    ...writeFileLines(root, generationPath(identity), `${JSON.stringify(record)}\n`, '0644'),
    "printf 'S\\n'",
  ]);
}

/** What the settle script said: settled, or the key file that stopped it; undefined for anything else. */
export function parseSettle(output: string): { settled: true } | { settled: false; heldKey: string } | undefined {
  const line = output.split('\n').find((l) => l === 'S' || l.startsWith('H\t'));
  if (line === 'S') return { settled: true };
  const path = line?.slice(2);
  return path && /^\/[\w./-]{1,200}$/.test(path) ? { settled: false, heldKey: path } : undefined;
}

/**
 * Hosts that hold the live active host's signing key without being it: starting their signing
 * service would be a double sign. Compared by the key's address (derived from its public half),
 * never by the key itself.
 */
export function duplicateKeyHolders(live: string, answers: readonly QuorumAnswer[]): string[] {
  const activeKey = answers.find((a) => a.host === live)?.keyAddress;
  if (!activeKey) return [];
  return answers.filter((a) => a.host !== live && a.keyAddress === activeKey).map((a) => a.host);
}
