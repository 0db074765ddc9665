/**
 * Processes a lab started, recorded so that `lab down` stops exactly those: a pid alone may be
 * reused by an unrelated process after a crash or a reboot, so each record also keeps the
 * process's start time (field 22 of /proc/PID/stat): a pid whose start time differs is someone
 * else's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { waitFor } from '../wait.js';

export interface ProcessRecord {
  pid: number;
  /** Clock ticks since boot when it started. */
  start: string;
  /** What it is, for people: "sshd val-fra", "chain". */
  what: string;
}

function statOf(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces: split after the last ')'
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { state: fields[0]!, start: fields[19]! };
  } catch {
    return undefined;
  }
}

export function recordProcess(pid: number, what: string): ProcessRecord {
  const stat = statOf(pid);
  return { pid, start: stat?.start ?? '', what };
}

/** Whether the recorded process is still the one running under its pid (a zombie waiting for its parent to reap it is not). */
export function isRunning(p: ProcessRecord): boolean {
  const stat = statOf(p.pid);
  return stat !== undefined && stat.start === p.start && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * Stops a recorded process: SIGTERM, then SIGKILL after the grace period, and returns once it is
 * gone (what it held, a port, a namespace's last user, is free then). Another process that took
 * its pid is left alone.
 */
export async function stopProcess(p: ProcessRecord, graceMs = 3000): Promise<'stopped' | 'gone'> {
  if (!isRunning(p)) return 'gone';
  try {
    process.kill(p.pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const ended = (timeoutMs: number, what: string) =>
    waitFor(() => !isRunning(p), { timeoutMs, what, intervalMs: 25 }).then(
      () => true,
      () => false,
    );
  if (await ended(graceMs, `${p.what} (pid ${p.pid}) to exit on SIGTERM`)) return 'stopped';
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    return 'stopped'; // exited meanwhile
  }
  // one stuck in the kernel longer than this dies on its own time: the caller goes on taking down the rest
  await ended(5000, `${p.what} (pid ${p.pid}) to die of SIGKILL`);
  return 'stopped';
}

/** The processes whose parent is this pid (from /proc), recorded: an sshd's per-connection children. */
export function childrenOf(parent: number): ProcessRecord[] {
  const out: ProcessRecord[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent)
        out.push(recordProcess(Number(entry), `child of ${parent}`));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
