/**
 * Machine settings systemd hosts need raised (docs/lab.md): inotify instances are counted per
 * user across the whole machine, and every booted systemd takes about seven of them (systemd,
 * journald, logind, path watches), so the default 128 caps the machine at about 18 hosts beside
 * everything else root runs. Labs may run side by side, so what a lab needs counts the systemd
 * hosts of every lab on the machine. The value before the first raise is kept machine-wide
 * (one file beside the slot claims) and put back by the `lab down` that leaves no systemd host
 * on the machine, unless someone changed the setting meanwhile (then it is theirs).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { slotClaimsDir } from './layout.js';
import type { RaisedSetting } from './state.js';

export const INOTIFY_INSTANCES = '/proc/sys/fs/inotify/max_user_instances';
/** Instances per systemd host, with room: measured about 7. */
const PER_HOST = 10;
/** What root's other processes may hold meanwhile (this machine's own services, editors, tests). */
const OTHERS = 64;

/**
 * What a raise sets at least: labs started at the same moment each count the other's hosts only
 * once their cgroups exist, so a raise to exactly what the hosts counted so far can fall short
 * while both boot (an inotify shortage inside a host shows as logins that hang in pam_systemd).
 * 1024 holds about a hundred systemd hosts on the machine; more are counted.
 */
const AT_LEAST = 1024;

/** What `hosts` systemd hosts and root's other processes take, without the room a raise leaves. */
export function instancesTaken(hosts: number): number {
  return hosts * PER_HOST + OTHERS;
}

export function instancesNeeded(hosts: number): number {
  return Math.max(AT_LEAST, instancesTaken(hosts));
}

/** The systemd lab hosts running on this machine now: their cgroups (machines.ts names them). */
export function labHostsRunning(cgroupRoot = '/sys/fs/cgroup/systemd'): number {
  try {
    return readdirSync(cgroupRoot).filter((d) => d.startsWith('stake-lab')).length;
  } catch {
    return 0;
  }
}

export interface SettingFiles {
  /** The setting itself. */
  path: string;
  /** Where its value before the first raise is kept while any lab needs it raised. */
  original: string;
}

export const INOTIFY: SettingFiles = {
  path: INOTIFY_INSTANCES,
  original: join(slotClaimsDir(), 'inotify-max-user-instances.original'),
};

const read = (path: string) => readFileSync(path, 'utf8').trim();

/** The machine-wide record: the value before the first raise, and the last value a lab set. */
interface RaisedRecord {
  original: string;
  set: string;
}
const readRecord = (files: SettingFiles): RaisedRecord | undefined => {
  try {
    return JSON.parse(readFileSync(files.original, 'utf8')) as RaisedRecord;
  } catch {
    return undefined;
  }
};

/**
 * Raises the limit when `hosts` more systemd hosts beside the `running` ones would not fit under
 * it; returns what it changed. The value before any lab raised it is kept in `files.original`.
 */
export function raiseForHosts(
  hosts: number,
  running: number,
  files: SettingFiles = INOTIFY,
): RaisedSetting | undefined {
  const was = read(files.path);
  const need = instancesNeeded(hosts + running);
  if (Number(was) >= need) return undefined;
  const original = readRecord(files)?.original ?? was;
  mkdirSync(dirname(files.original), { recursive: true });
  writeFileSync(files.original, `${JSON.stringify({ original, set: String(need) })}\n`);
  writeFileSync(files.path, `${need}\n`);
  return { path: files.path, was, now: String(need) };
}

/**
 * Once no systemd lab host runs on the machine (`running` 0): the value before the first raise
 * put back, unless the setting was changed since the last raise (then it is someone else's).
 * Returns what it put back.
 */
export function restoreWhenLast(running: number, files: SettingFiles = INOTIFY): string | undefined {
  const record = readRecord(files);
  if (running > 0 || !record) return undefined;
  rmSync(files.original, { force: true });
  if (read(files.path) !== record.set) return undefined;
  writeFileSync(files.path, `${record.original}\n`);
  return `${files.path} back to ${record.original}`;
}
