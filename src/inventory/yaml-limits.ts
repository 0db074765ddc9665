/**
 * Limits on the YAML itself, pure: how deep the document may nest, checked on the raw text
 * before the parser sees it, and which tags it may carry, checked on the parsed document.
 *
 * The depth check is one linear pass because the parser is not: a 2 MB file of nested `[`
 * took it 6 s and 1.1 GB of memory before it gave up. Nothing an inventory needs nests past a
 * dozen levels, so a fixed limit costs no one anything.
 */
import { visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { LinePos } from './lines.js';

/** Deepest nesting of mappings and lists an inventory may have (the examples reach 5). */
export const MAX_NESTING_DEPTH = 64;

/**
 * The offset where nesting first goes past `limit`, or undefined. Counts flow brackets `[ {`
 * (skipping quoted strings, comments and block scalars) plus block indentation levels and
 * compact `- - ` items; an estimate that never undercounts what the parser would build.
 */
export function firstTooDeep(text: string, limit = MAX_NESTING_DEPTH): number | undefined {
  const indents: number[] = []; // indentation of each open block level
  let flow = 0;
  let i = 0;
  const n = text.length;
  /** Skips a block scalar's body: the lines indented deeper than `parent`. */
  const skipBlockScalar = (parent: number) => {
    while (i < n) {
      const end = text.indexOf('\n', i);
      const lineEnd = end < 0 ? n : end;
      let k = i;
      while (k < lineEnd && text[k] === ' ') k++;
      if (k < lineEnd && k - i <= parent) return; // a line back at the parent's level ends it
      i = lineEnd + 1;
    }
  };
  while (i < n) {
    // At the start of a line: measure the indentation and the compact `- ` items.
    let lineStart = i;
    let indent = 0;
    while (i < n && text[i] === ' ') {
      i++;
      indent++;
    }
    const c = text[i];
    if (flow === 0 && c !== undefined && c !== '\n' && c !== '\r' && c !== '#') {
      while (indents.length && (indents.at(-1) ?? 0) >= indent) indents.pop();
      indents.push(indent);
      let dashes = 0;
      while (text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\n')) {
        dashes++;
        i += 2;
        while (text[i] === ' ') i++;
      }
      if (indents.length + dashes > limit) return lineStart;
    }
    // The rest of the line (and any quoted string or flow collection that runs past it).
    let tokenStart = true;
    while (i < n && text[i] !== '\n') {
      const ch = text[i]!;
      if (ch === '"' || ch === "'") {
        if (flow > 0 || tokenStart) {
          i = skipQuoted(text, i);
          tokenStart = false;
          continue;
        }
      } else if (ch === '#' && tokenStart) {
        while (i < n && text[i] !== '\n') i++;
        break;
      } else if ((ch === '[' || ch === '{') && (flow > 0 || tokenStart)) {
        flow++;
        if (indents.length + flow > limit) return i;
      } else if ((ch === ']' || ch === '}') && flow > 0) {
        flow--;
      } else if ((ch === '|' || ch === '>') && flow === 0 && tokenStart) {
        // A block scalar: its body is text, however it looks.
        while (i < n && text[i] !== '\n') i++;
        i++;
        skipBlockScalar(indents.at(-1) ?? 0);
        lineStart = i;
        tokenStart = true;
        break;
      }
      tokenStart = ch === ' ' || ch === '\t' || (flow > 0 && (ch === ',' || ch === '[' || ch === '{'));
      i++;
    }
    if (text[i] === '\n') i++;
  }
  return undefined;
}

/** The offset just past a quoted scalar starting at `at` (or the end of the text if it never closes). */
function skipQuoted(text: string, at: number): number {
  const quote = text[at];
  let i = at + 1;
  while (i < text.length) {
    const ch = text[i];
    if (quote === '"' && ch === '\\') i += 2;
    else if (ch === quote) {
      if (quote === "'" && text[i + 1] === "'") i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}

/** The tags of YAML's core schema: what plain YAML data can hold. Anything else is a custom type. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq', 'merge'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** Every explicit tag outside the core schema (`!evil`, `!!python/object`, `!!binary`), where it is written. */
export function customTags(doc: Document.Parsed, text: string, linePos: LinePos, file: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  visit(doc, {
    Node(_, node: Node) {
      const tag = node.tag;
      if (tag === undefined || CORE_TAGS.has(tag)) return;
      const start = node.range?.[0] ?? 0;
      // The tag is written before the node's content: the last `!` before it, at the token's start.
      let at = text.lastIndexOf('!', start);
      while (at > 0 && text[at - 1] === '!') at--;
      found.push({
        id: 'yaml/tag',
        severity: 'error',
        summary: `the tag ${tag.replace('tag:yaml.org,2002:', '!!')} is not plain YAML data: custom tags are refused`,
        hint: 'remove the tag: inventory values are plain strings, numbers, booleans, lists and mappings',
        location: { file, ...linePos(at >= 0 ? at : start) },
      });
    },
  });
  return found;
}
