/**
 * EIP-3076 slashing protection: the interchange format (version 5) and the rules a signer must
 * keep after importing one. It stores every record (the "complete" strategy) and refuses:
 * - a block at a slot already signed, unless it is the same block (same, known signing root);
 * - a block at or below the lowest slot on record, unless it is such a repeat;
 * - an attestation whose source is after its target;
 * - a double vote (same target, not the same known signing root) or a surround vote (either way);
 * - an attestation with a source below the lowest source on record, or a target at or below the
 *   lowest target on record, unless it is a repeat.
 * A repeat needs both signing roots known and equal: a record imported without one is never
 * repeated. Pure; failover's step 4 and
 * `stake protection` build on it, and it passes the official interchange test suite.
 */

export const INTERCHANGE_VERSION = '5';

export interface SignedBlock {
  slot: bigint;
  signingRoot?: string;
}

export interface SignedAttestation {
  source: bigint;
  target: bigint;
  signingRoot?: string;
}

interface Record {
  blocks: SignedBlock[];
  attestations: SignedAttestation[];
}

export interface InterchangeJson {
  metadata: { interchange_format_version: string; genesis_validators_root: string };
  data: {
    pubkey: string;
    signed_blocks: { slot: string; signing_root?: string }[];
    signed_attestations: { source_epoch: string; target_epoch: string; signing_root?: string }[];
  }[];
}

export class InterchangeError extends Error {}

export type Verdict = { ok: true } | { ok: false; why: string };

const ROOT = /^0x[0-9a-fA-F]{64}$/;
const PUBKEY = /^0x[0-9a-fA-F]{96}$/;
const UINT = /^(0|[1-9][0-9]{0,19})$/;

function uint(value: unknown, where: string): bigint {
  if (typeof value !== 'string' || !UINT.test(value))
    throw new InterchangeError(`${where} must be a decimal string, not ${JSON.stringify(value)}`);
  const n = BigInt(value);
  if (n > 0xffffffffffffffffn) throw new InterchangeError(`${where} ${value} does not fit in uint64`);
  return n;
}

function root(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !ROOT.test(value))
    throw new InterchangeError(`${where} must be 0x and 64 hex digits, not ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

/** Checks an interchange document's shape; throws InterchangeError naming the first bad field. */
export function parseInterchange(raw: unknown): { genesisValidatorsRoot: string; records: Map<string, Record> } {
  const doc = raw as InterchangeJson;
  if (typeof doc !== 'object' || doc === null || typeof doc.metadata !== 'object' || doc.metadata === null)
    throw new InterchangeError('not an interchange document: no metadata');
  if (doc.metadata.interchange_format_version !== INTERCHANGE_VERSION)
    throw new InterchangeError(
      `interchange_format_version ${JSON.stringify(doc.metadata.interchange_format_version)} is not "5"`,
    );
  const gvrText = root(doc.metadata.genesis_validators_root, 'metadata.genesis_validators_root');
  if (gvrText === undefined) throw new InterchangeError('metadata.genesis_validators_root is missing');
  if (!Array.isArray(doc.data)) throw new InterchangeError('data must be a list');
  const records = new Map<string, Record>();
  doc.data.forEach((entry, i) => {
    if (typeof entry?.pubkey !== 'string' || !PUBKEY.test(entry.pubkey))
      throw new InterchangeError(`data[${i}].pubkey must be 0x and 96 hex digits`);
    const key = entry.pubkey.toLowerCase();
    const record = records.get(key) ?? { blocks: [], attestations: [] };
    // a list that is something else would be read as no history at all: refused, never skipped
    for (const field of ['signed_blocks', 'signed_attestations'] as const)
      if (entry[field] !== undefined && !Array.isArray(entry[field]))
        throw new InterchangeError(`data[${i}].${field} must be a list`);
    for (const [j, b] of (entry.signed_blocks ?? []).entries()) {
      const signingRoot = root(b.signing_root, `data[${i}].signed_blocks[${j}].signing_root`);
      record.blocks.push({
        slot: uint(b.slot, `data[${i}].signed_blocks[${j}].slot`),
        ...(signingRoot ? { signingRoot } : {}),
      });
    }
    for (const [j, a] of (entry.signed_attestations ?? []).entries()) {
      const signingRoot = root(a.signing_root, `data[${i}].signed_attestations[${j}].signing_root`);
      record.attestations.push({
        source: uint(a.source_epoch, `data[${i}].signed_attestations[${j}].source_epoch`),
        target: uint(a.target_epoch, `data[${i}].signed_attestations[${j}].target_epoch`),
        ...(signingRoot ? { signingRoot } : {}),
      });
    }
    records.set(key, record);
  });
  return { genesisValidatorsRoot: gvrText, records };
}

const min = (xs: bigint[]) => xs.reduce<bigint | undefined>((m, x) => (m === undefined || x < m ? x : m), undefined);
const sameKnownRoot = (a?: string, b?: string) => a !== undefined && b !== undefined && a === b;

/** One signer's slashing-protection database: every signed block and attestation per public key. */
export class SlashingProtection {
  private readonly records = new Map<string, Record>();

  constructor(readonly genesisValidatorsRoot: string) {
    if (!ROOT.test(genesisValidatorsRoot))
      throw new InterchangeError(`genesis validators root must be 0x and 64 hex digits, not ${genesisValidatorsRoot}`);
    this.genesisValidatorsRoot = genesisValidatorsRoot.toLowerCase();
  }

  private record(pubkey: string): Record {
    const key = pubkey.toLowerCase();
    let r = this.records.get(key);
    if (!r) {
      r = { blocks: [], attestations: [] };
      this.records.set(key, r);
    }
    return r;
  }

  /** Imports an interchange (merging with what is held); refuses one from another chain. Nothing is imported on refusal. */
  import(raw: unknown): void {
    const parsed = parseInterchange(raw);
    if (parsed.genesisValidatorsRoot !== this.genesisValidatorsRoot) {
      throw new InterchangeError(
        `the interchange is for genesis validators root ${parsed.genesisValidatorsRoot}, this database for ${this.genesisValidatorsRoot}: another chain`,
      );
    }
    for (const [key, incoming] of parsed.records) {
      for (const b of incoming.blocks) this.addBlock(key, b);
      for (const a of incoming.attestations) this.addAttestation(key, a);
    }
  }

  /** Records a block once (an identical record is not stored twice). */
  private addBlock(pubkey: string, b: SignedBlock): void {
    const r = this.record(pubkey);
    if (!r.blocks.some((x) => x.slot === b.slot && x.signingRoot === b.signingRoot)) r.blocks.push(b);
  }

  private addAttestation(pubkey: string, a: SignedAttestation): void {
    const r = this.record(pubkey);
    if (!r.attestations.some((x) => x.source === a.source && x.target === a.target && x.signingRoot === a.signingRoot))
      r.attestations.push(a);
  }

  checkBlock(pubkey: string, slot: bigint, signingRoot?: string): Verdict {
    const r = this.records.get(pubkey.toLowerCase());
    if (!r) return { ok: true };
    const known = signingRoot?.toLowerCase();
    const atSlot = r.blocks.filter((b) => b.slot === slot);
    if (atSlot.length)
      return atSlot.every((b) => sameKnownRoot(b.signingRoot, known))
        ? { ok: true }
        : { ok: false, why: `a different block at slot ${slot} is already signed (double proposal)` };
    const lowest = min(r.blocks.map((b) => b.slot));
    if (lowest !== undefined && slot <= lowest)
      return { ok: false, why: `slot ${slot} is at or below the lowest signed slot ${lowest}` };
    return { ok: true };
  }

  checkAttestation(pubkey: string, source: bigint, target: bigint, signingRoot?: string): Verdict {
    if (source > target) return { ok: false, why: `source epoch ${source} is after target epoch ${target}` };
    const r = this.records.get(pubkey.toLowerCase());
    if (!r) return { ok: true };
    const known = signingRoot?.toLowerCase();
    const sameTarget = r.attestations.filter((a) => a.target === target);
    if (sameTarget.length) {
      return sameTarget.every((a) => a.source === source && sameKnownRoot(a.signingRoot, known))
        ? { ok: true }
        : { ok: false, why: `another attestation for target epoch ${target} is already signed (double vote)` };
    }
    for (const a of r.attestations) {
      if (a.source < source && target < a.target)
        return { ok: false, why: `surrounded by the signed attestation ${a.source}->${a.target}` };
      if (source < a.source && a.target < target)
        return { ok: false, why: `surrounds the signed attestation ${a.source}->${a.target}` };
    }
    const lowestSource = min(r.attestations.map((a) => a.source));
    if (lowestSource !== undefined && source < lowestSource)
      return { ok: false, why: `source epoch ${source} is below the lowest signed source ${lowestSource}` };
    const lowestTarget = min(r.attestations.map((a) => a.target));
    if (lowestTarget !== undefined && target <= lowestTarget)
      return { ok: false, why: `target epoch ${target} is at or below the lowest signed target ${lowestTarget}` };
    return { ok: true };
  }

  /** Checks, and records when allowed (what a signer does just before signing). */
  signBlock(pubkey: string, slot: bigint, signingRoot?: string): Verdict {
    const v = this.checkBlock(pubkey, slot, signingRoot);
    if (v.ok) this.addBlock(pubkey, { slot, ...(signingRoot ? { signingRoot: signingRoot.toLowerCase() } : {}) });
    return v;
  }

  signAttestation(pubkey: string, source: bigint, target: bigint, signingRoot?: string): Verdict {
    const v = this.checkAttestation(pubkey, source, target, signingRoot);
    if (v.ok)
      this.addAttestation(pubkey, {
        source,
        target,
        ...(signingRoot ? { signingRoot: signingRoot.toLowerCase() } : {}),
      });
    return v;
  }

  /**
   * The database as an interchange document: every record (complete form), or per key only the
   * highest block and the attestation with the highest target (EIP-3076's minimal form, which
   * keeps the low watermarks and stays small on a signer that writes it at every slot).
   */
  export(form: 'complete' | 'minimal' = 'complete'): InterchangeJson {
    const keep = <T>(xs: T[], rank: (x: T) => bigint): T[] =>
      form === 'complete' || xs.length === 0 ? xs : [xs.reduce((best, x) => (rank(x) > rank(best) ? x : best))];
    return {
      metadata: {
        interchange_format_version: INTERCHANGE_VERSION,
        genesis_validators_root: this.genesisValidatorsRoot,
      },
      data: [...this.records.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([pubkey, r]) => ({
          pubkey,
          signed_blocks: keep(r.blocks, (b) => b.slot)
            .slice()
            .sort((a, b) => (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0))
            .map((b) => ({ slot: String(b.slot), ...(b.signingRoot ? { signing_root: b.signingRoot } : {}) })),
          signed_attestations: keep(r.attestations, (a) => a.target)
            .slice()
            .sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0))
            .map((a) => ({
              source_epoch: String(a.source),
              target_epoch: String(a.target),
              ...(a.signingRoot ? { signing_root: a.signingRoot } : {}),
            })),
        })),
    };
  }
}

const blockKey = (b: SignedBlock) => `${b.slot}:${b.signingRoot ?? ''}`;
const attestationKey = (a: SignedAttestation) => `${a.source}:${a.target}:${a.signingRoot ?? ''}`;

/** The records of `from` that `into` does not hold, as "pubkey block slot" / "pubkey attestation s->t" lines. */
export function missingRecords(from: unknown, into: unknown): string[] {
  const a = parseInterchange(from).records;
  const b = parseInterchange(into).records;
  const missing: string[] = [];
  for (const [key, record] of a) {
    const held = b.get(key);
    const blocks = new Set(held?.blocks.map(blockKey));
    const attestations = new Set(held?.attestations.map(attestationKey));
    for (const x of record.blocks) if (!blocks.has(blockKey(x))) missing.push(`${key} block ${x.slot}`);
    for (const x of record.attestations)
      if (!attestations.has(attestationKey(x))) missing.push(`${key} attestation ${x.source}->${x.target}`);
  }
  return missing;
}

/**
 * Merges interchange documents of one chain into one: everything any of them signed. The result
 * is checked against every input: a merge that would lose a record refuses instead of writing
 * less history than it was given.
 */
export function mergeInterchanges(documents: unknown[]): InterchangeJson {
  if (documents.length === 0) throw new InterchangeError('nothing to merge');
  const first = parseInterchange(documents[0]);
  const db = new SlashingProtection(first.genesisValidatorsRoot);
  for (const d of documents) db.import(d);
  const merged = db.export();
  documents.forEach((d, i) => {
    const lost = missingRecords(d, merged);
    if (lost.length)
      throw new InterchangeError(
        `the merge would lose ${lost.length} record(s) of document ${i + 1} (${lost.slice(0, 3).join(', ')}): refused`,
      );
  });
  return merged;
}
