/**
 * `stake failover` in a cosmos lab with a fault at every step boundary, through the real CLI:
 * SIGKILL after each step then --resume, SSH cut to the old host, the witness or the target
 * (`stake lab cut`) with --resume or a rollback (../support/fault-round.ts), an edited inventory
 * refused at --resume, and --old-host-dead refused while the cut-off host signs, then completed
 * once it is really dead. Zero double signs in every case.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { STEPS } from '../../src/failover/plan.js';
import { sshdUnavailable } from '../support/sshd.js';
import { FailoverLab } from '../support/failover-lab.js';
import { faultRound } from '../support/fault-round.js';
import { backFromTheDead, powerLoss } from '../support/dead-host.js';

const skip = sshdUnavailable();

describe('failover faults at every step boundary (cosmos lab)', { skip }, () => {
  let lab: FailoverLab;
  before(async () => {
    lab = await FailoverLab.start('cosmos');
  });
  after(() => lab?.down());

  for (const step of STEPS.slice(0, -1)) {
    test(`SIGKILL after ${step}, then --resume`, async () => {
      const to = lab.other();
      const outcome = await faultRound(lab, 'kill', `after:${step}`);
      assert.match(outcome, new RegExp(`signing on ${to}`), 'resume goes forward');
    });
  }
  test("killed after fencing, the target's address edited before --resume: refused before connecting; restored: resumed", async () => {
    const to = lab.other();
    const killed = lab.failover(to, 'after:fence=kill');
    assert.equal(killed.code, null, 'killed by the signal');
    const original = readFileSync(lab.inventory, 'utf8');
    const doc = parseDocument(original);
    doc.setIn(['hosts', to, 'address'], '192.0.2.66'); // TEST-NET-1: a decoy nothing routes
    writeFileSync(lab.inventory, doc.toString());
    const refusedResume = lab.resume();
    assert.equal(refusedResume.code, 4, refusedResume.stdout + refusedResume.stderr);
    assert.match(refusedResume.stderr, new RegExp(`host ${to}: address was [0-9.]+, is now 192\\.0\\.2\\.66`));
    assert.equal(lab.journalState(), 'running', 'the journal waits');
    writeFileSync(lab.inventory, original);
    lab.ok(lab.resume(), 'resume');
    await lab.signingOn(to);
    assert.equal(lab.chain().doubleSigns, 0);
    lab.revive();
  });
  test('SSH to the old host cut before fencing: rolled back once it is back, the old host signs', async () => {
    const from = lab.live().active;
    assert.match(await faultRound(lab, 'cut-old', 'after:preflight'), new RegExp(`exit 5.*signing on ${from}`));
  });
  test('SSH to the witness cut before the bump: the majority carries it, the record waits for the witness', async () => {
    const to = lab.other();
    assert.match(await faultRound(lab, 'cut-witness', 'after:carry'), new RegExp(`signing on ${to}`));
  });
  test("the target's sshd stopped after fencing: rolled back to the old host", async () => {
    const from = lab.live().active;
    assert.match(await faultRound(lab, 'cut-target', 'after:fence'), new RegExp(`signing on ${from}`));
  });
  test("the target's sshd stopped after the bump: never back, resumed forward", async () => {
    const to = lab.other();
    assert.match(await faultRound(lab, 'cut-target', 'after:bump'), new RegExp(`signing on ${to}`));
  });
  test('--old-host-dead refuses while the chain still shows the cut-off host signing', () => {
    const from = lab.live().active;
    const to = lab.other();
    const approvals = [
      lab.approve(to, 'alice', ['--old-host-dead', '--safety-window', '5']),
      lab.approve(to, 'bob', ['--old-host-dead', '--safety-window', '5']),
    ];
    const r = lab.whileCut(from, () =>
      lab.confirm(to, approvals, undefined, ['--old-host-dead', '--safety-window', '5']),
    );
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /it is not dead, it is cut off from you/);
    assert.equal(lab.journalState(), 'rolled-back');
    assert.equal(lab.live().active, from);
  });
  test('--old-host-dead with a really dead host: the target signs after the safety window, above the chain head', async () => {
    const from = lab.live().active;
    const to = lab.other();
    const approvals = [
      lab.approve(to, 'alice', ['--old-host-dead', '--safety-window', '5']),
      lab.approve(to, 'bob', ['--old-host-dead', '--safety-window', '5']),
    ];
    powerLoss(lab, from, 'cometbft');
    const r = lab.ok(
      lab.confirm(to, approvals, undefined, ['--old-host-dead', '--safety-window', '5']),
      'dead-host failover',
    );
    assert.match(r.stdout, /no signature from cosmoshub for \d+ heights/);
    await lab.signingOn(to);
    assert.equal(lab.chain().doubleSigns, 0);
    backFromTheDead(lab, from, 'cometbft', '/var/lib/cometbft/config', ['priv_validator_key.json']);
    assert.equal(lab.chain().doubleSigns, 0);
  });
});
