/**
 * The shell scripts failover runs on quorum hosts, as plain strings (pure, unit-tested). Like
 * deploy's, each is one brace group: a connection cut while it arrives runs none of it. Every
 * one is idempotent, because `--resume` runs the interrupted step again from its start.
 */
import { posix } from 'node:path';
import type { ResolvedHost } from '../inventory/resolve.js';
import { generationPath } from '../plan/host-layout.js';
import { shq } from '../ssh/shell.js';
import { sealedDir, sealedPath, type KeyFile } from '../keys/layout.js';
import { launchScriptPath, pidFilePath } from '../render/services.js';

/** Exit codes of the scripts, so the runner can say what failed. */
export const FAILOVER_EXIT = { notFenced: 41, keyMissing: 42 } as const;

type Host = Pick<ResolvedHost, 'root' | 'init' | 'address' | 'privateAddress'>;
/** A signing service as the scripts need it: its name and the TCP port it listens on. */
export interface SigningService {
  name: string;
  port: number;
}

const at = (root: string, path: string) => shq(posix.join(root, path));
export const lockPath = (identity: string) => posix.join(posix.dirname(generationPath(identity)), 'lock');
export const auditPath = (identity: string) => posix.join(posix.dirname(generationPath(identity)), 'audit.ndjson');
const base64Lines = (text: string) =>
  Buffer.from(text, 'utf8')
    .toString('base64')
    .replace(/.{1,76}/g, '$&\n')
    .trimEnd();

/** Writes a file atomically: a temporary file beside it, synced, renamed over it. */
export function writeFileLines(root: string, path: string, content: string, mode: string): string[] {
  const temp = posix.join(posix.dirname(path), `.${posix.basename(path)}.stake-new`);
  return [
    `mkdir -p ${at(root, posix.dirname(path))}`,
    `base64 -d > ${at(root, temp)} <<'STAKE_EOF'`,
    base64Lines(content),
    'STAKE_EOF',
    `chmod ${mode} ${at(root, temp)}`,
    `sync -- ${at(root, temp)} 2>/dev/null || sync`,
    `mv -f ${at(root, temp)} ${at(root, path)}`,
  ];
}

const group = (lines: string[]) => `{\nset -eu\n${lines.join('\n')}\n}\n`;

/** Is the service's process alive (direct: its pid file; systemd: the unit)? Shell condition. */
function runningTest(host: Host, service: string): string {
  if (host.init === 'systemd') return `systemctl is-active --quiet stake-${service}.service`;
  const pid = at(host.root, pidFilePath(service));
  return `{ [ -f ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null; }`;
}

/** Does anything answer on the port at the host's own addresses? Shell condition (bash's /dev/tcp, no extra tool). */
function listeningTest(host: Host, port: number): string {
  const addresses = [...new Set(['127.0.0.1', host.privateAddress, host.address])].filter((a) =>
    /^[0-9.:a-fA-F]+$/.test(a),
  );
  return `{ ${addresses.map((a) => `timeout 2 bash -c ${shq(`exec 3<>/dev/tcp/${a}/${port}`)} 2>/dev/null`).join(' || ')}; }`;
}

/**
 * What a host holds for an identity, one tab-separated line per fact:
 * K name active|sealed|both|missing; S service running|stopped|disabled; L port yes|no;
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
      `a=missing; if [ -f ${active} ] && [ -f ${sealed} ]; then a=both; elif [ -f ${active} ]; then a=active; elif [ -f ${sealed} ]; then a=sealed; fi; printf 'K\\t%s\\t%s\\n' ${shq(k.name)} "$a"`,
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
    out.push(
      `if [ -f ${at(host.root, path)} ]; then printf '${tag}\\t'; tr -d '\\n' < ${at(host.root, path)}; printf '\\n'; fi`,
    );
  }
  for (const f of files)
    out.push(
      `if [ -f ${at(host.root, f)} ]; then printf 'F\\t%s\\t' ${shq(f)}; base64 -w0 < ${at(host.root, f)}; printf '\\n'; fi`,
    );
  out.push('true');
  return `{\n${out.join('\n')}\n}\n`;
}

export interface Probe {
  keys: Record<string, 'active' | 'sealed' | 'both' | 'missing'>;
  services: Record<string, 'running' | 'stopped' | 'disabled'>;
  listening: Record<number, boolean>;
  generation?: string;
  lock?: string;
  files: Record<string, string>;
}

export function parseProbe(output: string): Probe {
  const probe: Probe = { keys: {}, services: {}, listening: {}, files: {} };
  for (const line of output.split('\n')) {
    const [tag, a = '', b = ''] = line.split('\t');
    if (tag === 'K') probe.keys[a] = b as Probe['keys'][string];
    else if (tag === 'S') probe.services[a] = b as Probe['services'][string];
    else if (tag === 'L') probe.listening[Number(a)] = b === 'yes';
    else if (tag === 'G') probe.generation = line.slice(2);
    else if (tag === 'X') probe.lock = line.slice(2);
    else if (tag === 'F') probe.files[a] = Buffer.from(b, 'base64').toString('utf8');
  }
  return probe;
}

/**
 * Takes the lock with an atomic create (a hard link of a finished file fails when the lock
 * exists). Prints TAKEN, or HELD and the holder's record. The same plan's lock counts as taken
 * (a resumed failover).
 */
export function lockScript(root: string, identity: string, record: string, code: string): string {
  const lock = at(root, lockPath(identity));
  const temp = at(root, `${lockPath(identity)}.${code}`);
  return group([
    ...writeFileLines(root, `${lockPath(identity)}.${code}`, `${record}\n`, '0644'),
    `if ln ${temp} ${lock} 2>/dev/null || grep -qF ${shq(`"plan":"${code}"`)} ${lock}; then rm -f ${temp}; echo TAKEN; else rm -f ${temp}; printf 'HELD\\t'; tr -d '\\n' < ${lock}; printf '\\n'; fi`,
  ]);
}

/** Releases the lock only when it is this plan's. */
export const unlockScript = (root: string, identity: string, code: string) =>
  group([
    `if [ -f ${at(root, lockPath(identity))} ] && grep -qF ${shq(`"plan":"${code}"`)} ${at(root, lockPath(identity))}; then rm -f ${at(root, lockPath(identity))}; fi`,
    'echo RELEASED',
  ]);

/**
 * Fences a host: each signing service stopped and disabled (a reboot does not bring it back),
 * each key moved to the sealed folder where the client never reads it, then proved: no service
 * running, nothing listening on its port, no key at the client's path. Prints FENCED.
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
        `if [ -f ${launch} ]; then mv -f ${launch} ${fenced}; fi`,
        `if [ -f ${fenced} ]; then sh ${fenced} stop >/dev/null; fi`,
      );
    }
  }
  out.push(`mkdir -p -m 0700 ${at(host.root, sealedDir(identity))}`);
  for (const k of keys) {
    const active = at(host.root, k.path);
    const sealed = at(host.root, sealedPath(identity, k));
    out.push(
      `if [ -f ${active} ]; then mv -f ${active} ${sealed}; fi`,
      `if [ -f ${sealed} ]; then chmod 0400 ${sealed}; fi`,
    );
  }
  out.push(`sync -- ${at(host.root, sealedDir(identity))} 2>/dev/null || sync`);
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
  out.push('echo FENCED');
  return group(out);
}

/**
 * Makes a host the signer: each sealed key moved into the client's path (mode 0600, owned by the
 * service's user where it exists), each service enabled and restarted so it reads the key. The
 * same script unfences the old host in a rollback. Prints ACTIVATED.
 */
export function activateScript(
  host: Host,
  identity: string,
  keys: readonly KeyFile[],
  services: readonly (SigningService & { user: string })[],
): string {
  const out: string[] = [];
  for (const k of keys) {
    const active = at(host.root, k.path);
    const sealed = at(host.root, sealedPath(identity, k));
    out.push(
      `if [ ! -f ${active} ]; then [ -f ${sealed} ] || { echo ${shq(`stake: no sealed ${k.name} for ${identity} on this host`)} >&2; exit ${FAILOVER_EXIT.keyMissing}; }; mkdir -p ${at(host.root, posix.dirname(k.path))}; mv -f ${sealed} ${active}; fi`,
    );
    out.push(`chmod 0600 ${active}`);
    const user = services[0]?.user;
    if (user && host.root === '/')
      out.push(`if id -u ${shq(user)} >/dev/null 2>&1; then chown ${shq(user)} ${active}; fi`);
  }
  out.push(`sync -- ${keys.map((k) => at(host.root, posix.dirname(k.path))).join(' ')} 2>/dev/null || sync`);
  for (const s of services) {
    if (host.init === 'systemd') {
      out.push(`systemctl enable --quiet stake-${s.name}.service && systemctl restart stake-${s.name}.service`);
    } else {
      const launch = at(host.root, launchScriptPath(s.name));
      out.push(
        `if [ ! -f ${launch} ] && [ -f ${at(host.root, `${launchScriptPath(s.name)}.fenced`)} ]; then mv -f ${at(host.root, `${launchScriptPath(s.name)}.fenced`)} ${launch}; fi`,
      );
      out.push(`sh ${launch} restart >/dev/null`);
    }
  }
  out.push('echo ACTIVATED');
  return group(out);
}

/** Writes the generation record, unless this plan's record is already there. */
export function recordGenerationScript(root: string, identity: string, json: string): string {
  return group(writeFileLines(root, generationPath(identity), `${json}\n`, '0644').concat('echo RECORDED'));
}

/** Appends one line to the identity's audit log, once (a resumed record step does not add it twice). */
export function auditAppendScript(root: string, identity: string, line: string, code: string): string {
  const path = auditPath(identity);
  const file = at(root, path);
  const temp = at(root, `${path}.stake-new`);
  return group([
    `mkdir -p ${at(root, posix.dirname(path))}`,
    `if [ -f ${file} ] && grep -qF ${shq(`"plan":"${code}"`)} ${file}; then echo APPENDED; exit 0; fi`,
    `{ cat ${file} 2>/dev/null || true; base64 -d <<'STAKE_EOF'`,
    base64Lines(`${line}\n`),
    'STAKE_EOF',
    `} > ${temp}`,
    `sync -- ${temp} 2>/dev/null || sync`,
    `mv -f ${temp} ${file}`,
    'echo APPENDED',
  ]);
}
