/**
 * `stake status` and `stake drill failover` in a deployed cosmos lab, through the real CLI: real
 * sshd hosts, real files and processes, the simulated clients' metrics endpoints, and the lab
 * chain as the judge of every signature.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StatusReport } from '../../src/status/report.js';
import type { DrillReport } from '../../src/drill/report.js';
import { waitFor } from '../../src/wait.js';
import { COMETBFT_SIGN_STATE } from '../../src/keys/layout.js';
import { projectPath } from '../../src/paths.js';
import { FailoverLab } from '../support/failover-lab.js';
import { sshdUnavailable } from '../support/sshd.js';
import { asRootOn, lookBackOff } from '../support/lab-hosts.js';

const json = <T>(text: string): T => JSON.parse(text) as T;

// One lab for all, its tests in order: each puts back what it changed (the hand-edited file is
// deployed again, the rogue key removed: its double signs stay on the chain, and each later test
// judges only what it did), the drill leaves val-waw live, and the failing drill, which needs
// nothing of the others, comes last.
describe('stake status and stake drill in a cosmos lab', { skip: sshdUnavailable(), timeout: 300_000 }, () => {
  let lab: FailoverLab;
  before(async () => {
    lab = await FailoverLab.start('cosmos');
  });
  after(() => lab?.down());

  const drill = (rounds: number, report: string, extra: string[], timeoutMs: number, faults?: string) =>
    lab.drill(rounds, report, extra, timeoutMs, faults);

  const status = () => {
    const r = lab.stake(['status', '-i', lab.inventory, '--json']);
    return { code: r.code, report: json<StatusReport & { tookMs: number }>(r.stdout), stderr: r.stderr };
  };

  it('shows every host reached, its services up, heights and peers from the clients, no drift, and the live signer', () => {
    const { code, report, stderr } = status();
    assert.equal(code, 0, stderr);
    assert.equal(report.hosts.length, 9);
    for (const h of report.hosts) assert.ok(h.reachable, `${h.host}: ${h.error}`);
    const val = report.hosts.find((h) => h.host === 'val-fra')!;
    assert.deepEqual(val.services, [{ name: 'cometbft', state: 'active' }]);
    assert.equal(val.version, 'v0.38.17', 'the pinned version: the installed binary is the pinned one');
    assert.ok((val.height ?? 0) > 0 && val.sync === 'synced', JSON.stringify(val));
    assert.equal(val.peers, 4, 'two sentries in each site');
    assert.deepEqual(
      report.hosts.flatMap((h) => h.drift),
      [],
      'a fresh deploy has no drift',
    );
    const id = report.identities[0]!;
    assert.equal(id.live, 'val-fra');
    assert.equal(id.generation, 1);
    assert.equal(id.lastSigner, 'val-fra');
    assert.ok((id.lastSigned ?? 0) > 0);
    assert.deepEqual(id.rogueSigners, []);
    assert.deepEqual(report.alarms, []);
  });

  it("saves the live active host's signing state on the witness, never moving it backwards", () => {
    const { report } = status();
    assert.match(report.identities[0]!.witnessCopy ?? '', /^saved \(height \d+\) on witness-ams/);
    const copy = join(
      lab.dir,
      'hosts',
      'witness-ams',
      'root',
      'var/lib/stake/cosmoshub/signing-state/priv_validator_state.json',
    );
    const saved = json<{ height: string }>(readFileSync(copy, 'utf8'));
    const active = json<{ height: string }>(
      readFileSync(
        join(lab.dir, 'hosts', 'val-fra', 'root', 'var/lib/cometbft/data/priv_validator_state.json'),
        'utf8',
      ),
    );
    assert.ok(
      Number(saved.height) > 0 && Number(saved.height) <= Number(active.height),
      `copy ${saved.height}, active ${active.height}`,
    );
  });

  it('shows drift when a deployed file is changed by hand', () => {
    const config = join(lab.dir, 'hosts', 'sentry-fra-1', 'root', 'etc/stake/nftables.nft');
    copyFileSync(join(lab.dir, 'hosts', 'sentry-fra-2', 'root', 'etc/stake/nftables.nft'), config);
    const host = status().report.hosts.find((h) => h.host === 'sentry-fra-1')!;
    assert.deepEqual(host.drift, ['change /etc/stake/nftables.nft']);
    assert.ok(status().report.warnings.some((w) => w.startsWith('sentry-fra-1: 1 file differs')));
    lab.ok(lab.stake(['deploy', '-i', lab.inventory, '--limit', 'sentry-fra-1']), 'deploy puts it back');
    assert.deepEqual(status().report.hosts.find((h) => h.host === 'sentry-fra-1')!.drift, []);
  });

  it('raises a red alarm and exits 1 when a standby holds the key and runs its signer', () => {
    const keyAt = join(lab.dir, 'hosts', 'val-waw', 'root', 'var/lib/cometbft/config/priv_validator_key.json');
    copyFileSync(
      join(lab.dir, 'hosts', 'val-waw', 'root', 'var/lib/stake/sealed/cosmoshub/priv_validator_key.json'),
      keyAt,
    );
    try {
      const { code, report } = status();
      assert.equal(code, 1);
      assert.deepEqual(report.identities[0]!.rogueSigners, ['val-waw']);
      assert.ok(
        report.alarms.some((a) => a.includes('val-waw is running a signer') && a.includes('TWO SIGNERS')),
        report.alarms.join('\n'),
      );
      const text = lab.stake(['status', '-i', lab.inventory]);
      assert.match(text.stdout, /✗ cosmoshub: val-waw is running a signer/);
    } finally {
      rmSync(keyAt);
    }
  });

  it("a key copied onto the standby: the sentries' blocks carry the duplicate votes, and status shows them as the lab chain counted them", async () => {
    const standby = lab.other();
    const judged = () => new Set(lab.chain().identities[0]!.doubleSigns.map((d) => d.height));
    const before = judged();
    // the sealed key put in place with a fresh signing state, as a careless restore of a backup
    // would, both owned by the client (as cometbft init makes them): its CometBFT starts and signs
    const key = 'var/lib/cometbft/config/priv_validator_key.json';
    const data = 'var/lib/cometbft/data';
    const placed = asRootOn(lab.dir, standby, (root) =>
      [
        `mkdir -p ${root}/${data}`,
        `printf '%s' '{"height":"0","round":0,"step":0}' > ${root}/${data}/priv_validator_state.json`,
        `cp ${root}/var/lib/stake/sealed/cosmoshub/priv_validator_key.json ${root}/${key}`,
        `chown -R --reference=${root}/var/lib/cometbft/config/config.toml ${root}/${data} ${root}/${key}`,
      ].join(' && '),
    );
    assert.equal(placed.code, 0, placed.stderr);
    // and the look-back turned off (as rendered, CometBFT would refuse to join beside the active)
    const off = lookBackOff(lab.dir, standby);
    assert.equal(off.code, 0, off.stderr);
    try {
      const seen = await waitFor(
        () => {
          const id = status().report.identities[0]!;
          // one seen by two sentries: a read may come while the block carrying the newest has
          // reached only one of them (a sentry a block behind), which is no miss of the others
          const fresh = id.equivocations.filter((e) => !before.has(e.height));
          return fresh.some((e) => e.sources.length >= 2) ? id : undefined;
        },
        { timeoutMs: 60_000, what: 'duplicate-vote evidence in stake status, from two sentries', intervalMs: 200 },
      );
      const now = judged();
      for (const e of seen.equivocations.filter((x) => !before.has(x.height))) {
        assert.ok(now.has(e.height), `height ${e.height} is one the lab chain counted: ${[...now].join(', ')}`);
        assert.match(e.what, /^duplicate-vote evidence in block \d+$/);
        assert.ok(e.sources.length >= 1 && e.sources.every((x) => x.startsWith('sentry-')), e.sources.join(', '));
      }
      assert.ok(
        seen.alarms.some((a) => /^DOUBLE SIGN at height \d+: duplicate-vote evidence/.test(a)),
        seen.alarms.join('\n'),
      );
    } finally {
      asRootOn(lab.dir, standby, (root) => `rm -rf ${root}/${key} ${root}/${data}`);
    }
  });

  it('--watch redraws until Ctrl-C and then exits 0', async () => {
    const watch = lab.watchStatus();
    await waitFor(() => watch.lines().length >= 2, {
      timeoutMs: 30_000,
      what: 'two frames of --watch',
      lastSeen: () => watch.lines().join('\n'),
    }).finally(() => watch.stop());
    const code = await watch.stop();
    const frames = watch.frames();
    assert.ok(frames.length >= 2, `two refreshes, got ${frames.length}`);
    assert.ok(Date.parse(frames[1]!.at) > Date.parse(frames[0]!.at));
    assert.equal(code, 0);
  });

  it('drills 5 failovers back and forth with two operator keys: no double sign, every round within its objective, a report in three forms', () => {
    // the earlier tests' double signs (the rogue standby) are history: the drill judges its own rounds
    const report = join(lab.dir, 'drill-report');
    const r = drill(5, report, ['--objective', '60s', '--verify-timeout', '20'], 150_000);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /✓ drill passed: 5 of 5 rounds passed/);
    const doc = json<DrillReport>(readFileSync(join(report, 'drill.json'), 'utf8'));
    assert.equal(doc.rounds.length, 5);
    assert.deepEqual(
      doc.rounds.map((x) => `${x.from}>${x.to}`),
      ['val-fra>val-waw', 'val-waw>val-fra', 'val-fra>val-waw', 'val-waw>val-fra', 'val-fra>val-waw'],
    );
    for (const x of doc.rounds) {
      assert.equal(x.result, 'done');
      assert.deepEqual(x.doubleSigned, []);
      assert.ok(x.gapHeights !== undefined && x.gapHeights >= 0 && x.firstNew! > x.lastOld!, JSON.stringify(x));
      assert.deepEqual(
        x.steps.map((s) => s.step),
        ['lock', 'preflight', 'fence', 'carry', 'bump', 'activate', 'verify', 'record'],
      );
    }
    // the approvals really were signed with the keys given, and verify as OpenSSH signatures
    assert.equal(readdirSync(report).filter((f) => f.endsWith('.approval')).length, 10);
    const html = readFileSync(join(report, 'drill.html'), 'utf8');
    assert.equal((html.match(/<svg /g) ?? []).length, 5, 'a timeline per round');
    assert.doesNotMatch(html, /<script|src="http|href="http/, 'self-contained');
    assert.match(readFileSync(join(report, 'drill.md'), 'utf8'), /\*\*PASSED\*\*: 5 of 5 rounds/);
    // and the deployment is whole afterwards: the status is green again
    const after = status();
    assert.equal(after.report.identities[0]!.live, 'val-waw');
    assert.deepEqual(after.report.identities[0]!.rogueSigners, []);
    assert.ok(existsSync(join(report, 'round-5-bob.approval')));
  });

  it('a drill fails (exit 1) when a round misses its objective', () => {
    const report = join(lab.dir, 'drill-slow');
    const r = drill(1, report, ['--objective', '1s'], 60_000);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /over the objective of 1 s/);
  });

  it("a drill whose carry is broken (the target's watermark reset through the fault seam) stays clean: the look-back's wait keeps old heights from the target", () => {
    // on ethereum the same fault is a double sign (broken-carry.lab.test.ts); a CometBFT target
    // started 10 heights past the old host's last signature is never asked for one it signed
    const report = join(lab.dir, 'drill-broken');
    const target = join(lab.dir, 'hosts', lab.other(), 'root', COMETBFT_SIGN_STATE);
    const fresh = projectPath('test', 'fixtures', 'reference', 'cometbft', 'priv_validator_state.initial.json');
    const r = drill(1, report, [], 120_000, `after:carry=run:cp '${fresh}' '${target}'`);
    assert.equal(r.code, 0, r.stdout);
    const doc = json<DrillReport>(readFileSync(join(report, 'drill.json'), 'utf8'));
    assert.equal(doc.summary.doubleSigns, 0, JSON.stringify(doc.summary));
    const round = doc.rounds[0]!;
    assert.ok(round.firstNew! >= round.lastOld! + 10, JSON.stringify(round));
  });
});
