/**
 * Shell text for host scripts, written once: quoting, running as root, writing a file, the
 * temporary name beside it, syncing, asking whether a process is alive or a port answers. Every
 * script stake sends to a host is built from these pieces, so a rule fixed here is fixed
 * everywhere. What a script reports back is ./script-result.ts.
 */
import { posix } from 'node:path';
import type { ResolvedHost } from '../inventory/resolve.js';

/** One shell word, whatever the string holds: single quotes, with each `'` closed, escaped and reopened. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A command run as root: as it is, or through `sudo -n` when the host says `become: sudo`. */
export function asRoot(host: Pick<ResolvedHost, 'ssh'>, command: string): string {
  return host.ssh.become === 'sudo' ? `sudo -n -- sh -c ${shq(command)}` : command;
}

/** The shell for a script on stdin, as root. */
export const rootShell = (host: Pick<ResolvedHost, 'ssh'>) =>
  host.ssh.become === 'sudo' ? 'sudo -n -- sh -s' : 'sh -s';

/** A path on the host (relative to its `root`), as one shell word. */
export const hostPath = (root: string, path: string) => shq(posix.join(root, path));

/**
 * A script as one brace group: the shell parses the whole group before running any of it, so a
 * connection cut off while the script is still arriving runs nothing at all, instead of the first half.
 */
export const braceGroup = (lines: readonly string[]) => `{\n${lines.join('\n')}\n}\n`;

/** The temporary name beside a file, `.NAME.stake-new`: the same filesystem, so renaming it over the file is atomic. */
export const tempBeside = (path: string) => posix.join(posix.dirname(path), `.${posix.basename(path)}.stake-new`);

/** Bytes as base64 in lines of 76, the body of a heredoc (nothing in it is special to the shell). */
export const base64Body = (content: string | Uint8Array) =>
  Buffer.from(content)
    .toString('base64')
    .replace(/.{1,76}/g, '$&\n')
    .trimEnd();

/**
 * `base64 -d` fed the content from a quoted heredoc: any bytes, with no quoting to get wrong.
 * `into` is the file (a shell word) it writes, `before` what stands before `base64 -d` on its line
 * (the start of a group whose output is redirected), `marker` the heredoc's end line.
 */
export function base64Heredoc(
  content: string | Uint8Array,
  options: { into?: string; before?: string; marker?: string } = {},
): string[] {
  const marker = options.marker ?? 'STAKE_EOF';
  const into = options.into === undefined ? '' : ` > ${options.into}`;
  return [`${options.before ?? ''}base64 -d${into} <<'${marker}'`, base64Body(content), marker];
}

/** Flushes the files (shell words) to disk; `sync` of everything where `sync FILE` is not supported. */
export const syncPaths = (words: readonly string[]) => `sync -- ${words.join(' ')} 2>/dev/null || sync`;

/** Writes a file atomically: a temporary file beside it, synced, renamed over it. */
export function writeFileLines(root: string, path: string, content: string | Uint8Array, mode: string): string[] {
  const temp = hostPath(root, tempBeside(path));
  return [
    `mkdir -p ${hostPath(root, posix.dirname(path))}`,
    ...base64Heredoc(content, { into: temp }),
    `chmod ${mode} ${temp}`,
    syncPaths([temp]),
    `mv -f ${temp} ${hostPath(root, path)}`,
  ];
}

/** Shell condition: the file (a shell word) holds exactly the bytes whose sha256 is `sha`. */
export const sha256Is = (file: string, sha: string) => `[ "$(sha256sum < ${file} | cut -c1-64)" = ${sha} ]`;

/**
 * Shell condition: the process whose pid the file (a shell word) holds is alive. `read` reads the
 * pid with no process of its own (for scripts that ask for many services on many hosts); it
 * needs the newline that ends the pid file's line, which the launch scripts write.
 */
export function pidAlive(pidFile: string, how: 'cat' | 'read' = 'cat'): string {
  return how === 'cat'
    ? `[ -f ${pidFile} ] && kill -0 "$(cat ${pidFile})" 2>/dev/null`
    : `[ -f ${pidFile} ] && read -r p < ${pidFile} && kill -0 "$p" 2>/dev/null`;
}

/** bash's path for a TCP connection: no extra tool on the host. `address` is an address or a `$variable`. */
export const devTcp = (address: string, port: number) => `/dev/tcp/${address}/${port}`;

/**
 * Shell condition: something accepts a TCP connection at the address (an address or a
 * `$variable`) and port within 2 s. Works from sh too: bash opens the connection.
 */
export function tcpAnswers(address: string, port: number): string {
  const open = `exec 3<>${devTcp(address, port)}`;
  return `timeout 2 bash -c ${address.startsWith('$') ? `"${open}"` : shq(open)} 2>/dev/null`;
}

/** Prints `TAG<tab>` and the file's content on one line (its newlines dropped), when the file (a shell word) exists. */
export const printFileLine = (tag: string, file: string) =>
  `if [ -f ${file} ]; then printf '${tag}\\t'; tr -d '\\n' < ${file}; printf '\\n'; fi`;
