/**
 * The shell scripts deploy runs on a host, built here as plain strings (pure, unit-tested) and
 * run by the applier over SSH. Each script is one brace group: the shell parses the whole group
 * before running any of it, so a connection cut off while the script is still arriving runs
 * nothing at all, instead of the first half.
 *
 * The paths they use on the host are in ../plan/host-layout.ts.
 */
import { posix } from 'node:path';
import type { ResolvedHost } from '../inventory/resolve.js';
import {
  base64Heredoc,
  braceGroup,
  hostPath as at,
  pidAlive,
  sha256Is,
  shq,
  syncPaths,
  tcpAnswers,
  tempBeside as tempOf,
} from '../ssh/shell.js';
import { isTrue, resultLine, resultShape } from '../ssh/script-result.js';
import { launchScriptPath, pidFilePath } from '../render/services.js';
import type { Service } from '../render/types.js';
import { DEPLOYED_MANIFEST, PENDING_RESTARTS, PREVIOUS_DIR } from '../plan/host-layout.js';

/** Exit codes of the scripts, so the applier can say what failed. */
export const SCRIPT_EXIT = { checksum: 21, noPrevious: 22, unhealthy: 30, exited: 31, firewallInvalid: 40 } as const;

/** What the stage script reports once every file is in place. */
export const STAGE_RESULT = resultShape('stage', { committed: isTrue });
/** What the rollback script reports once the kept files are back. */
export const ROLLBACK_RESULT = resultShape('rollback', { restored: isTrue });

export interface FileWrite {
  path: string;
  mode: string;
  owner: string;
  sha256: string;
  /** Rendered text; or, for a binary, where its bytes wait. */
  from: { content: string } | { uploaded: string } | { url: string };
}

export interface StageInput {
  root: string;
  manageOwners: boolean;
  /** Service users to create and the directories they write (only where owners are managed). */
  services: Pick<Service, 'user' | 'writable'>[];
  writes: FileWrite[];
  deletes: string[];
  /** The manifest to record as deployed, JSON. */
  manifest: string;
  /** Services to restart once the files are in place (kept in pending-restarts until they did). */
  restarts: string[];
  /** The ruleset to check with `nft -c` before anything is replaced (hosts whose firewall is enforced). */
  checkRuleset?: string;
}

const backupOf = (path: string) => posix.join(PREVIOUS_DIR, 'files', path);

/**
 * Stage every file under a temporary name beside its target (same filesystem, so the rename is
 * atomic), check each checksum, sync, keep what is there now in previous/, then rename all into
 * place and record the manifest. Reports STAGE_RESULT once the new files are in place (and still
 * prints STAKE-COMMITTED before it, for people reading the host's output).
 */
export function stageScript(input: StageInput): string {
  const { root } = input;
  const out: string[] = ['set -eu', 'umask 022', 'export LC_ALL=C'];
  const check = (temp: string, sha: string, what: string) =>
    `${sha256Is(at(root, temp), sha)} || { echo ${shq(`stake: ${what} does not match its sha256 ${sha}; nothing was replaced`)} >&2; rm -f ${at(root, temp)}; exit ${SCRIPT_EXIT.checksum}; }`;

  if (input.manageOwners) {
    for (const user of [...new Set(input.services.map((s) => s.user))].sort()) {
      out.push(
        `id -u ${shq(user)} >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${shq(user)}`,
      );
    }
  }
  for (const s of input.services) {
    for (const dir of s.writable) {
      out.push(`mkdir -p ${shq(dir)}`);
      if (input.manageOwners) out.push(`chown ${shq(`${s.user}:${s.user}`)} ${shq(dir)}`);
    }
  }

  // 1. stage (a failure or a hang-up before the commit leaves no temporary file behind)
  const temps = input.writes.map((w) => tempOf(w.path));
  if (temps.length)
    out.push(
      `trap ${shq(`rm -f ${temps.map((t) => at(root, t)).join(' ')}`)} EXIT`,
      "trap 'exit 129' HUP INT TERM PIPE",
    );
  input.writes.forEach((w, i) => {
    const temp = temps[i]!;
    out.push(`mkdir -p ${at(root, posix.dirname(w.path))}`);
    if ('content' in w.from) {
      out.push(...base64Heredoc(w.from.content, { into: at(root, temp), marker: `STAKE_EOF_${i}` }));
    } else if ('uploaded' in w.from) {
      out.push(`mv -f ${at(root, w.from.uploaded)} ${at(root, temp)}`);
    } else {
      const url = shq(w.from.url);
      out.push(
        `if command -v curl >/dev/null 2>&1; then curl -fsSL --max-time 900 -o ${at(root, temp)} ${url}; else wget -q -T 900 -O ${at(root, temp)} ${url}; fi`,
      );
    }
    out.push(check(temp, w.sha256, w.path));
    if (input.checkRuleset === w.path) {
      out.push(
        `nft -c -f ${at(root, temp)} >&2 || { echo ${shq(`stake: nft rejects the new ${w.path}; nothing was replaced`)} >&2; rm -f ${at(root, temp)}; exit ${SCRIPT_EXIT.firewallInvalid}; }`,
      );
    }
    out.push(`chmod ${w.mode} ${at(root, temp)}`);
    if (input.manageOwners) out.push(`chown ${shq(w.owner)} ${at(root, temp)}`);
  });
  if (temps.length) out.push(syncPaths(temps.map((t) => at(root, t))));

  // 2. keep what is there now
  const kept = [...input.writes.map((w) => w.path), ...input.deletes, DEPLOYED_MANIFEST];
  const next = `${PREVIOUS_DIR}.new`;
  out.push(`rm -rf ${at(root, next)}`, `mkdir -p ${at(root, `${next}/files`)}`);
  for (const path of kept) {
    const backup = posix.join(next, 'files', path);
    out.push(
      `if [ -e ${at(root, path)} ]; then mkdir -p ${at(root, posix.dirname(backup))}; cp -p ${at(root, path)} ${at(root, backup)}; fi`,
    );
  }
  out.push(`rm -rf ${at(root, PREVIOUS_DIR)}`, `mv ${at(root, next)} ${at(root, PREVIOUS_DIR)}`);

  // 3. what must restart, recorded before anything changes: a cut-off deploy still restarts it next time
  if (input.restarts.length) {
    const pending = at(root, PENDING_RESTARTS);
    out.push(
      `{ cat ${pending} 2>/dev/null || true; printf '%s\\n' ${input.restarts.map(shq).join(' ')}; } | sort -u > ${at(root, `${PENDING_RESTARTS}.new`)}`,
      `mv -f ${at(root, `${PENDING_RESTARTS}.new`)} ${pending}`,
    );
  }

  // 4. commit: one rename per file, each atomic
  if (temps.length) out.push('trap - EXIT');
  input.writes.forEach((w, i) => out.push(`mv -f ${at(root, temps[i]!)} ${at(root, w.path)}`));
  for (const path of input.deletes) out.push(`rm -f ${at(root, path)}`);
  const manifestTemp = tempOf(DEPLOYED_MANIFEST);
  out.push(`mkdir -p ${at(root, posix.dirname(DEPLOYED_MANIFEST))}`);
  out.push(...base64Heredoc(input.manifest, { into: at(root, manifestTemp), marker: 'STAKE_EOF_MANIFEST' }));
  out.push(`mv -f ${at(root, manifestTemp)} ${at(root, DEPLOYED_MANIFEST)}`);
  const dirs = [
    ...new Set([...input.writes.map((w) => posix.dirname(w.path)), posix.dirname(DEPLOYED_MANIFEST)]),
  ].sort();
  out.push(syncPaths(dirs.map((d) => at(root, d))));
  out.push('echo STAKE-COMMITTED', resultLine(STAGE_RESULT.step, { committed: true }));
  return braceGroup(out);
}

/** Puts back exactly what the last deploy replaced: each kept file restored (atomically), each file it created removed. */
export function rollbackScript(root: string, paths: readonly string[]): string {
  const out: string[] = [
    'set -eu',
    `[ -d ${at(root, PREVIOUS_DIR)} ] || { echo 'stake: no previous version is kept on this host' >&2; exit ${SCRIPT_EXIT.noPrevious}; }`,
  ];
  for (const path of [...paths, DEPLOYED_MANIFEST]) {
    const backup = backupOf(path);
    out.push(
      `if [ -e ${at(root, backup)} ]; then cp -p ${at(root, backup)} ${at(root, tempOf(path))} && mv -f ${at(root, tempOf(path))} ${at(root, path)}; else rm -f ${at(root, path)}; fi`,
    );
  }
  out.push(resultLine(ROLLBACK_RESULT.step, { restored: true }));
  return braceGroup(out);
}

/** Restarts one service through the host's init. */
export function restartCommand(
  host: Pick<ResolvedHost, 'root' | 'init'>,
  service: string,
  reloadUnits: boolean,
): string {
  if (host.init === 'systemd') {
    return `${reloadUnits ? 'systemctl daemon-reload && ' : ''}systemctl enable --quiet stake-${service}.service && systemctl restart stake-${service}.service`;
  }
  return `${at(host.root, launchScriptPath(service))} restart`;
}

/** Clears the pending-restarts record once every service restarted and answered. */
export const clearPendingCommand = (root: string) => `rm -f ${at(root, PENDING_RESTARTS)}`;

/**
 * Waits on the host for a service to answer on its TCP port (on loopback or the host's private
 * address), failing fast if the service exits. Runs on the host because hardened sshd forbids
 * TCP forwarding, and bash's /dev/tcp needs no extra tool.
 */
export function healthScript(
  host: Pick<ResolvedHost, 'root' | 'init' | 'privateAddress'>,
  service: Pick<Service, 'name' | 'health'>,
  timeoutSeconds: number,
): string {
  const alive =
    host.init === 'systemd'
      ? `! systemctl is-failed --quiet stake-${service.name}.service`
      : pidAlive(at(host.root, pidFilePath(service.name)));
  const addresses = [...new Set(['127.0.0.1', host.privateAddress])].map(shq).join(' ');
  const port = service.health.tcp;
  return braceGroup([
    `end=$(( $(date +%s) + ${Math.max(1, Math.ceil(timeoutSeconds))} ))`,
    'while [ "$(date +%s)" -lt "$end" ]; do',
    `  if ! { ${alive}; }; then echo ${shq(`${service.name} exited`)} >&2; exit ${SCRIPT_EXIT.exited}; fi`,
    `  for a in ${addresses}; do`,
    `    if ${tcpAnswers('$a', port)}; then echo "answering on $a:${port}"; exit 0; fi`,
    '  done',
    '  sleep 0.05',
    'done',
    `echo ${shq(`${service.name} did not answer on port ${port} within ${timeoutSeconds} s`)} >&2`,
    `exit ${SCRIPT_EXIT.unhealthy}`,
  ]);
}
