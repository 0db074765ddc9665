/**
 * The script `stake keys push` runs on one host, as a plain string (pure, unit-tested), and the
 * reading of what it reports. Each key is written atomically where it belongs, unless the same
 * key is already there; a different key in its place is refused rather than replaced. The first
 * key found in place (the same or a different one) ends the script there.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { sealedDir } from './layout.js';
import { braceGroup, insideRootLines, regularTargetLine, sha256Is, shq, writeFileLines } from '../ssh/shell.js';
import { isStringOrNull, isStrings, resultLine, resultShape, tryResult } from '../ssh/script-result.js';

/** One key file for one host: its bytes, where they go (relative to the host's root) and their mode. */
export interface KeyPlacement {
  name: string;
  path: string;
  content: Uint8Array;
  mode: string;
}

/**
 * What the script reports: the keys it placed, in order, and the key that stopped it, if any
 * (`already`: the same key was in place; `different`: another key was, and nothing was written there).
 */
export const KEYS_PUSH_RESULT = resultShape('keys-push', {
  placed: isStrings,
  already: isStringOrNull,
  different: isStringOrNull,
});

export function keysPushScript(root: string, identity: string, keys: readonly KeyPlacement[]): string {
  const report = (placed: number, stop: { already?: string; different?: string } = {}) =>
    resultLine(KEYS_PUSH_RESULT.step, {
      placed: keys.slice(0, placed).map((k) => k.name),
      already: stop.already ?? null,
      different: stop.different ?? null,
    });
  const groups = keys.map((k, i) => {
    const sha = createHash('sha256').update(k.content).digest('hex');
    const full = shq(posix.join(root, k.path));
    const refuse = `echo ${shq(`stake: a different key is already at ${k.path}`)} >&2`;
    return braceGroup([
      'set -eu',
      ...insideRootLines(root, posix.dirname(k.path)),
      regularTargetLine(root, k.path),
      `if [ -f ${full} ]; then if ${sha256Is(full, sha)}; then ${report(i, { already: k.name })}; exit 0; else ${refuse}; ${report(i, { different: k.name })}; exit 0; fi; fi`,
      ...writeFileLines(root, k.path, k.content, k.mode),
    ]);
  });
  // keys are secrets: written under umask 077 (../ssh/shell.ts), their folder 0700 from its creation
  const folder = braceGroup([
    ...insideRootLines(root, sealedDir(identity)),
    `(umask 077 && mkdir -p ${shq(posix.join(root, sealedDir(identity)))})`,
  ]);
  return `${folder}${groups.join('')}${report(keys.length)}\n`;
}

export type PushOutcome = 'placed' | 'already there' | 'refused' | 'failed';

/** What the push did on a host that ran the script and exited 0, from its stdout. */
export function pushOutcome(stdout: string): { outcome: PushOutcome; detail?: string } {
  const result = tryResult(stdout, KEYS_PUSH_RESULT);
  if (result instanceof Error) return { outcome: 'failed', detail: result.message };
  if (result.different !== null) return { outcome: 'refused', detail: 'a different key is in place' };
  return { outcome: result.placed.length ? 'placed' : 'already there' };
}
