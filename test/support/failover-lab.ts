/**
 * A deployed lab to fail over in, driven only through the real CLI (`stake lab`, `stake deploy`,
 * `stake failover`), with the lab chain as the judge of every signature.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChainSummary } from '../../src/lab/chain/ledger.js';
import type { LabStatus } from '../../src/lab/status.js';
import type { StatusReport } from '../../src/status/report.js';
import { waitFor } from '../../src/wait.js';
import { runStake, STAKE, type RunResult } from './helpers.js';
import { upLab, type TestLab } from './lab-process.js';

/** How long a lab deploy may take on a loaded 2-core machine (a 9-host rollout takes about 25 s alone). */
const DEPLOY_TIMEOUT_MS = 180_000;
export const BLOCK_MS = 200;

export class FailoverLab {
  readonly inventory: string;
  private constructor(
    private readonly lab: TestLab,
    readonly family: 'cosmos' | 'ethereum' | 'cardano',
    readonly identity: string,
    readonly witness: string,
  ) {
    this.inventory = join(lab.dir, 'inventory.yaml');
  }

  get dir(): string {
    return this.lab.dir;
  }

  /** Up, deployed, and signing. */
  static async start(family: 'cosmos' | 'ethereum' | 'cardano', inventoryText?: string): Promise<FailoverLab> {
    const names = {
      cosmos: ['cosmoshub', 'witness-ams'],
      ethereum: ['mainnet-pool', 'witness-ams'],
      cardano: ['pool', 'witness-sgp'],
    }[family];
    const dir = mkdtempSync(join(tmpdir(), `stake-fo-${family}-`));
    // another inventory of the family: a file lab up reads (it writes the lab's own from it)
    let inventory: string | undefined;
    if (inventoryText !== undefined) {
      inventory = join(dir, 'source-inventory.yaml');
      writeFileSync(inventory, inventoryText);
    }
    const up = upLab(family, dir, ['--block-time', String(BLOCK_MS)], inventory);
    const lab = new FailoverLab(up, family, names[0]!, names[1]!);
    try {
      assert.equal(up.up.code, 0, up.up.stderr);
      // a whole lab's rollout goes host by host through the firewall's safety net: bounded, not hurried
      lab.ok(lab.stake(['deploy', '-i', lab.inventory], {}, DEPLOY_TIMEOUT_MS), 'deploy');
      await lab.waitFor('the identity signing', (s) => (s.identities[0]?.signatures ?? 0) >= 2, 30_000);
      return lab;
    } catch (err) {
      // the caller never gets the lab to take down: a lab that did not start leaves nothing behind
      lab.down();
      throw err;
    }
  }

  stake(args: string[], env: Record<string, string> = {}, timeoutMs?: number, faults?: string): RunResult {
    return runStake(args, { cwd: this.dir, env, ...(timeoutMs ? { timeoutMs } : {}), ...(faults ? { faults } : {}) });
  }

  ok(r: RunResult, what: string): RunResult {
    assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /** The live active host and generation, read from the witness's record. */
  live(): { generation: number; active: string } {
    return JSON.parse(
      readFileSync(join(this.dir, 'hosts', this.witness, 'root', 'var/lib/stake', this.identity, 'generation'), 'utf8'),
    ) as { generation: number; active: string };
  }

  /** The standby of the live active host (the examples have one). */
  other(): string {
    const text = readFileSync(this.inventory, 'utf8');
    const active = this.live().active;
    const hosts = { cosmos: ['val-fra', 'val-waw'], ethereum: ['vc-fra', 'vc-lon'], cardano: ['bp-fra', 'bp-nyc'] }[
      this.family
    ];
    assert.ok(text.includes(`active: ${active}`), `the lab inventory says ${active} is active`);
    return hosts.find((h) => h !== active)!;
  }

  approve(to: string, operator: string, extra: string[] = [], key = operator): string {
    const file = join(this.dir, `${operator}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}.approval`);
    this.ok(
      this.stake([
        'failover',
        'approve',
        this.identity,
        '--to',
        to,
        '--as',
        operator,
        '--key',
        join(this.dir, 'operators', key),
        '-o',
        file,
        '-i',
        this.inventory,
        ...extra,
      ]),
      `approve by ${operator}`,
    );
    return file;
  }

  /** `stake failover --confirm` with these approvals; `faults` (./faults.ts) are injected at step boundaries. */
  confirm(to: string, approvals: string[], faults?: string, extra: string[] = []): RunResult {
    return this.stake(
      [
        'failover',
        this.identity,
        '--to',
        to,
        '--confirm',
        ...approvals.flatMap((a) => ['--approval', a]),
        '-i',
        this.inventory,
        '--verify-timeout',
        '20',
        ...extra,
      ],
      {},
      undefined,
      faults,
    );
  }

  /** A failover approved by alice and bob. */
  failover(to: string, faults?: string): RunResult {
    return this.confirm(to, [this.approve(to, 'alice'), this.approve(to, 'bob')], faults);
  }

  /** `stake drill failover` of the identity with the lab's two operator keys; `faults` through the step seam. */
  drill(rounds: number, report: string, extra: string[], timeoutMs: number, faults?: string): RunResult {
    return this.stake(
      [
        'drill',
        'failover',
        this.identity,
        '-i',
        this.inventory,
        '--operator-key',
        `alice=${join(this.dir, 'operators', 'alice')}`,
        '--operator-key',
        `bob=${join(this.dir, 'operators', 'bob')}`,
        '--rounds',
        String(rounds),
        '--report',
        report,
        ...extra,
      ],
      {},
      timeoutMs,
      faults,
    );
  }

  /**
   * A failover to `to` whose target was given the wrong key just before activation (`swap`, a
   * shell command run then): verify fails after 8 s, and the lab chain agrees the target signed
   * nothing and nothing was signed twice.
   */
  failsVerifyAfter(to: string, swap: string): void {
    const before = this.chain().identities[0]!.byHost[to] ?? 0;
    const approvals = [this.approve(to, 'alice'), this.approve(to, 'bob')];
    const r = this.confirm(to, approvals, `before:activate=run:${swap}`, ['--verify-timeout', '8']);
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 1, out);
    assert.match(out, new RegExp(`${to} has not signed for ${this.identity} within 8 s`), out);
    assert.equal(this.chain().identities[0]!.byHost[to] ?? 0, before, 'the judge agrees: nothing signed by the target');
    assert.equal(this.chain().doubleSigns, 0);
  }

  /** Runs `work` while the host's SSH is cut (`stake lab cut`), healing it afterwards whatever happens. */
  whileCut<T>(host: string, work: () => T): T {
    this.ok(this.stake(['lab', 'cut', host, '--dir', this.dir]), `cut ${host}`);
    try {
      return work();
    } finally {
      this.ok(this.stake(['lab', 'heal', host, '--dir', this.dir]), `heal ${host}`);
    }
  }

  resume(): RunResult {
    return this.stake(['failover', '--resume', '-i', this.inventory, '--verify-timeout', '20']);
  }

  /** Deploys the validators again: brings a fenced old host back as a keyless standby. */
  revive(): void {
    this.ok(
      this.stake(['deploy', '-i', this.inventory, '--limit', 'validator'], {}, DEPLOY_TIMEOUT_MS),
      'deploy --limit validator',
    );
  }

  journalState(): string | undefined {
    const path = join(this.dir, '.stake', 'failover', `${this.identity}.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { state: string }).state : undefined;
  }

  status(): LabStatus {
    return JSON.parse(runStake(['lab', 'status', '--dir', this.dir, '--json']).stdout) as LabStatus;
  }

  chain(): ChainSummary {
    return this.status().chain.summary!;
  }

  /** Every signature the chain accepted, in order. */
  signatures(): { identity: string; height: number; host: string }[] {
    return readFileSync(join(this.dir, 'chain', 'signatures.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { identity: string; height: number; host: string });
  }

  async waitFor(what: string, check: (s: ChainSummary) => boolean, timeoutMs = 20_000): Promise<ChainSummary> {
    let last: ChainSummary | undefined;
    const checked = () => {
      last = this.chain();
      return check(last) && last;
    };
    return waitFor(checked, {
      timeoutMs,
      what,
      intervalMs: 250,
      lastSeen: () => JSON.stringify(last),
    });
  }

  /** The identity signs on this host again, above the height it had reached now. */
  async signingOn(host: string, timeoutMs = 20_000): Promise<void> {
    const from = this.chain().height;
    await this.waitFor(
      `${this.identity} signing on ${host}`,
      (s) => s.identities[0]?.lastSigner === host && (s.identities[0]?.lastHeight ?? 0) > from,
      timeoutMs,
    );
  }

  /**
   * `stake status --watch --json` running in the lab: its output lines and frames so far, and a
   * stop (SIGINT, waited for). It writes to a file, not a pipe: a test that runs a command
   * synchronously meanwhile reads no pipe, and a full one would hold the screen's frames back.
   */
  watchStatus(): { lines(): string[]; frames(): StatusReport[]; stop(): Promise<number | null> } {
    const file = join(this.dir, `watch-${process.hrtime.bigint()}.ndjson`);
    const out = openSync(file, 'w');
    const err = openSync(`${file}.err`, 'w');
    const child = spawn(
      STAKE,
      ['status', '-i', this.inventory, '--watch', '--interval', '1', '--json', '--no-witness-copy'],
      { cwd: this.dir, stdio: ['ignore', out, err] },
    );
    closeSync(out);
    closeSync(err);
    // a test that fails before its stop must not keep this process alive, nor leave the screen running
    child.unref();
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    const closed = new Promise<number | null>((r) =>
      child.once('close', (code) => {
        process.removeListener('exit', reap);
        r(code);
      }),
    );
    // whole lines only: the last may be still being written
    const lines = () => readFileSync(file, 'utf8').split('\n').slice(0, -1).filter(Boolean);
    return {
      lines,
      frames: () => lines().map((l) => JSON.parse(l) as StatusReport),
      stop: () => {
        child.ref(); // waited for now: its exit must keep this process up until it comes
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        return closed;
      },
    };
  }

  down(): void {
    const r = this.lab.down();
    if (r.code !== 0) {
      rmSync(this.dir, { recursive: true, force: true });
      assert.fail(`lab down: ${r.stderr}`);
    }
  }
}
