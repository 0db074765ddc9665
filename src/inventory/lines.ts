/**
 * Offsets -> 1-based line and column, from the text itself. (The yaml library's LineCounter
 * is filled by its lexer and drifts by several lines when the lexer recovers from errors.)
 */
export type LinePos = (offset: number) => { line: number; column: number };

export function makeLinePos(text: string): LinePos {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const at = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - (starts[lo] ?? 0) + 1 };
  };
}
