/**
 * Lab slot claims (src/lab/slots.ts) in a claims folder of the test's own: labs started at once
 * get different slots before any of them has written its state, and a claim is taken over only
 * when its maker is gone and its folder does not record it.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claimSlot, ifLastLab, releaseSlot } from '../../src/lab/slots.js';

const SLOTS_MODULE = fileURLToPath(new URL('../../src/lab/slots.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'stake-slots-t-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let serial = 0;
/** A fresh claims folder and lab folders in it, for one test. */
function world(labs: number) {
  const root = join(scratch, String(serial++));
  const claims = join(root, 'claims');
  const dirs = Array.from({ length: labs }, (_, i) => join(root, `lab-${i}`));
  for (const d of dirs) mkdirSync(d, { recursive: true });
  return { claims, dirs };
}

const holderOf = (claims: string, slot: number) =>
  (JSON.parse(readFileSync(join(claims, String(slot)), 'utf8')) as { dir: string }).dir;

/** The state a lab that is up has written: the slot it holds. */
const writeState = (dir: string, slot: number) =>
  writeFileSync(join(dir, 'lab.json'), JSON.stringify({ version: 1, slot }));

/**
 * Another `stake lab up`: a process of its own that claims a slot for `dir` once told to go,
 * prints it, and keeps running (its claim live, no state written) until `release()`, or exits at
 * once with `hold: false`. `window` holds the gap between judging a slot free and writing the
 * claim open that long (the seam `judged`), so claimers started together really overlap there.
 */
function claimer(dir: string, claims: string, options: { hold: boolean; window?: number }) {
  const script = [
    `const { claimSlot } = await import(${JSON.stringify(SLOTS_MODULE)});`,
    `const judged = () => new Promise((r) => setTimeout(r, ${options.window ?? 0}));`,
    "console.log('ready');",
    "process.stdin.once('data', async () => {",
    `  const { slot } = await claimSlot(${JSON.stringify(dir)}, { claims: ${JSON.stringify(claims)}, judged });`,
    '  console.log(slot);',
    options.hold ? '' : '  process.exit(0);',
    '});',
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const line = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const lines = out.split('\n').slice(0, -1);
        if (lines.length > n) resolve(lines[n]!);
      };
      child.stdout.on('data', check);
      child.once('close', (code) => reject(new Error(`the claimer exited ${code} before line ${n + 1}: ${err}`)));
    });
  const ready = line(0);
  const slot = line(1).then(Number);
  return {
    ready,
    slot,
    exited,
    go: () => child.stdin.write('go\n'),
    release: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** A claim made by a process that is gone by now. */
async function claimedByTheGone(dir: string, claims: string): Promise<number> {
  const gone = claimer(dir, claims, { hold: false });
  await gone.ready;
  gone.go();
  const slot = await gone.slot;
  await gone.exited;
  return slot;
}

describe('lab slot claims', () => {
  test('two labs claiming before either has written its state get two different slots', async () => {
    const { claims, dirs } = world(2);
    const first = await claimSlot(dirs[0]!, { claims });
    const second = await claimSlot(dirs[1]!, { claims });
    assert.equal(first.slot, 0);
    assert.equal(second.slot, 1, 'the first claim is live: its maker runs, though its folder has no state yet');
    assert.equal(holderOf(claims, 0), dirs[0]);
  });

  test('labs started at once, each a process of its own, all get different slots, also over stale claims', async () => {
    const { claims, dirs } = world(8);
    // four stale claims, their makers gone and their folders deleted: every claimer wants slot 0 first
    for (const dir of dirs.slice(4)) await claimedByTheGone(dir, claims);
    for (const dir of dirs.slice(4)) rmSync(dir, { recursive: true });
    const labs = dirs.slice(0, 4).map((dir) => claimer(dir, claims, { hold: true, window: 100 }));
    try {
      await Promise.all(labs.map((l) => l.ready));
      for (const l of labs) l.go();
      const slots = await Promise.all(labs.map((l) => l.slot));
      assert.deepEqual(
        [...slots].sort((a, b) => a - b),
        [0, 1, 2, 3],
        `slots ${slots.join(', ')}`,
      );
      for (const [i, slot] of slots.entries()) assert.equal(holderOf(claims, slot), dirs[i], `slot ${slot}`);
    } finally {
      await Promise.all(labs.map((l) => l.release()));
    }
  });

  test('a stale claim is taken over: its maker is gone and its folder deleted', async () => {
    const { claims, dirs } = world(2);
    assert.equal(await claimedByTheGone(dirs[0]!, claims), 0);
    rmSync(dirs[0]!, { recursive: true });
    assert.equal((await claimSlot(dirs[1]!, { claims })).slot, 0);
    assert.equal(holderOf(claims, 0), dirs[1]);
  });

  test('a lab up that died before its state: its claim is taken over, the folder kept', async () => {
    const { claims, dirs } = world(2);
    await claimedByTheGone(dirs[0]!, claims);
    assert.equal((await claimSlot(dirs[1]!, { claims })).slot, 0);
  });

  test('a lab that is up keeps its slot after its lab up has exited: its state records the slot', async () => {
    const { claims, dirs } = world(2);
    writeState(dirs[0]!, await claimedByTheGone(dirs[0]!, claims));
    assert.equal((await claimSlot(dirs[1]!, { claims })).slot, 1);
    assert.equal(holderOf(claims, 0), dirs[0]);
  });

  test('a claim written before makers were recorded (the folder alone) is judged by its folder', async () => {
    const { claims, dirs } = world(3);
    mkdirSync(claims, { recursive: true });
    writeFileSync(join(claims, '0'), `${dirs[0]}\n`);
    writeState(dirs[0]!, 0);
    writeFileSync(join(claims, '1'), `${dirs[1]}\n`); // its folder records no slot: stale
    assert.equal((await claimSlot(dirs[2]!, { claims })).slot, 1);
  });

  test('release gives up only the folder’s own claim', async () => {
    const { claims, dirs } = world(2);
    const { claim } = await claimSlot(dirs[0]!, { claims });
    await releaseSlot(claim, dirs[1]!);
    assert.equal(holderOf(claims, 0), dirs[0], 'another folder cannot release it');
    await releaseSlot(claim, dirs[0]!);
    assert.equal((await claimSlot(dirs[1]!, { claims })).slot, 0);
    await releaseSlot(join(claims, '7'), dirs[0]!); // nothing there: nothing to do
  });

  test('a shared setting is put back only by the last lab: one claimed but not yet booted counts', async () => {
    const { claims, dirs } = world(3);
    let putBack = 0;
    const work = () => void putBack++;
    const first = await claimSlot(dirs[0]!, { claims });
    // another lab up has claimed and not yet booted (no state, its maker this live process)
    const second = await claimSlot(dirs[1]!, { claims });
    assert.equal(await ifLastLab(dirs[0]!, work, claims), false, 'the second lab is between its claim and its boot');
    assert.equal(putBack, 0);
    await releaseSlot(first.claim, dirs[0]!);
    // a stale claim (its maker gone, its folder records nothing) is no lab
    await claimedByTheGone(dirs[2]!, claims);
    assert.equal(await ifLastLab(dirs[1]!, work, claims), true, 'its own claim does not count');
    assert.equal(putBack, 1);
    await releaseSlot(second.claim, dirs[1]!);
  });
});
