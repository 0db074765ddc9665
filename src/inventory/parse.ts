/**
 * Bytes -> YAML document with source positions. Pure: no file access here (see read.ts).
 *
 * Hostile or broken input is refused with a located diagnostic, never an exception: invalid
 * UTF-8, an empty file, YAML syntax errors, duplicate keys, and alias bombs ("billion
 * laughs"), which the yaml library refuses while expanding, before memory grows; nesting past a
 * fixed depth (refused on the raw text, before the parser) and custom tags (yaml-limits.ts).
 */
import { isMap, isScalar, parseDocument, visit, type Alias, type Document } from 'yaml';
import { makeLinePos, type LinePos } from './lines.js';
import { customTags, firstTooDeep, MAX_NESTING_DEPTH } from './yaml-limits.js';
import type { Diagnostic, Location } from '../diagnostics.js';

/** Past the first few syntax errors the parser is guessing; the first one is the one to fix. */
export const MAX_SYNTAX_ERRORS = 5;

/** Aliases are handy (`<<: *defaults`) but each may expand to a whole subtree; this bounds the total. */
export const MAX_ALIAS_COUNT = 200;

export interface ParsedInventory {
  file: string;
  /** The decoded source text. */
  text: string;
  doc: Document.Parsed;
  linePos: LinePos;
  /** The document as plain data (aliases and merge keys expanded). */
  data: unknown;
}

export type ParseResult = { ok: true; parsed: ParsedInventory } | { ok: false; diagnostics: Diagnostic[] };

const fail = (file: string, id: string, summary: string, hint: string, line = 1, column = 1): ParseResult => ({
  ok: false,
  diagnostics: [{ id, severity: 'error', summary, hint, location: { file, line, column } }],
});

/** Decodes strict UTF-8; reports the line and column of the first invalid byte. */
function decodeUtf8(file: string, bytes: Uint8Array): string | ParseResult {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const lines = before.split('\n');
    return fail(
      file,
      'file/encoding',
      `not UTF-8 text: invalid byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at byte ${bad}`,
      'save the inventory as UTF-8 (iconv -f latin1 -t utf-8 FILE), or check this is the right file',
      lines.length,
      (lines.at(-1)?.length ?? 0) + 1,
    );
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // Bisect on decodable prefixes: cheap enough for the file sizes read.ts allows.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid));
      lo = mid;
    } catch {
      // A prefix cut in the middle of a valid sequence also fails; step back over continuation bytes.
      hi = mid - 1;
    }
  }
  while (lo > 0 && ((bytes[lo] ?? 0) & 0xc0) === 0x80) lo--;
  return Math.min(lo, bytes.length - 1);
}

/** Parses an inventory file's bytes. Never throws. */
export function parseInventory(file: string, bytes: Uint8Array): ParseResult {
  const decoded = decodeUtf8(file, bytes);
  if (typeof decoded !== 'string') return decoded;
  if (decoded.trim() === '') {
    return fail(file, 'file/empty', 'the file is empty', 'start from an example: inventories/cosmos.yaml');
  }

  const linePos = makeLinePos(decoded);
  // Before the parser: it takes seconds and a gigabyte on a few megabytes of nested brackets.
  const tooDeep = firstTooDeep(decoded);
  if (tooDeep !== undefined) {
    const { line, column } = linePos(tooDeep);
    return fail(
      file,
      'yaml/depth-limit',
      `the YAML nests deeper than ${MAX_NESTING_DEPTH} levels here: refusing it before parsing`,
      'an inventory nests a few levels deep; check for runaway [ or { or indentation',
      line,
      column,
    );
  }
  let doc: Document.Parsed;
  try {
    // Duplicate keys are found below in one pass; the library's own check compares every pair
    // of keys in a map, which costs a third of the parse on a 1,000-host inventory.
    doc = parseDocument(decoded, { uniqueKeys: false, merge: true, prettyErrors: false });
  } catch (err) {
    // The parser recurses on nesting; absurdly deep input can exhaust the stack.
    return fail(file, 'yaml/syntax', `cannot parse YAML: ${(err as Error).message}`, 'check the nesting of the file');
  }

  const diagnostics: Diagnostic[] = doc.errors.slice(0, MAX_SYNTAX_ERRORS).map((e) => {
    const pos = linePos(e.pos[0]);
    const message = firstLine(e.message).replace(/ at line .*$/, '');
    // The parser notices an unclosed { [ or " where the next line starts; the mistake is the opener.
    const opener = unclosedOpener(decoded, e.pos[0], message);
    if (opener !== undefined) {
      return {
        id: 'yaml/syntax',
        severity: 'error',
        summary: `YAML syntax: this ${decoded[opener]} is never closed (noticed at line ${pos.line})`,
        hint: `add the matching ${CLOSERS[decoded[opener] ?? ''] ?? 'closer'}`,
        location: { file, ...linePos(opener) },
      };
    }
    return {
      id: 'yaml/syntax',
      severity: 'error',
      summary: `YAML syntax: ${message}`,
      hint: 'fix the YAML at this position',
      location: { file, ...pos },
    };
  });
  const more = doc.errors.length - MAX_SYNTAX_ERRORS;
  if (more > 0 && diagnostics[0])
    diagnostics[0].summary += ` (and ${more} more syntax error${more === 1 ? '' : 's'} after it, likely caused by it)`;
  if (diagnostics.length === 0) diagnostics.push(...findDuplicateKeys(doc, linePos, file));
  if (diagnostics.length === 0) diagnostics.push(...customTags(doc, decoded, linePos, file));
  if (diagnostics.length > 0) return { ok: false, diagnostics };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const unresolved = findUnresolvedAlias(doc);
    if (unresolved) {
      const { line, column } = linePos(unresolved.range?.[0] ?? 0);
      return fail(
        file,
        'yaml/unknown-anchor',
        `alias *${unresolved.source} refers to no anchor &${unresolved.source} above it`,
        `define &${unresolved.source} before this line, or write the value out`,
        line,
        column,
      );
    }
    const aliasBomb = err instanceof ReferenceError && /excessive alias/i.test(err.message);
    return fail(
      file,
      aliasBomb ? 'yaml/alias-limit' : 'yaml/syntax',
      aliasBomb
        ? `too many alias expansions (limit ${MAX_ALIAS_COUNT}): refusing a possible alias bomb`
        : `cannot read YAML: ${(err as Error).message}`,
      aliasBomb ? 'write the values out instead of nesting aliases of aliases' : 'check anchors and aliases',
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const kind = data === null ? 'nothing' : Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    return fail(
      file,
      'schema/type',
      `the file holds ${kind}, not a mapping of inventory keys`,
      'an inventory starts with "version: 1", "name:", "chain:" ...',
    );
  }
  return { ok: true, parsed: { file, text: decoded, doc, linePos, data } };
}

/** The first alias whose anchor is not defined before it. */
function findUnresolvedAlias(doc: Document.Parsed): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        found = alias;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

const CLOSERS: Record<string, string> = { '{': '}', '[': ']', '"': '"' };

/** For "... end with a }" and "Missing closing \"quote" errors: the offset of the opener left open before `offset`. */
function unclosedOpener(text: string, offset: number, message: string): number | undefined {
  const open = /end with a \}/.test(message)
    ? '{'
    : /end with a \]/.test(message)
      ? '['
      : /Missing closing "quote/.test(message)
        ? '"'
        : undefined;
  if (!open) return undefined;
  if (open === '"') {
    const at = text.lastIndexOf('"', offset - 1);
    return at >= 0 ? at : undefined;
  }
  const close = CLOSERS[open];
  let depth = 0;
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    if (text[i] === close) depth++;
    else if (text[i] === open && depth-- === 0) return i;
  }
  return undefined;
}

/** Every repeated key of every mapping: YAML would silently keep one of them. Merge keys (`<<`) may repeat. */
function findDuplicateKeys(doc: Document.Parsed, linePos: LinePos, file: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (key === '<<') continue;
        if (seen.has(key)) {
          found.push({
            id: 'yaml/duplicate-key',
            severity: 'error',
            summary: `duplicate key "${key}"`,
            hint: 'remove or merge the repeated key: YAML would silently keep only one',
            location: { file, ...linePos(pair.key.range?.[0] ?? 0) },
          });
        }
        seen.add(key);
      }
    },
  });
  return found;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

export type { Location };
