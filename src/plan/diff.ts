/**
 * Unified diffs of changed files for `stake plan --diff`, with secrets masked on both sides: a
 * value after a key that names a secret (password, passphrase, secret, token, private key...)
 * is replaced before diffing, so a diff never prints one, and two masked values compare equal.
 */
import { createTwoFilesPatch } from 'diff';

const SECRET_KEY =
  /((?:^|[\s{,"'])(?:[\w.-]*(?:password|passphrase|secret|token|priv_?key|private_?key|api_?key|jwt)[\w.-]*)["']?\s*[:=]\s*)(.+)$/i;
export const MASK = '********';

/** The text with every secret value replaced by ********. */
export function maskSecrets(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(#|\/\/)/.test(line)) return line; // comments name secrets; they hold none
      const m = SECRET_KEY.exec(line);
      return m ? `${line.slice(0, m.index)}${m[1]}${MASK}` : line;
    })
    .join('\n');
}

/** A unified diff from what the host has to what deploy would write; empty when only masked secrets differ. */
export function fileDiff(path: string, current: string, next: string): string {
  const before = maskSecrets(current);
  const after = maskSecrets(next);
  if (before === after) return '';
  return createTwoFilesPatch(`${path} (on host)`, `${path} (rendered)`, before, after, undefined, undefined, {
    context: 3,
  });
}
