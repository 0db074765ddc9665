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
  commitTempLines,
  hostPath as at,
  insideRootLines,
  pidAlive,
  regularTargetLine,
  sha256Is,
  shq,
  stageTempLines,
  syncPaths,
  tcpAnswers,
  writeFileLines,
  writeFromLines,
  systemUserLine,
} from '../ssh/shell.js';
import { isTrue, resultLine, resultShape } from '../ssh/script-result.js';
import { launchScriptPath, logFilePath, pidFilePath } from '../render/services.js';
import { healthPort, type Service } from '../render/types.js';
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
 * Stage every file under an exclusive temporary name beside its target (same filesystem, so the
 * rename is atomic; ../ssh/shell.ts's write idiom: no link followed out of the root, a target
 * that is a link refused), check each checksum, sync, keep what is there now in previous/, then
 * rename all into place and record the manifest. Reports STAGE_RESULT once the new files are in
 * place (and still prints STAKE-COMMITTED before it, for people reading the host's output).
 */
export function stageScript(input: StageInput): string {
  const { root } = input;
  const out: string[] = ['set -eu', 'umask 022', 'export LC_ALL=C'];
  const tempVar = (i: number) => `stake_t${i}`;
  const temp = (i: number) => `"$${tempVar(i)}"`;
  const check = (i: number, sha: string, what: string) =>
    `${sha256Is(temp(i), sha)} || { echo ${shq(`stake: ${what} does not match its sha256 ${sha}; nothing was replaced`)} >&2; rm -f ${temp(i)}; exit ${SCRIPT_EXIT.checksum}; }`;

  if (input.manageOwners) {
    for (const user of [...new Set(input.services.map((s) => s.user))].sort()) out.push(systemUserLine(user));
  }
  for (const s of input.services) {
    for (const dir of s.writable) {
      out.push(`mkdir -p ${shq(dir)}`);
      if (input.manageOwners) out.push(`chown ${shq(`${s.user}:${s.user}`)} ${shq(dir)}`);
    }
  }

  // 1. stage (a failure or a hang-up before the commit leaves no temporary file behind)
  if (input.writes.length)
    out.push(
      `trap ${shq(`rm -f ${input.writes.map((_, i) => `"\${${tempVar(i)}:-}"`).join(' ')}`)} EXIT`,
      "trap 'exit 129' HUP INT TERM PIPE",
    );
  input.writes.forEach((w, i) => {
    out.push(...stageTempLines(root, w.path, tempVar(i), w.mode, input.manageOwners ? w.owner : undefined));
    if ('content' in w.from) {
      out.push(...base64Heredoc(w.from.content, { into: temp(i), marker: `STAKE_EOF_${i}` }));
    } else if ('uploaded' in w.from) {
      out.push(`mv -fT -- ${at(root, w.from.uploaded)} ${temp(i)}`);
    } else {
      const url = shq(w.from.url);
      out.push(
        `if command -v curl >/dev/null 2>&1; then curl -fsSL --max-time 900 -o ${temp(i)} ${url}; else wget -q -T 900 -O ${temp(i)} ${url}; fi`,
      );
    }
    out.push(check(i, w.sha256, w.path));
    if (input.checkRuleset === w.path) {
      out.push(
        `nft -c -f ${temp(i)} >&2 || { echo ${shq(`stake: nft rejects the new ${w.path}; nothing was replaced`)} >&2; rm -f ${temp(i)}; exit ${SCRIPT_EXIT.firewallInvalid}; }`,
      );
    }
    out.push(`chmod ${w.mode} ${temp(i)}`);
    if (input.manageOwners) out.push(`chown ${shq(w.owner)} ${temp(i)}`);
  });
  if (input.writes.length) out.push(syncPaths(input.writes.map((_, i) => temp(i))));

  // 2. keep what is there now: regular files only, copied without following a link (`cp -P`)
  const kept = [...input.writes.map((w) => w.path), ...input.deletes, DEPLOYED_MANIFEST];
  const next = `${PREVIOUS_DIR}.new`;
  out.push(...insideRootLines(root, posix.dirname(PREVIOUS_DIR)));
  out.push(`rm -rf ${at(root, next)}`, `mkdir -p ${at(root, `${next}/files`)}`);
  for (const path of kept) {
    const backup = posix.join(next, 'files', path);
    out.push(...insideRootLines(root, posix.dirname(path)));
    out.push(
      `if [ -f ${at(root, path)} ] && [ ! -L ${at(root, path)} ]; then mkdir -p ${at(root, posix.dirname(backup))}; cp -P -p -- ${at(root, path)} ${at(root, backup)}; fi`,
    );
  }
  out.push(`rm -rf ${at(root, PREVIOUS_DIR)}`, `mv -T -- ${at(root, next)} ${at(root, PREVIOUS_DIR)}`);

  // 3. what must restart, recorded before anything changes: a cut-off deploy still restarts it next time
  if (input.restarts.length) {
    const pending = at(root, PENDING_RESTARTS);
    out.push(
      ...writeFromLines(root, PENDING_RESTARTS, '0644', (into) => [
        `{ cat ${pending} 2>/dev/null || true; printf '%s\\n' ${input.restarts.map(shq).join(' ')}; } | sort -u > ${into}`,
      ]),
    );
  }

  // 4. commit: one rename per file, each atomic
  if (input.writes.length) out.push('trap - EXIT');
  input.writes.forEach((w, i) => out.push(...commitTempLines(root, w.path, tempVar(i))));
  for (const path of input.deletes) {
    out.push(...insideRootLines(root, posix.dirname(path)));
    out.push(`rm -f ${at(root, path)}`);
  }
  out.push(...writeFileLines(root, DEPLOYED_MANIFEST, input.manifest, '0644'));
  const dirs = [
    ...new Set([...input.writes.map((w) => posix.dirname(w.path)), posix.dirname(DEPLOYED_MANIFEST)]),
  ].sort();
  out.push(syncPaths(dirs.map((d) => at(root, d))));
  out.push('echo STAKE-COMMITTED', resultLine(STAGE_RESULT.step, { committed: true }));
  return braceGroup(out);
}

/**
 * Puts back exactly what the last deploy replaced: each kept file restored (atomically, with the
 * write idiom of ../ssh/shell.ts), each file it created removed.
 */
export function rollbackScript(root: string, paths: readonly string[]): string {
  const out: string[] = [
    'set -eu',
    `[ -d ${at(root, PREVIOUS_DIR)} ] || { echo 'stake: no previous version is kept on this host' >&2; exit ${SCRIPT_EXIT.noPrevious}; }`,
  ];
  for (const path of [...paths, DEPLOYED_MANIFEST]) {
    const backup = at(root, backupOf(path));
    out.push(...insideRootLines(root, posix.dirname(path)), regularTargetLine(root, path));
    out.push(`if [ -f ${backup} ] && [ ! -L ${backup} ]; then`);
    out.push(
      ...stageTempLines(root, path, 'stake_tmp', '0600'),
      `cp -p -- ${backup} "$stake_tmp"`,
      ...commitTempLines(root, path, 'stake_tmp'),
    );
    out.push(`else rm -f ${at(root, path)}; fi`);
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

/** Stops a service (its restart then starts it): a validator stopped before its look-back is waited for. */
export function stopCommand(host: Pick<ResolvedHost, 'root' | 'init'>, service: string): string {
  if (host.init === 'systemd') return `systemctl stop stake-${service}.service`;
  return `${at(host.root, launchScriptPath(service))} stop`;
}

/** Clears the pending-restarts record once every service restarted and answered. */
export const clearPendingCommand = (root: string) => `rm -f ${at(root, PENDING_RESTARTS)}`;

/** A service with no port: the seconds it must run without a restart to count as up. */
const steadySeconds = (service: Pick<Service, 'health'>) => ('steady' in service.health ? service.health.steady : 0);

/**
 * Waits on the host for a service to answer on its TCP port (or, with no port, to stay up for its
 * steady seconds) (on loopback or the host's private
 * address), failing fast if the service exits. Runs on the host because hardened sshd forbids
 * TCP forwarding, and bash's /dev/tcp needs no extra tool.
 */
export function healthScript(
  host: Pick<ResolvedHost, 'root' | 'init' | 'privateAddress'>,
  service: Pick<Service, 'name' | 'health'>,
  timeoutSeconds: number,
): string {
  const unit = `stake-${service.name}.service`;
  // Under systemd a client that exits is restarted (Restart=on-failure): between its exits it is
  // "activating (auto-restart)", not failed, so alive means active now and restarted by systemd no
  // more often than when the check began (NRestarts is not reset by a manual restart)
  const alive =
    host.init === 'systemd'
      ? `systemctl is-active --quiet ${unit} && [ "$(systemctl show -p NRestarts --value ${unit})" = "$restarts" ]`
      : pidAlive(at(host.root, pidFilePath(service.name)));
  const addresses = [...new Set(['127.0.0.1', host.privateAddress])].map(shq).join(' ');
  const port = healthPort(service);
  // the client's own last words (an unknown flag, a config it refuses), so the deploy says why
  // (under systemd: the client's own lines, else systemd's about the unit when the client never ran)
  const lastWords =
    host.init === 'systemd'
      ? `{ journalctl _SYSTEMD_UNIT=${unit} --since "@$since" -n 3 -o cat --no-pager | grep . || journalctl -u ${unit} --since "@$since" -n 3 -o cat --no-pager; } 2>/dev/null`
      : `tail -n 3 ${at(host.root, logFilePath(service.name))} 2>/dev/null`;
  return braceGroup([
    // the journal from just before this check (the restart that preceded it), not an older run's lines
    ...(host.init === 'systemd'
      ? [`restarts=$(systemctl show -p NRestarts --value ${unit})`, 'since=$(( $(date +%s) - 5 ))']
      : []),
    `end=$(( $(date +%s) + ${Math.max(1, Math.ceil(port === undefined ? steadySeconds(service) : timeoutSeconds))} ))`,
    'while [ "$(date +%s)" -lt "$end" ]; do',
    `  if ! { ${alive}; }; then echo ${shq(`${service.name} exited`)} >&2; ${lastWords} | sed ${shq(`s/^/${service.name}: /`)} >&2; exit ${SCRIPT_EXIT.exited}; fi`,
    ...(port === undefined
      ? []
      : [
          `  for a in ${addresses}; do`,
          `    if ${tcpAnswers('$a', port)}; then echo "answering on $a:${port}"; exit 0; fi`,
          '  done',
        ]),
    '  sleep 0.05',
    'done',
    ...(port === undefined
      ? [`echo ${shq(`running for ${steadySeconds(service)} s`)}`, 'exit 0']
      : [
          `echo ${shq(`${service.name} did not answer on port ${port} within ${timeoutSeconds} s`)} >&2`,
          `exit ${SCRIPT_EXIT.unhealthy}`,
        ]),
  ]);
}
