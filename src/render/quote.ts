/**
 * Quoting a value for each format stake renders, pure. Every inventory-derived string reaches
 * a file through one of these (as a template filter, see engine.ts), so a value stays one value
 * whatever it holds: validation refuses control characters first, and these refuse them again
 * rather than write a file whose meaning a string could change.
 */
import { CONTROL_CHARACTER } from '../inventory/control-chars.js';
import { TemplateError } from './errors.js';

const refuseControl = (s: string, format: string): string => {
  if (CONTROL_CHARACTER.test(s))
    throw new TemplateError(
      `a value for a ${format} holds a control character: ${JSON.stringify(s)}`,
      'remove it from the inventory (stake validate reports where)',
    );
  return s;
};

/** Non-ASCII escapes JSON.stringify leaves raw but TOML and YAML want escaped (DEL, C1, U+2028/9). */
const escapeRest = (quoted: string) =>
  quoted.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A TOML basic string: JSON's escapes are TOML's. */
export const tomlString = (v: unknown) => escapeRest(JSON.stringify(refuseControl(String(v ?? ''), 'TOML string')));

/** A YAML double-quoted scalar: JSON's escapes are a subset of YAML's. */
export const yamlString = (v: unknown) => escapeRest(JSON.stringify(refuseControl(String(v ?? ''), 'YAML string')));

/** Any JSON value, as JSON.stringify writes it. */
export const jsonValue = (v: unknown) => JSON.stringify(v);

/** A POSIX shell word: bare when it is plainly safe, else single-quoted. */
export const shellWord = (v: unknown) => {
  const s = refuseControl(String(v ?? ''), 'shell word');
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
};

/**
 * One systemd word (systemd.syntax(7), "Quoting"): `%` is a specifier everywhere, so it is
 * written `%%`; in a command line `$` expands a variable, so it is `$$`; anything but a plain
 * token is double-quoted with `\` escapes, which also keeps a lone `;` (a command separator
 * when bare) one argument.
 */
export function systemdWord(v: unknown, inCommandLine: boolean): string {
  let s = refuseControl(String(v ?? ''), 'systemd unit').replace(/%/g, '%%');
  if (inCommandLine) s = s.replace(/\$/g, '$$$$');
  // systemd splits on " \t\n\r" only and unquotes "..." and '...': anything else is literal.
  if (/^[^\s"'\\;]+$/.test(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A systemd setting's free-text value (Description=): specifiers escaped, no quoting (quotes would be kept). */
export const systemdText = (v: unknown) => refuseControl(String(v ?? ''), 'systemd unit').replace(/%/g, '%%');

/** An sshd_config token (AllowUsers and the like): sshd has no escapes, so a value that is not a plain token is refused. */
export function sshdToken(v: unknown): string {
  const s = String(v ?? '');
  if (!/^[A-Za-z0-9._@:/[\]-]+$/.test(s) || s.startsWith('-'))
    throw new TemplateError(
      `${JSON.stringify(s)} cannot be written as one sshd_config token`,
      'ssh.user must be a plain user name and sources plain addresses or CIDRs (stake validate checks them)',
    );
  return s;
}
