/**
 * The failover scripts that keep the quorum's own records on each host: the lock, the
 * generation record and the audit log. Pure strings, each one brace group, each idempotent.
 */
import { posix } from 'node:path';
import { generationPath } from '../plan/host-layout.js';
import { isBase64, isBoolean, isTrue, resultLine, resultShape } from '../ssh/script-result.js';
import {
  base64Heredoc,
  braceGroup,
  hostPath as at,
  insideRootLines,
  regularTargetLine,
  shq,
  writeFileLines,
  writeFromLines,
} from '../ssh/shell.js';

export const lockPath = (identity: string) => posix.join(posix.dirname(generationPath(identity)), 'lock');
export const auditPath = (identity: string) => posix.join(posix.dirname(generationPath(identity)), 'audit.ndjson');

/** The lock's holder is the lock file, base64. */
export const LOCK_RESULT = resultShape('lock', { taken: isBoolean, holder: isBase64 });
export const UNLOCK_RESULT = resultShape('unlock', { released: isTrue });
export const GENERATION_RESULT = resultShape('generation', { recorded: isTrue });
export const AUDIT_RESULT = resultShape('audit', { appended: isTrue });

const group = (lines: string[]) => braceGroup(['set -eu', ...lines]);
/** Shell condition: the file (a shell word) is this plan's (its record names the plan's code). */
const plansFile = (file: string, code: string) => `grep -qF ${shq(`"plan":"${code}"`)} ${file}`;

/**
 * Takes the lock with an atomic create (a hard link of a finished file fails when the lock
 * exists). Reports LOCK_RESULT: taken, or not and the holder's record. The same plan's lock
 * counts as taken (a resumed failover).
 */
export function lockScript(root: string, identity: string, record: string, code: string): string {
  const lock = at(root, lockPath(identity));
  const temp = at(root, `${lockPath(identity)}.${code}`);
  return group([
    ...writeFileLines(root, `${lockPath(identity)}.${code}`, `${record}\n`, '0644'),
    `if ln ${temp} ${lock} 2>/dev/null || ${plansFile(lock, code)}; then rm -f ${temp}; ${resultLine(LOCK_RESULT.step, { taken: true, holder: '' })}; else rm -f ${temp}; ${resultLine(LOCK_RESULT.step, { taken: false, holder: { base64Of: lock } })}; fi`,
  ]);
}

/** Releases the lock only when it is this plan's. */
export const unlockScript = (root: string, identity: string, code: string) =>
  group([
    `if [ -f ${at(root, lockPath(identity))} ] && ${plansFile(at(root, lockPath(identity)), code)}; then rm -f ${at(root, lockPath(identity))}; fi`,
    resultLine(UNLOCK_RESULT.step, { released: true }),
  ]);

/** Writes the generation record, unless this plan's record is already there. */
export function recordGenerationScript(root: string, identity: string, json: string): string {
  return group([
    ...writeFileLines(root, generationPath(identity), `${json}\n`, '0644'),
    resultLine(GENERATION_RESULT.step, { recorded: true }),
  ]);
}

/** Appends one line to the identity's audit log, once (a resumed record step does not add it twice). */
export function auditAppendScript(root: string, identity: string, line: string, code: string): string {
  const path = auditPath(identity);
  const file = at(root, path);
  const appended = resultLine(AUDIT_RESULT.step, { appended: true });
  return group([
    ...insideRootLines(root, posix.dirname(path)),
    regularTargetLine(root, path),
    `if [ -f ${file} ] && ${plansFile(file, code)}; then ${appended}; exit 0; fi`,
    ...writeFromLines(root, path, '0644', (into) => [
      ...base64Heredoc(`${line}\n`, { before: `{ cat ${file} 2>/dev/null || true; ` }),
      `} > ${into}`,
    ]),
    appended,
  ]);
}
