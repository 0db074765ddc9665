/**
 * Machine-wide claims of lab slots: each running lab owns one slot (its /23 or 127.x ranges and
 * its namespace names) through a file named after the slot, in slotClaimsDir().
 *
 * A claim names its lab folder and the process that made it (pid and start time). It is live
 * while that process runs, or while the folder's lab.json records the slot. The first covers a
 * `lab up` between its claim and its first state write; judging by the state file alone, two labs
 * started at once both took slot 0, each finding the other's folder without a state yet. The
 * second covers a lab that is up (its `lab up` has exited). A claim is stale, and taken over, only
 * when its maker is gone and its folder does not record it: the folder was deleted, or a `lab up`
 * died before writing its state (nothing of the lab exists yet then: the state records every
 * piece before it is made).
 *
 * Claims are judged and written under an exclusive flock(2) on a file in the claims folder, held
 * by a `flock` child process for as long as the judging takes: two labs never judge the same stale
 * claim at once and both take it over. A lock is needed for the takeover because no file
 * operation replaces a file only if it still holds what was read; flock because the kernel drops
 * it when its holder dies, so a crash never leaves it behind (a lock file judged by its pid would
 * need a takeover of its own, which would race the same way).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAB_SLOTS } from './addressing.js';
import { labPaths, slotClaimsDir } from './layout.js';
import { isRunning, recordProcess, type ProcessRecord } from './processes.js';
import { readLabState } from './state.js';

const LOCK_TIMEOUT_SECONDS = 30;

interface Claim {
  dir: string;
  /** The process that made the claim; absent in a claim written before stake recorded it. */
  maker?: ProcessRecord;
}

function readClaim(path: string): Claim | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const claim = JSON.parse(text) as Claim;
    if (typeof claim.dir === 'string') return claim;
  } catch {
    // a claim from before the maker was recorded: the folder alone
  }
  return { dir: text.trim() };
}

function live(claim: Claim, slot: number): boolean {
  if (claim.maker && isRunning(claim.maker)) return true;
  try {
    return readLabState(labPaths(claim.dir).state)?.slot === slot;
  } catch {
    return true; // a lab folder we cannot read is not ours to take
  }
}

/** Runs `work` holding the claims folder's lock; the lock is released when it returns or throws. */
async function underLock<T>(claims: string, work: () => T | Promise<T>): Promise<T> {
  const lock = join(claims, '.lock');
  const argv = ['--exclusive', '--timeout', String(LOCK_TIMEOUT_SECONDS), lock, 'sh', '-c', 'echo locked; exec cat'];
  const holder = spawn('flock', argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => {
    holder.once('close', () => resolve());
    holder.once('error', () => resolve());
  });
  holder.stdin.on('error', () => undefined); // the holder gone already: nothing to tell it
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      holder.stderr.on('data', (d: Buffer) => (err += d.toString()));
      holder.stdout.once('data', () => resolve());
      holder.once('error', (e) => reject(new Error(`flock (util-linux) is needed to claim a lab slot: ${e.message}`)));
      holder.once('close', (code) =>
        reject(
          new Error(
            `could not lock the lab slot claims in ${LOCK_TIMEOUT_SECONDS} s (flock exit ${code}): ${err.trim()}`,
          ),
        ),
      );
    });
    return await work();
  } finally {
    holder.stdin.end(); // cat ends, then flock, and the kernel drops the lock
    await exited;
  }
}

function writeClaim(path: string, claim: Claim): void {
  writeFileSync(`${path}.${process.pid}.tmp`, `${JSON.stringify(claim)}\n`);
  renameSync(`${path}.${process.pid}.tmp`, path);
}

export interface ClaimOptions {
  /** Rules out slots in use by other means (namespaces that exist). */
  taken?: (slot: number) => boolean;
  /** The claims folder; the machine-wide one unless a test gives its own. */
  claims?: string;
  /** Test seam: runs between judging a slot free and writing the claim, to hold that window open. */
  judged?: (slot: number) => Promise<void>;
}

/** Claims the first free slot for a lab folder, made by this process. */
export async function claimSlot(dir: string, options: ClaimOptions = {}): Promise<{ slot: number; claim: string }> {
  const claims = options.claims ?? slotClaimsDir();
  mkdirSync(claims, { recursive: true, mode: 0o1777 });
  return underLock(claims, async () => {
    for (let slot = 0; slot < LAB_SLOTS; slot++) {
      if (options.taken?.(slot)) continue;
      const path = join(claims, String(slot));
      const held = readClaim(path);
      // the folder's own claim is its to make again (a lab brought up anew in the same folder)
      if (held && held.dir !== dir && live(held, slot)) continue;
      await options.judged?.(slot);
      writeClaim(path, { dir, maker: recordProcess(process.pid, 'stake lab up') });
      return { slot, claim: path };
    }
    throw new Error(`all ${LAB_SLOTS} lab slots on this machine are taken (${claims})`);
  });
}

/** Gives a folder's claim up; a claim another folder holds by now is left alone. */
export async function releaseSlot(claim: string, dir: string): Promise<void> {
  if (readClaim(claim)?.dir !== dir) return; // gone, or another folder's: nothing of ours to give up
  await underLock(dirname(claim), () => {
    if (readClaim(claim)?.dir === dir) rmSync(claim, { force: true });
  });
}

/**
 * Runs `work` only when no lab but `dir` holds a live claim, judged under the claims lock, and
 * says whether it ran. A machine-wide setting the labs share is put back this way: a lab counted
 * by what already runs (its cgroups) is missed between its claim and its boot, and a setting put
 * back in that window leaves it booting under the old limit. Every `lab up` claims before it
 * raises, under the same lock, so a lab not seen here raises again for itself.
 */
export async function ifLastLab(dir: string, work: () => void, claims = slotClaimsDir()): Promise<boolean> {
  mkdirSync(claims, { recursive: true, mode: 0o1777 });
  return underLock(claims, () => {
    const others = readdirSync(claims)
      .filter((n) => /^\d+$/.test(n))
      .some((n) => {
        const held = readClaim(join(claims, n));
        return held !== undefined && held.dir !== dir && live(held, Number(n));
      });
    if (others) return false;
    work();
    return true;
  });
}
