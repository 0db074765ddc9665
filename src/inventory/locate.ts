/**
 * Data paths -> file positions. Every finding names `file:line:column`; this walks the YAML
 * syntax tree along a path and returns where the key (or the value) stands. A path that
 * leaves the tree (a key brought in by a merge `<<`, a missing key) falls back to the
 * deepest node that exists, so a location always lies inside the file.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Location } from '../diagnostics.js';
import type { ParsedInventory } from './parse.js';

export type DataPath = readonly (string | number)[];

/** Which part of a map entry to point at: the key (`dc:`) or its value (`fra9`). */
export type Part = 'key' | 'value';

export interface Locate {
  (path: DataPath, part?: Part): Location;
  /** The value at a path exactly as written in the file (`3e7`, not 30000000), when it is a scalar. */
  source(path: DataPath): string | undefined;
}

export function makeLocator(parsed: ParsedInventory): Locate {
  const { doc, linePos, file } = parsed;
  const at = (offset: number): Location => ({ file, ...linePos(offset) });
  const start: Location = at(doc.contents?.range?.[0] ?? 0);

  /** Walks the path; returns the node reached (if the whole path exists) and the deepest key position. */
  const walk = (path: DataPath): { node: unknown; best: Location; complete: boolean } => {
    let node: unknown = doc.contents;
    let best = start;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p: Pair) => keyOf(p) === String(segment));
        if (!pair) return { node: undefined, best, complete: false };
        const keyNode = pair.key as Node | null;
        best = keyNode?.range ? at(keyNode.range[0]) : best;
        node = pair.value;
      } else if (isSeq(node) && /^\d+$/.test(String(segment))) {
        // ajv's paths name list items by their index as a string ("/seeds/0").
        const item = node.items[Number(segment)] as Node | undefined;
        if (!item?.range) return { node: undefined, best, complete: false };
        best = at(item.range[0]);
        node = item;
      } else {
        return { node: undefined, best, complete: false };
      }
    }
    return { node, best, complete: true };
  };

  const locate = ((path, part = 'key') => {
    const { node, best, complete } = walk(path);
    if (complete && part === 'value' && node && typeof node === 'object' && 'range' in node) {
      const range = (node as Node).range;
      if (range) return at(range[0]);
    }
    return best;
  }) as Locate;
  locate.source = (path) => {
    const { node } = walk(path);
    if (!isScalar(node) || !node.range) return undefined;
    return parsed.text.slice(node.range[0], node.range[1]);
  };
  return locate;
}

function keyOf(pair: unknown): string | undefined {
  if (!isPair(pair)) return undefined;
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
}
