/**
 * The script `stake keys push` runs on one host, as a plain string (pure, unit-tested), and the
 * reading of what it reports. Every key is checked before any is written: a different key in
 * the place of any of them refuses the whole push, nothing written (never replaced, never half
 * placed). Then each key not yet there is written atomically; one already there is left alone,
 * so a push cut off halfway is finished by the next one.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { sealedDir } from './layout.js';
import {
  base64Heredoc,
  braceGroup,
  insideRootLines,
  regularTargetLine,
  sha256Is,
  shq,
  writeFromLines,
} from '../ssh/shell.js';
import { isStringOrNull, isStrings, resultLine, resultShape, tryResult } from '../ssh/script-result.js';

/** One key file for one host: its bytes, where they go (relative to the host's root) and their mode. */
export interface KeyPlacement {
  name: string;
  path: string;
  content: Uint8Array;
  mode: string;
  /** user:group of the client that reads it, where stake manages owners (a host that is its whole machine). */
  owner?: string;
}

/**
 * What the script reports: the keys it placed, in order; `already`, the first key found in place
 * when it placed none; `different`, the key whose place holds another key (then nothing was written).
 */
export const KEYS_PUSH_RESULT = resultShape('keys-push', {
  placed: isStrings,
  already: isStringOrNull,
  different: isStringOrNull,
});

/**
 * `initialState`, when given, is written after the keys if this push placed one and no file is at
 * its path: the fresh signing state the client's init writes (see initialSignState), never over one.
 */
export function keysPushScript(
  root: string,
  identity: string,
  keys: readonly KeyPlacement[],
  initialState?: Omit<KeyPlacement, 'name'>,
): string {
  const report = (fields: { placed?: string[]; already?: string; different?: string }) =>
    resultLine(KEYS_PUSH_RESULT.step, {
      placed: fields.placed ?? [],
      already: fields.already ?? null,
      different: fields.different ?? null,
    });
  const keyed = keys.map((k, i) => ({
    ...k,
    index: i,
    sha: createHash('sha256').update(k.content).digest('hex'),
    full: shq(posix.join(root, k.path)),
  }));
  // 1. every place checked first: a different key anywhere refuses before anything is written
  const checks = keyed.map((k) =>
    braceGroup([
      'set -eu',
      ...insideRootLines(root, posix.dirname(k.path)),
      regularTargetLine(root, k.path),
      `if [ -f ${k.full} ] && ! ${sha256Is(k.full, k.sha)}; then echo ${shq(`stake: a different key is already at ${k.path}`)} >&2; ${report({ different: k.name })}; exit 0; fi`,
    ]),
  );
  // 2. each key not there yet written; `placed_N=1` records it for the report
  const writes = keyed.map((k) =>
    braceGroup([
      'set -eu',
      `if [ ! -f ${k.full} ]; then`,
      ...writeFromLines(root, k.path, k.mode, (t) => base64Heredoc(k.content, { into: t }), 'stake_tmp', k.owner),
      `placed_${k.index}=1`,
      'fi',
    ]),
  );
  // 3. the report, chosen from what was placed (the record's fields are fixed when the script is built)
  const flags = keyed.map((k) => `\${placed_${k.index}:-0}`).join('');
  const cases = Array.from({ length: 2 ** keyed.length }, (_, n) => {
    const pattern = keyed.map((k) => ((n >> (keyed.length - 1 - k.index)) & 1 ? '1' : '0')).join('');
    const placed = keyed.filter((_k, i) => pattern[i] === '1').map((k) => k.name);
    return `${pattern || '""'}) ${placed.length ? report({ placed }) : report({ already: keyed[0]?.name ?? '' })} ;;`;
  });
  // keys are secrets: written under umask 077 (../ssh/shell.ts), their folder 0700 from its creation
  const folder = braceGroup([
    ...insideRootLines(root, sealedDir(identity)),
    `(umask 077 && mkdir -p ${shq(posix.join(root, sealedDir(identity)))})`,
  ]);
  const anyPlaced = keyed.map((k) => `[ "\${placed_${k.index}:-0}" = 1 ]`).join(' || ');
  const state = initialState
    ? braceGroup([
        'set -eu',
        `if { ${anyPlaced}; } && [ ! -e ${shq(posix.join(root, initialState.path))} ]; then`,
        ...insideRootLines(root, posix.dirname(initialState.path)),
        regularTargetLine(root, initialState.path),
        ...writeFromLines(
          root,
          initialState.path,
          initialState.mode,
          (t) => base64Heredoc(initialState.content, { into: t }),
          'stake_tmp',
          initialState.owner,
        ),
        'fi',
      ])
    : '';
  return `${folder}${checks.join('')}${writes.join('')}${state}case "${flags}" in\n${cases.join('\n')}\nesac\n`;
}

export type PushOutcome = 'placed' | 'already there' | 'refused' | 'failed';

/** What the push did on a host that ran the script and exited 0, from its stdout. */
export function pushOutcome(stdout: string): { outcome: PushOutcome; detail?: string } {
  const result = tryResult(stdout, KEYS_PUSH_RESULT);
  if (result instanceof Error) return { outcome: 'failed', detail: result.message };
  if (result.different !== null) return { outcome: 'refused', detail: 'a different key is in place' };
  return { outcome: result.placed.length ? 'placed' : 'already there' };
}
