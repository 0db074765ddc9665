/**
 * What a lab test reads or does on a lab host, the same on both kinds of host (docs/lab.md): a
 * command as root, a client's log, the process that stands for the host.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { shq } from '../../src/ssh/shell.js';
import { join } from 'node:path';
import type { ProcessRecord } from '../../src/lab/processes.js';
import { hostModeOf, readLabState, type LabHostRecord } from '../../src/lab/state.js';
import { runStake, type RunResult } from './helpers.js';

const stateOf = (dir: string) => {
  const state = readLabState(join(dir, 'lab.json'));
  if (!state) throw new Error(`no lab in ${dir}`);
  return state;
};

export const isSystemdLab = (dir: string) => hostModeOf(stateOf(dir)) === 'systemd';

/**
 * A shell command as root on the host, given the host's `/` as a prefix for its paths ('' on a
 * systemd host, where it runs inside through `stake lab ssh` and sudo; the host's root folder on
 * a process host, where it runs here).
 */
export function asRootOn(dir: string, host: string, command: (root: string) => string): RunResult {
  if (isSystemdLab(dir))
    return runStake(['lab', 'ssh', host, '--dir', dir, '--', `sudo sh -c ${shq(command(''))}`], { timeoutMs: 30_000 });
  const h = stateOf(dir).hosts.find((x) => x.name === host)!;
  const r = spawnSync('sh', ['-c', command(h.root)], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** What a service deploy started has logged: its journal on a systemd host, its log file on a process host. */
export function serviceLog(dir: string, host: string, service: string): string {
  if (isSystemdLab(dir)) {
    const r = asRootOn(dir, host, () => `journalctl -u stake-${service}.service -o cat --no-pager`);
    if (r.code !== 0) throw new Error(`the journal of ${service} on ${host}: ${r.stderr}`);
    return r.stdout;
  }
  const h = stateOf(dir).hosts.find((x) => x.name === host)!;
  return readFileSync(join(h.root, 'var/log/stake', `${service}.log`), 'utf8');
}

/** The process whose death is the host's crash: its nspawn (systemd) or its sshd (process). */
export const hostProcess = (h: LabHostRecord): ProcessRecord => (h.machine ? h.machine.nspawn! : h.sshd!);

/** "Overall exposure level for X: 1.9 OK" -> 1.9 */
export function exposureOf(output: string): number {
  const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(output);
  if (!m) throw new Error(`no exposure level in: ${output.slice(-300)}`);
  return Number(m[1]);
}

/**
 * Every stake unit running on the lab's systemd hosts, with `systemd-analyze security` of it as
 * it runs under the host's systemd (live) and of its rendered file, offline, on this machine.
 */
export function unitExposures(dir: string): { host: string; unit: string; live: number; rendered: number }[] {
  const out: { host: string; unit: string; live: number; rendered: number }[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'stake-units-'));
  try {
    for (const h of stateOf(dir).hosts) {
      const listed = asRootOn(
        dir,
        h.name,
        () => "systemctl list-units 'stake-*.service' --state=active --no-legend --plain | cut -d' ' -f1",
      );
      for (const unit of listed.stdout.split('\n').filter(Boolean)) {
        const live = asRootOn(dir, h.name, () => `systemd-analyze security --no-pager ${unit}`);
        const file = join(scratch, unit);
        writeFileSync(file, readFileSync(join(h.root, 'etc/systemd/system', unit)));
        const offline = spawnSync('systemd-analyze', ['security', '--offline=true', file], { encoding: 'utf8' });
        out.push({ host: h.name, unit, live: exposureOf(live.stdout), rendered: exposureOf(offline.stdout) });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

/**
 * CometBFT's look-back turned off on one host, as an operator's hand edit would (stake renders 10
 * on a validator): a key copied there then signs twice instead of refusing to start, which is what
 * the tests of double-sign detection need to make one. Read at the node's next start.
 */
export function lookBackOff(dir: string, host: string): RunResult {
  return asRootOn(
    dir,
    host,
    (root) =>
      `sed -i 's/^double_sign_check_height = .*/double_sign_check_height = 0/' ${root}/var/lib/cometbft/config/config.toml && grep -q '^double_sign_check_height = 0$' ${root}/var/lib/cometbft/config/config.toml`,
  );
}
