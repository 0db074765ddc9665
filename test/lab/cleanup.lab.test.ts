/**
 * Every starter of labs, test namespaces and test hosts leaves nothing behind when it fails half
 * way (a failure injected through its seam at each point) or when the test process is ended by a
 * signal, as the runner's timeout ends it: no namespace in `ip netns list`, no link, no process
 * alive of those it started, no folder, no slot claim.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../src/inventory/load.js';
import { netnsUnavailable } from '../../src/lab/netns.js';
import { childrenOf, isRunning, recordProcess, type ProcessRecord } from '../../src/lab/processes.js';
import type { LabState } from '../../src/lab/state.js';
import { labUp, loopbackReason, type UpStage } from '../../src/lab/up.js';
import { projectPath } from '../../src/paths.js';
import { waitFor } from '../../src/wait.js';
import { sshdUnavailable, startTestHosts } from '../support/sshd.js';
import { leftBehind, makeNetwork } from '../support/test-network.js';
import { hostProcess } from '../support/lab-hosts.js';

const skip = sshdUnavailable();
const noNetns = skip ?? netnsUnavailable();
const module = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));

const namespaces = () =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
const links = () =>
  spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '');
/** Whether a pid is a live process (a zombie is not). */
const alive = (pid: number) => isRunning(recordProcess(pid, String(pid)));
const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};

/** What a lab had made when it was stopped: nothing of it may remain. */
function assertLabGone(state: LabState, dir: string): void {
  const processes = [state.chain.process, ...state.hosts.map((h) => h.sshd ?? h.machine?.nspawn)].filter(
    Boolean,
  ) as ProcessRecord[];
  // systemd hosts: their overlays unmounted, their cgroups gone
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const h of state.hosts.filter((x) => x.machine)) {
    assert.ok(!mounts.includes(` ${h.machine!.merged} `), `${h.machine!.merged} still mounted`);
    for (const cg of h.machine!.cgroups) assert.equal(existsSync(cg), false, `${cg} still there`);
  }
  for (const p of processes) assert.equal(isRunning(p), false, `${p.what} (pid ${p.pid}) still runs`);
  const mine = (n: string) => n.startsWith(`stake-lab${state.slot}-`) || n.startsWith(`stake-lab${state.slot}.`);
  assert.deepEqual(namespaces().filter(mine), [], 'no namespace of the lab');
  assert.equal(links().includes(`stake-lab${state.slot}`), false, 'no operator link');
  assert.equal(existsSync(dir), false, 'no lab folder');
  const claim = existsSync(state.slotClaim) ? readFileSync(state.slotClaim, 'utf8') : '';
  assert.equal(claim.includes(dir), false, 'the slot claim given up');
}

describe('lab up fails half-way: what it made is taken down', { skip }, () => {
  const mode = loopbackReason(false) ? 'loopback' : 'netns';
  const stages: UpStage[] = ['claimed', ...(mode === 'netns' ? (['network'] as const) : []), 'sshd', 'keys', 'chain'];
  for (const stage of stages) {
    test(`a failure after ${stage}`, async () => {
      const loaded = await loadInventory(projectPath('inventories', 'cosmos.yaml'));
      const dir = mkdtempSync(join(tmpdir(), `stake-lab-fail-${stage}-`));
      let made: LabState | undefined;
      const reached = (at: UpStage, state: LabState) => {
        if (at !== stage) return;
        made = structuredClone(state);
        throw new Error(`failing on purpose after ${stage}`);
      };
      await assert.rejects(
        labUp(loaded, { dir, mode, blockTimeMs: 500, say: () => undefined, reached }),
        new RegExp(`failing on purpose after ${stage}`),
      );
      assert.ok(made, 'the stage was reached');
      if (stage === 'chain') assert.ok(made.chain.process && made.hosts.every((h) => h.sshd), 'everything was made');
      assertLabGone(made, dir);
    });
  }

  test('an interrupt (SIGINT, SIGTERM: the abort signal) ends it at the next stage, taken down the same', async () => {
    const loaded = await loadInventory(projectPath('inventories', 'cosmos.yaml'));
    const dir = mkdtempSync(join(tmpdir(), 'stake-lab-abort-'));
    const interrupt = new AbortController();
    let made: LabState | undefined;
    const reached = (at: UpStage, state: LabState) => {
      made = structuredClone(state);
      if (at === 'sshd') interrupt.abort(new Error('interrupted on purpose'));
    };
    await assert.rejects(
      labUp(loaded, { dir, mode, blockTimeMs: 500, say: () => undefined, reached, signal: interrupt.signal }),
      /interrupted on purpose/,
    );
    assert.ok(made, 'a stage was reached');
    assert.ok(
      made.hosts.every((h) => h.sshd),
      'its sshd hosts had started',
    );
    assertLabGone(made, dir);
  });
});

describe('test namespaces fail half-way: nothing is left', { skip: noNetns }, () => {
  test('a failure before each ip command in turn leaves no namespace and no link', () => {
    const links = [
      { a: 'root', aAddress: '10.233.0.1/30', b: 'left', bAddress: '10.233.0.2/30' },
      { a: 'left', aAddress: '10.233.1.1/30', b: 'right', bAddress: '10.233.1.2/30' },
    ];
    let failures = 0;
    for (let failAfter = 0; ; failAfter++) {
      try {
        makeNetwork(['left', 'right'], links, { failAfter }).remove();
        break; // every command ran: the whole network was made, and removed
      } catch (err) {
        assert.match((err as Error).message, /failing on purpose/);
        failures++;
      }
      assert.deepEqual(leftBehind(), [], `after a failure before command ${failAfter + 1}`);
    }
    // two namespaces of two commands each; a link of one command and two or three for each end
    assert.equal(failures, 2 * 2 + (1 + 2 + 3) + (1 + 3 + 3), 'a failure before every command was tried');
    assert.deepEqual(leftBehind(), []);
  });
});

describe('test hosts fail half-way: nothing is left', { skip }, () => {
  test('one host started, the next cannot start: the first is stopped, the folder removed', async () => {
    const folders = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('stake-sshd-')));
    const before = folders();
    await assert.rejects(
      startTestHosts(['one', 'two'], {
        firstAddress: 230,
        placement: { two: { netns: `stake-t${process.pid}-no-such-namespace`, address: '10.233.9.2' } },
      }),
      /did not start/,
    );
    const sshds = childrenOf(process.pid).filter((p) => isRunning(p) && /sshd/.test(commandLine(p.pid)));
    assert.deepEqual(sshds, [], 'no sshd of this process still runs');
    assert.deepEqual(
      [...folders()].filter((n) => !before.has(n)),
      [],
      'no folder of theirs left',
    );
  });
});

/** A test process of its own that makes things, reports them in a line of JSON, then hangs until ended. */
function hangingTest(lines: string[]) {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', [...lines, 'setInterval(() => {}, 1000);'].join('\n')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    child,
    exited,
    report: <T>(what: string) =>
      waitFor(() => out.includes('\n') && (JSON.parse(out.split('\n')[0]!) as T), { timeoutMs: 120_000, what }),
  };
}

describe('a test process ended by a signal (the runner’s timeout) takes down what it made', { skip }, () => {
  test('its namespaces and sshd hosts', { skip: noNetns }, async () => {
    const run = hangingTest([
      `const { makeNetwork } = await import(${module('../support/test-network.js')});`,
      `const { startTestHosts } = await import(${module('../support/sshd.js')});`,
      "makeNetwork(['x'], [{ a: 'root', aAddress: '10.233.2.1/30', b: 'x', bAddress: '10.233.2.2/30' }]);",
      "const hosts = await startTestHosts(['solo'], { firstAddress: 236 });",
      'console.log(JSON.stringify({ sshd: hosts.hosts[0].process.pid, dir: hosts.dir }));',
    ]);
    const made = await run.report<{ sshd: number; dir: string }>('the test process to report what it made');
    const pid = run.child.pid!;
    const its = () =>
      [...namespaces(), ...links()].filter((n) => n.startsWith(`stake-t${pid}-`) || n.startsWith(`st${pid % 100000}x`));
    assert.equal(its().length, 2, `its namespace and link exist: ${its().join(', ')}`);
    assert.ok(alive(made.sshd));
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 128 + 15, 'it exits as a SIGTERM ends a process');
    assert.deepEqual(its(), [], 'no namespace or link of it is left');
    // killed at its exit; the kernel delivers a SIGKILL on its own time
    await waitFor(() => !alive(made.sshd), { timeoutMs: 5000, what: 'its sshd to be gone' });
    assert.equal(existsSync(made.dir), false, 'its folder is removed');
  });

  test('its lab', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-lab-signal-'));
    const run = hangingTest([
      `const { upLab } = await import(${module('../support/lab-process.js')});`,
      `const lab = upLab('cosmos', ${JSON.stringify(dir)}, ['--block-time', '500']);`,
      'if (lab.up.code !== 0) throw new Error(lab.up.stderr);',
      "const { readFileSync } = await import('node:fs');",
      `console.log(readFileSync(${JSON.stringify(join(dir, 'lab.json'))}, 'utf8').replace(/\\n/g, ''));`,
    ]);
    let state: LabState | undefined;
    try {
      state = await run.report<LabState>('the test process to bring its lab up');
      assert.ok(state.hosts.every((h) => isRunning(hostProcess(h))));
    } finally {
      // whatever failed above, the hanging process is ended: it would hold the test file open
      run.child.kill('SIGTERM');
      await run.exited;
    }
    assertLabGone(state!, dir);
  });
});
