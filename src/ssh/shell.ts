/**
 * Shell text for host scripts, written once: quoting, running as root, writing a file (the one
 * write idiom: no link followed out of the root, exclusive temps, secrets 0600 from the first byte), syncing, asking whether a process is alive or a port answers. Every
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
export function hostPath(root: string, path: string): string {
  // a path with `..` in it could leave the root: stake never builds one, and a host's is refused before (./host-records.ts)
  if (path.split('/').includes('..')) throw new Error(`refusing a host path that climbs out of the root: ${path}`);
  return shq(posix.join(root, path));
}

/**
 * A script as one brace group: the shell parses the whole group before running any of it, so a
 * connection cut off while the script is still arriving runs nothing at all, instead of the first half.
 */
export const braceGroup = (lines: readonly string[]) => `{\n${lines.join('\n')}\n}\n`;

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

/** Shell: the service user, made when missing (a system user with no home and no login shell). */
export const systemUserLine = (user: string) =>
  `id -u ${shq(user)} >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${shq(user)}`;

/** Exit code of a host script that refuses to write through a link (or onto something not a regular file). */
export const WRITE_REFUSED_EXIT = 50;

const refuse = (why: string) =>
  `{ echo ${shq(`stake: ${why}; nothing was written there`)} >&2; exit ${WRITE_REFUSED_EXIT}; }`;

/** A mode that grants nothing to group or others is a secret's: its directories and temp are 0700/0600 from the start. */
export const isSecretMode = (mode: string) => (parseInt(mode, 8) & 0o077) === 0;

/**
 * Shell: refuses unless the directory (a path under the root), with every link already on the
 * way resolved (`readlink -m`), is still inside the root. A root of `/` cannot be left.
 */
export function insideRootLines(root: string, dir: string): string[] {
  if (posix.normalize(root) === '/') return [];
  return [
    `stake_root=$(readlink -f -- ${shq(root)}) || stake_root=`,
    `stake_dir=$(readlink -m -- ${hostPath(root, dir)}) || stake_dir=`,
    `case "$stake_dir/" in "\${stake_root:-/nonexistent}"/*) ;; *) ${refuse(`${dir} leads out of the root ${root} through a link`)} ;; esac`,
  ];
}

/** Shell: refuses when the target is a link, or exists and is not a regular file. */
export const regularTargetLine = (root: string, path: string) =>
  `if [ -L ${hostPath(root, path)} ] || { [ -e ${hostPath(root, path)} ] && [ ! -f ${hostPath(root, path)} ]; }; then ${refuse(`${path} is a link or not a regular file`)}; fi`;

/**
 * Shell: the checks before a file is written, and its temporary file. The directory is checked
 * inside the root before `mkdir -p` (which would follow a link out of it), the target is checked
 * not to be a link, and the temp is created exclusively by `mktemp` in the target's directory
 * (`.NAME.stake-new.XXXXXX`, a name no one can plant a link at beforehand; the same filesystem, so the rename is atomic).
 * The temp's name is in the shell variable `tempVar`. Folders are made passable (umask 022): the
 * file's own mode keeps a secret, and a root-only folder would lock every client out of what
 * stake writes beside it later (/etc/stake holds the ruleset and the clients' certificates). A
 * secret a client owns (`owner`, user:group, not root's) gets its own folder, when it has to be
 * made, 0700 and the client's, as the client's own init makes it (a CometBFT config/). The temp
 * is made under umask 077; mktemp makes it 0600 in any case.
 */
export function stageTempLines(root: string, path: string, tempVar: string, mode: string, owner?: string): string[] {
  const dir = posix.dirname(path);
  const secret = isSecretMode(mode);
  const at = hostPath(root, dir);
  const clients = owner !== undefined && !owner.startsWith('root:');
  return [
    ...insideRootLines(root, dir),
    secret && clients
      ? `if [ ! -d ${at} ]; then mkdir -p ${hostPath(root, posix.dirname(dir))} && (umask 077 && mkdir ${at}) && chown ${shq(owner)} ${at}; fi`
      : `mkdir -p ${at}`,
    ...(secret ? ['stake_umask=$(umask)', 'umask 077'] : []),
    regularTargetLine(root, path),
    `${tempVar}=$(mktemp ${shq(posix.join(root, dir, `.${posix.basename(path)}.stake-new.XXXXXX`))})`,
    ...(secret ? ['umask "$stake_umask"'] : []),
  ];
}

/** Shell: the temp (in `tempVar`) renamed over the target, checked again not to be a link; `mv -T` never moves into a directory. */
export const commitTempLines = (root: string, path: string, tempVar: string) => [
  `if [ -L ${hostPath(root, path)} ]; then rm -f "$${tempVar}"; ${refuse(`${path} is a link`)}; fi`,
  `mv -fT -- "$${tempVar}" ${hostPath(root, path)}`,
];

/**
 * Writes a file on the host, the one write idiom of every host script: checks (./insideRootLines,
 * the target not a link), an exclusive temp beside it, the content, the mode, synced, renamed
 * over the target. `produce` writes the content into the temp (a shell word), e.g. a heredoc;
 * `owner` (user:group), when given, is set on the temp before the rename.
 */
export function writeFromLines(
  root: string,
  path: string,
  mode: string,
  produce: (temp: string) => string[],
  tempVar = 'stake_tmp',
  owner?: string,
): string[] {
  return [
    ...stageTempLines(root, path, tempVar, mode, owner),
    ...produce(`"$${tempVar}"`),
    `chmod ${mode} "$${tempVar}"`,
    // the owner is set on the temp, before the rename: the file is never someone else's in place
    ...(owner ? [`chown ${shq(owner)} "$${tempVar}"`] : []),
    syncPaths([`"$${tempVar}"`]),
    ...commitTempLines(root, path, tempVar),
  ];
}

/** Writes a file atomically with the given bytes (./writeFromLines). */
export function writeFileLines(root: string, path: string, content: string | Uint8Array, mode: string): string[] {
  return writeFromLines(root, path, mode, (temp) => base64Heredoc(content, { into: temp }));
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
