/**
 * No string of the inventory may hold a control character, pure. One walk over every scalar
 * of the parsed document, keys included (x-* keys, labels, anything a later field adds), so
 * no field can forget it: a newline, a NUL or an escape sequence in a value is how a string
 * escapes its field in a unit file, an sshd drop-in, a command line or a terminal.
 */
import { isScalar, visit } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { LinePos } from './lines.js';

/**
 * C0 (with tab, newline, CR and NUL), DEL, C1, the Unicode line and paragraph separators, lone
 * surrogates (a `"\ud800"` escape: no encoder can write it out as text), and the noncharacters
 * (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF: systemd refuses a unit line holding one as "not UTF-8
 * clean" and drops the whole setting, so an ExecStart would silently vanish).
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}|\p{Noncharacter_Code_Point}/u;

export const codePoint = (ch: string) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

export function controlCharacters(doc: Parameters<typeof visit>[0], linePos: LinePos, file: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (!isScalar(node) || typeof node.value !== 'string') return;
      const match = CONTROL_CHARACTER.exec(node.value);
      if (!match) return;
      found.push({
        id: 'schema/control-character',
        severity: 'error',
        summary: `this ${key === 'key' ? 'key' : 'string'} holds the control character ${codePoint(match[0])} at character ${match.index + 1}: ${JSON.stringify(node.value.length > 60 ? `${node.value.slice(0, 57)}...` : node.value)}`,
        hint: 'remove it: no inventory string may hold a newline, tab, NUL or other control character (a folded or literal block scalar adds newlines too)',
        location: { file, ...linePos(node.range?.[0] ?? 0) },
      });
    },
  });
  return found;
}
