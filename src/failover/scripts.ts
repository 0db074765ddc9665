/**
 * The shell scripts failover runs on quorum hosts, as plain strings (pure, unit-tested). Like
 * deploy's, each is one brace group: a connection cut while it arrives runs none of it. Every
 * one is idempotent, because `--resume` runs the interrupted step again from its start.
 */
import { posix } from 'node:path';
import type { ResolvedHost } from '../inventory/resolve.js';
import { generationPath } from '../plan/host-layout.js';
import {
  braceGroup,
  hostPath as at,
  insideRootLines,
  pidAlive,
  regularTargetLine,
  printFileLine,
  shq,
  syncPaths,
  tcpAnswers,
  writeFileLines,
} from '../ssh/shell.js';
import { isBase64, isTrue, resultLine, resultShape } from '../ssh/script-result.js';
import { isCanonicalPath, isOneOf, RECORD_LIMITS } from '../ssh/host-records.js';
import { sealedDir, sealedPath, type KeyFile } from '../keys/layout.js';
import { identityKeyAtPathTest, makesOwnKey } from '../keys/held.js';
import { launchScriptPath, pidFilePath } from '../render/services.js';

/** Exit codes of the scripts, so the runner can say what failed. */
export const FAILOVER_EXIT = { notFenced: 41, keyMissing: 42 } as const;

type Host = Pick<ResolvedHost, 'root' | 'init' | 'address' | 'privateAddress'>;
/** A signing service as the scripts need it: its name and the TCP port it listens on. */
export interface SigningService {
  name: string;
  port: number;
}

/** Where the carry step and the witness copy get it (one home: ../ssh/shell.ts). */
export { writeFileLines };
import { lockPath } from './quorum-scripts.js';

/** What the scripts report (../ssh/script-result.ts); the quorum's own records are in ./quorum-scripts.ts. */
export const FENCE_RESULT = resultShape('fence', { fenced: isTrue });
export const ACTIVATE_RESULT = resultShape('activate', { activated: isTrue });

const group = (lines: string[]) => braceGroup(['set -eu', ...lines]);

/** Is the service's process alive (direct: its pid file; systemd: the unit)? Shell condition. */
function runningTest(host: Host, service: string): string {
  if (host.init === 'systemd') return `systemctl is-active --quiet stake-${service}.service`;
  return `{ ${pidAlive(at(host.root, pidFilePath(service)))}; }`;
}

/**
 * Where an activation marks a start it owes: written before a key is moved in, removed once the
 * services restarted, so an activation cut between the two restarts them when it runs again.
 */
export const activatingPath = (identity: string) => `/var/lib/stake/activating-${identity}`;

/**
 * Is the signer already running on the keys it has (every key in place and none sealed, no start
 * owed, every service up)? A sealed key is one to move in: what sits at the path then is not the
 * identity's (a CometBFT standby's own generated key). Then starting it again is no use: a CometBFT validator restarted would only find
 * its own last signatures and refuse to join (observe/look-back.ts). A rollback to an old host
 * that was never fenced is that case. Shell condition; evaluated before anything here changes.
 */
export function keysLoadedTest(
  host: Host,
  identity: string,
  services: readonly SigningService[],
  keys: readonly KeyFile[],
): string {
  const parts = [
    `[ ! -e ${at(host.root, activatingPath(identity))} ]`,
    ...keys.map((k) => `[ -f ${at(host.root, k.path)} ] && [ ! -e ${at(host.root, sealedPath(identity, k))} ]`),
    ...services.map((s) => runningTest(host, s.name)),
  ];
  return `{ ${services.length ? parts.join(' && ') : 'false'}; } 2>/dev/null`;
}

export const LOADED_RESULT = resultShape('keys-loaded', { loaded: (v: unknown) => typeof v === 'boolean' });

export function keysLoadedScript(
  host: Host,
  identity: string,
  keys: readonly KeyFile[],
  services: readonly SigningService[],
): string {
  return group([
    `if ${keysLoadedTest(host, identity, services, keys)}; then`,
    `  ${resultLine(LOADED_RESULT.step, { loaded: true })}`,
    'else',
    `  ${resultLine(LOADED_RESULT.step, { loaded: false })}`,
    'fi',
  ]);
}

/** Does anything answer on the port at the host's own addresses? Shell condition (bash's /dev/tcp, no extra tool). */
function listeningTest(host: Host, port: number): string {
  const addresses = [...new Set(['127.0.0.1', host.privateAddress, host.address])].filter((a) =>
    /^[0-9.:a-fA-F]+$/.test(a),
  );
  return `{ ${addresses.map((a) => tcpAnswers(a, port)).join(' || ')}; }`;
}

/**
 * Both a sealed key and a file at the client's path: `both` when the file there is the sealed
 * key (a copy), `other` when it is a key of another address, a CometBFT standby's own
 * (../keys/held.ts). Other clients make no key of their own: both.
 */
function bothOrOther(k: KeyFile, active: string, sealed: string): string {
  if (!makesOwnKey(k)) return 'a=both';
  return `if ${identityKeyAtPathTest(active, sealed, k)}; then a=both; else a=other; fi`;
}

/**
 * What a host holds for an identity, one tab-separated line per fact:
 * K name active|sealed|both|other|missing (other: sealed, and a key of another address at the client's path); S service running|stopped|disabled; L port yes|no;
 * G generation record; X lock; F file base64 (the signing state files asked for).
 */
export function probeScript(
  host: Host,
  identity: string,
  keys: readonly KeyFile[],
  services: readonly SigningService[],
  files: readonly string[] = [],
): string {
  const out: string[] = ['set +e'];
  for (const k of keys) {
    const active = at(host.root, k.path);
    const sealed = at(host.root, sealedPath(identity, k));
    out.push(
      `a=missing; if [ -f ${active} ] && [ -f ${sealed} ]; then ${bothOrOther(k, active, sealed)}; elif [ -f ${active} ]; then a=active; elif [ -f ${sealed} ]; then a=sealed; fi; printf 'K\\t%s\\t%s\\n' ${shq(k.name)} "$a"`,
    );
  }
  for (const s of services) {
    const disabled =
      host.init === 'systemd'
        ? `! systemctl is-enabled --quiet stake-${s.name}.service 2>/dev/null`
        : `[ ! -f ${at(host.root, launchScriptPath(s.name))} ]`;
    out.push(
      `if ${runningTest(host, s.name)}; then st=running; elif ${disabled}; then st=disabled; else st=stopped; fi; printf 'S\\t%s\\t%s\\n' ${shq(s.name)} "$st"`,
    );
    out.push(`if ${listeningTest(host, s.port)}; then l=yes; else l=no; fi; printf 'L\\t%s\\t%s\\n' ${s.port} "$l"`);
  }
  for (const [tag, path] of [
    ['G', generationPath(identity)],
    ['X', lockPath(identity)],
  ] as const) {
    out.push(printFileLine(tag, at(host.root, path)));
  }
  for (const f of files)
    out.push(
      `if [ -f ${at(host.root, f)} ]; then printf 'F\\t%s\\t' ${shq(f)}; base64 -w0 < ${at(host.root, f)}; printf '\\n'; fi`,
    );
  out.push('true');
  return braceGroup(out);
}

export interface Probe {
  /** other: sealed here, and at the client's path a key that is not it (cometbft's own, made at start). */
  keys: Record<string, 'active' | 'sealed' | 'both' | 'other' | 'missing'>;
  services: Record<string, 'running' | 'stopped' | 'disabled'>;
  listening: Record<number, boolean>;
  generation?: string;
  lock?: string;
  files: Record<string, string>;
}

const KEY_STATES = isOneOf('active', 'sealed', 'both', 'other', 'missing');
const SERVICE_STATES = isOneOf('running', 'stopped', 'disabled');
const isName = (v: string) => /^[A-Za-z0-9._-]{1,128}$/.test(v);

/**
 * The probe's lines, each checked: a key or service by a plain name and one of its states, a port
 * as a port, the generation and lock records bounded (their shapes are judged by their parsers),
 * a state file by a canonical path and at most RECORD_LIMITS.stateFile bytes. A line that fails
 * is dropped: the probe then says less (a missing key, no record), never something else.
 * `files`, when given, are the only state files asked for; another is not taken.
 */
export function parseProbe(output: string, files?: readonly string[]): Probe {
  const probe: Probe = { keys: {}, services: {}, listening: {}, files: {} };
  const wanted = files && new Set(files);
  const maxBase64 = Math.ceil(RECORD_LIMITS.stateFile / 3) * 4;
  for (const line of output.split('\n')) {
    const [tag, a = '', b = ''] = line.split('\t');
    if (tag === 'K' && isName(a) && KEY_STATES(b)) probe.keys[a] = b;
    else if (tag === 'S' && isName(a) && SERVICE_STATES(b)) probe.services[a] = b;
    else if (tag === 'L' && /^[0-9]{1,5}$/.test(a) && Number(a) <= 65535) probe.listening[Number(a)] = b === 'yes';
    else if (tag === 'G' && line.length - 2 <= RECORD_LIMITS.smallJson) probe.generation = line.slice(2);
    else if (tag === 'X')
      probe.lock = line.length - 2 <= RECORD_LIMITS.smallJson ? line.slice(2) : 'oversized'; // still a lock
    else if (tag === 'F' && isCanonicalPath(a) && (!wanted || wanted.has(a)) && b.length <= maxBase64 && isBase64(b))
      probe.files[a] = Buffer.from(b, 'base64').toString('utf8');
  }
  return probe;
}

/**
 * Fences a host: each signing service stopped and disabled (a reboot does not bring it back),
 * each key moved to the sealed folder where the client never reads it, then proved: no service
 * running, nothing listening on its port, no key at the client's path. Reports FENCE_RESULT.
 */
export function fenceScript(
  host: Host,
  identity: string,
  keys: readonly KeyFile[],
  services: readonly SigningService[],
): string {
  const out: string[] = [];
  for (const s of services) {
    if (host.init === 'systemd') {
      out.push(
        `systemctl stop stake-${s.name}.service 2>/dev/null || true`,
        `systemctl disable --quiet stake-${s.name}.service 2>/dev/null || true`,
      );
    } else {
      const launch = at(host.root, launchScriptPath(s.name));
      const fenced = at(host.root, `${launchScriptPath(s.name)}.fenced`);
      // disabled first (nothing can start it by its path), then stopped through the kept script
      out.push(
        ...insideRootLines(host.root, posix.dirname(launchScriptPath(s.name))),
        regularTargetLine(host.root, `${launchScriptPath(s.name)}.fenced`),
        `if [ -f ${launch} ]; then mv -fT -- ${launch} ${fenced}; fi`,
        `if [ -f ${fenced} ]; then sh ${fenced} stop >/dev/null; fi`,
      );
    }
  }
  out.push(
    ...insideRootLines(host.root, sealedDir(identity)),
    `mkdir -p -m 0700 ${at(host.root, sealedDir(identity))}`,
  );
  for (const k of keys) {
    const active = at(host.root, k.path);
    const sealed = at(host.root, sealedPath(identity, k));
    // a key is moved, never copied: renames do not follow links; chmod would, so a link is refused first
    out.push(
      ...insideRootLines(host.root, posix.dirname(k.path)),
      regularTargetLine(host.root, sealedPath(identity, k)),
      // a sealed key is never overwritten by another file: that one is kept beside it, displaced
      `if [ -f ${active} ] && [ ! -L ${active} ]; then if [ -f ${sealed} ] && ! cmp -s ${active} ${sealed}; then mv -fT -- ${active} ${sealed}.displaced; else mv -fT -- ${active} ${sealed}; fi; fi`,
      `if [ -f ${sealed} ]; then chmod 0400 ${sealed}; fi`,
    );
  }
  out.push(syncPaths([at(host.root, sealedDir(identity))]));
  for (const s of services) {
    out.push(
      `if ${runningTest(host, s.name)}; then echo ${shq(`stake: ${s.name} still runs after being stopped`)} >&2; exit ${FAILOVER_EXIT.notFenced}; fi`,
    );
    out.push(
      `if ${listeningTest(host, s.port)}; then echo ${shq(`stake: something still listens on port ${s.port}`)} >&2; exit ${FAILOVER_EXIT.notFenced}; fi`,
    );
  }
  for (const k of keys)
    out.push(
      `if [ -f ${at(host.root, k.path)} ]; then echo ${shq(`stake: ${k.path} is still in place`)} >&2; exit ${FAILOVER_EXIT.notFenced}; fi`,
    );
  out.push(resultLine(FENCE_RESULT.step, { fenced: true }));
  return group(out);
}

/**
 * Makes a host the signer: each sealed key moved into the client's path (mode 0600, owned by the
 * service's user where it exists), each service enabled and restarted so it reads the key, unless
 * it already runs on them with no start owed (keysLoadedTest). The same script unfences the old
 * host in a rollback. Reports ACTIVATE_RESULT.
 */
export function activateScript(
  host: Host,
  identity: string,
  keys: readonly KeyFile[],
  services: readonly (SigningService & { user: string })[],
): string {
  const out: string[] = [];
  const user = services[0]?.user;
  const owned = user !== undefined && host.root === '/';
  // a signer running on its keys with no start owed (a rollback to an old host never fenced) is
  // left running: started again, CometBFT would find its own last signatures and refuse to join
  const marker = at(host.root, activatingPath(identity));
  out.push(
    ...insideRootLines(host.root, posix.dirname(activatingPath(identity))),
    regularTargetLine(host.root, activatingPath(identity)),
    `if ${keysLoadedTest(host, identity, services, keys)}; then stake_loaded=1; else stake_loaded=0; fi`,
    // the start owed, on disk before any key moves: a run cut after the move starts them next time
    'if [ "$stake_loaded" = 0 ]; then',
    `  mkdir -p ${at(host.root, posix.dirname(activatingPath(identity)))}`,
    `  : > ${marker}`,
    `  ${syncPaths([marker])}`,
    'fi',
  );
  for (const k of keys) {
    const active = at(host.root, k.path);
    const sealed = at(host.root, sealedPath(identity, k));
    const folder = at(host.root, posix.dirname(k.path));
    // a key folder made here is the client's, as the one its own init makes (it must pass through it)
    // (the folders above it passable: a root-only /etc/stake would lock the client out of its certificates)
    const makeFolder = `[ -d ${folder} ] || { mkdir -p ${at(host.root, posix.dirname(posix.dirname(k.path)))} && (umask 077 && mkdir ${folder})${owned ? ` && chown ${shq(`${user}:${user}`)} ${folder}` : ''}; }`;
    out.push(
      ...insideRootLines(host.root, posix.dirname(k.path)),
      ...insideRootLines(host.root, sealedDir(identity)),
      regularTargetLine(host.root, k.path),
      regularTargetLine(host.root, sealedPath(identity, k)),
      // the sealed key goes in over what is at the path (a CometBFT standby's own generated key);
      // with none sealed, the key in place is kept (a rollback to an old host never fenced)
      `if [ -f ${sealed} ]; then ${makeFolder}; mv -fT -- ${sealed} ${active}; elif [ ! -f ${active} ]; then echo ${shq(`stake: no sealed ${k.name} for ${identity} on this host`)} >&2; exit ${FAILOVER_EXIT.keyMissing}; fi`,
    );
    out.push(`chmod 0600 ${active}`);
    if (owned) out.push(`if id -u ${shq(user)} >/dev/null 2>&1; then chown ${shq(user)} ${active}; fi`);
  }
  out.push(syncPaths(keys.map((k) => at(host.root, posix.dirname(k.path)))));
  for (const s of services) {
    if (host.init === 'systemd') {
      out.push(
        `systemctl enable --quiet stake-${s.name}.service && { [ "$stake_loaded" = 1 ] || systemctl restart stake-${s.name}.service; }`,
      );
    } else {
      const launch = at(host.root, launchScriptPath(s.name));
      out.push(
        ...insideRootLines(host.root, posix.dirname(launchScriptPath(s.name))),
        regularTargetLine(host.root, launchScriptPath(s.name)),
        `if [ ! -f ${launch} ] && [ -f ${at(host.root, `${launchScriptPath(s.name)}.fenced`)} ]; then mv -fT -- ${at(host.root, `${launchScriptPath(s.name)}.fenced`)} ${launch}; fi`,
      );
      out.push(`[ "$stake_loaded" = 1 ] || sh ${launch} restart >/dev/null`);
    }
  }
  out.push(`rm -f ${marker}`);
  out.push(resultLine(ACTIVATE_RESULT.step, { activated: true }));
  return group(out);
}
