/**
 * Text from outside (a host's answer, its stderr, a record it keeps, an inventory string) must
 * never drive the operator's terminal: no escape sequence that clears the screen, moves the
 * cursor or sets a title, no line break that starts a fake line of output, no bidirectional
 * override that reorders what is shown. Two tools, both pure:
 *
 * - `printable(value)` for a single value put into a message: every control character becomes
 *   a visible escape (`\n`, `\x1b`, `\u202e`), so the value stays on its line, as it was sent.
 * - `neutralize(text)` for whole lines about to be written: our own colours (SGR sequences as
 *   chalk writes them) and line breaks stay, every other control character is made visible.
 *   The terminal applies it to everything it prints, as a second line of defence.
 */

/** C0 (but for the ones named below), DEL, C1, the line and paragraph separators, and bidi controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** What JSON.stringify leaves raw inside strings (it escapes C0 itself; its own line breaks are indentation). */
const BEYOND_C0 = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeOf = (c: string): string => {
  const named = NAMED[c];
  if (named) return named;
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** One value, made safe to show on one line: every control character visible as an escape. */
export function printable(value: string): string {
  return value.replace(CONTROL, escapeOf);
}

/** chalk's colour sequences: ESC [ digits and semicolons m. Nothing else of ESC is ours. */
const OURS = /\u001b\[[0-9;]*m/y;

/**
 * Whole text about to be written to a terminal: line breaks and our colour sequences kept,
 * every other control character (ESC of any other sequence, BEL, backspace, CR, C1, bidi) made
 * visible.
 */
export function neutralize(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(CONTROL)) {
    const at = m.index;
    const c = m[0];
    if (c === '\n') continue;
    if (c === '\u001b') {
      OURS.lastIndex = at;
      if (OURS.test(text)) continue;
    }
    out += text.slice(last, at) + escapeOf(c);
    last = at + c.length;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * JSON for a terminal or a pipe: JSON.stringify escapes C0 controls, but not DEL, C1 (0x9b is
 * a CSI to some terminals), the line separators or bidi controls, which are legal in JSON
 * strings. They are written as \u escapes: parsing gives back exactly the same value.
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    BEYOND_C0,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}
