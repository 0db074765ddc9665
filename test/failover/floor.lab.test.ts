/**
 * The slashing floor in a cosmos lab (issue 15, class 1), through the real CLI: the old host's
 * priv_validator_state.json is deleted, emptied, truncated or lowered just before carry (the
 * fault hook of ../support/faults.ts), and a run is SIGKILLed between carry's two writes (the
 * target written, the witness not) and resumed. Every outcome is a refusal with a rollback or a
 * carry at or above everything known; the witness copy never goes lower; zero double signs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSignState } from '../../src/chain/cometbft-sign-state.js';
import { COMETBFT_SIGN_STATE, witnessStateDir } from '../../src/keys/layout.js';
import { sshdUnavailable } from '../support/sshd.js';
import { asRootOn, isSystemdLab } from '../support/lab-hosts.js';
import { FailoverLab } from '../support/failover-lab.js';

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('the slashing floor under faults at carry (cosmos lab)', { skip: sshdUnavailable() }, () => {
  let lab: FailoverLab;
  before(async () => {
    lab = await FailoverLab.start('cosmos');
  });
  after(() => lab?.down());

  const stateOf = (host: string) => join(lab.dir, 'hosts', host, 'root', COMETBFT_SIGN_STATE);
  const copyFile = () =>
    join(lab.dir, 'hosts', lab.witness, 'root', witnessStateDir(lab.identity), 'priv_validator_state.json');
  const height = (file: string) => (existsSync(file) ? parseSignState(readFileSync(file, 'utf8')).height : -1n);
  /** The floor carry decided, as the journal keeps it. */
  const carried = () =>
    BigInt(
      (
        JSON.parse(readFileSync(join(lab.dir, '.stake', 'failover', `${lab.identity}.json`), 'utf8')) as {
          carriedFloor?: { height: string };
        }
      ).carriedFloor?.height ?? '-1',
    );
  const lastBy = (host: string) =>
    Math.max(
      0,
      ...lab
        .signatures()
        .filter((s) => s.identity === lab.identity && s.host === host)
        .map((s) => s.height),
    );

  /**
   * One failover with a fault before carry; checks the invariants whatever the outcome. A case
   * that leaves the failover unfinished (a step failed: neither done nor rolled back) is resumed
   * before it fails, so the cases after it start from a finished failover, not from its wreck.
   */
  async function faulted(fault: (oldFile: string) => string, expect: 'either' | 'refused' = 'either') {
    try {
      await faultedCase(fault, expect);
    } finally {
      if (lab.journalState() === 'running') lab.resume();
    }
  }

  async function faultedCase(fault: (oldFile: string) => string, expect: 'either' | 'refused') {
    const from = lab.live().active;
    const to = lab.other();
    lab.stake(['status', '-i', lab.inventory]); // refreshes the witness copy (its exit code says how healthy, not needed here)
    const copyBefore = height(copyFile());
    const r = lab.failover(to, `before:carry=run:${fault(stateOf(from))}`);
    const out = `${r.stdout}\n${r.stderr}`;
    assert.ok(height(copyFile()) >= copyBefore, `the witness copy never goes lower (${copyBefore} before)\n${out}`);
    if (r.code === 0 && expect === 'either') {
      assert.equal(lab.live().active, to);
      assert.ok(
        carried() >= BigInt(lastBy(from)) && carried() >= copyBefore,
        `the target starts at or above the old host's last signature\n${out}`,
      );
      await lab.signingOn(to);
      lab.revive();
    } else {
      assert.equal(r.code, 4, out);
      // the old host's file, or the target's when an earlier case left it unreadable
      assert.match(
        out,
        new RegExp(`(${from}|${to})'s ${COMETBFT_SIGN_STATE}`),
        'the refusal names the file and the host',
      );
      assert.equal(lab.journalState(), 'rolled-back');
      assert.equal(lab.live().active, from);
    }
    assert.equal(lab.chain().doubleSigns, 0);
    restore();
  }

  /** The operator's repair after a case: a validator's unreadable state restored from the witness copy (a backup). */
  function restore(): void {
    for (const host of ['val-fra', 'val-waw']) {
      const file = stateOf(host);
      let readable = false;
      try {
        parseSignState(readFileSync(file, 'utf8'));
        readable = true;
      } catch {
        readable = false;
      }
      if (!readable && existsSync(copyFile())) copyFileSync(copyFile(), file);
    }
  }

  test('the old host state deleted just before carry', () => faulted((f) => `rm -f ${sh(f)}`));
  test('the old host state emptied just before carry', () => faulted((f) => `: > ${sh(f)}`));
  test('the old host state truncated just before carry', () =>
    faulted((f) => `head -c 15 ${sh(f)} > ${sh(`${f}.t`)} && mv ${sh(`${f}.t`)} ${sh(f)}`));
  test('the old host state lowered below the witness copy just before carry', () =>
    faulted((f) => `printf '{"height":"1","round":0,"step":3}\\n' > ${sh(f)}`));

  test('SIGKILL between the two writes of carry (target written, witness not), then --resume', async () => {
    const from = lab.live().active;
    const to = lab.other();
    lab.stake(['status', '-i', lab.inventory]);
    const copyBefore = height(copyFile());
    const target = stateOf(to);
    // a watcher outlives the hook: it kills stake (the hook shell's parent) as soon as the target's state changes
    const watcher = `p=$PPID; b=$(cat ${sh(target)} 2>/dev/null || true); nohup sh -c 'i=0; while [ "$(cat "$1" 2>/dev/null || true)" = "$2" ] && [ $i -lt 400 ]; do sleep 0.02; i=$((i+1)); done; kill -9 "$3"' sh ${sh(target)} "$b" "$p" >/dev/null 2>&1 &`;
    const killed = lab.failover(to, `before:carry=run:${watcher}`);
    if (killed.code === null) {
      assert.equal(lab.journalState(), 'running');
      assert.ok(height(copyFile()) >= copyBefore);
      lab.ok(lab.resume(), 'resume');
    } else lab.ok(killed, 'failover (the watcher came too late: carry ended before the kill)');
    assert.equal(lab.live().active, to);
    assert.ok(height(copyFile()) >= copyBefore, 'the witness copy never goes lower');
    assert.ok(carried() >= BigInt(lastBy(from)), "carry's floor is at or above the old host's last signature");
    await lab.signingOn(to);
    assert.equal(lab.chain().doubleSigns, 0);
    lab.revive();
    restore();
  });

  test('the old host state deleted, nothing on the chain above the witness copy: carry refused, the old host left fenced until its state is back', async () => {
    const from = lab.live().active;
    const to = lab.other();
    const file = stateOf(from);
    const saved = `${file}.operator-backup`;
    const r = lab.failover(
      to,
      `before:carry=run:cp ${sh(file)} ${sh(saved)} && rm -f ${sh(file)} && printf '{"height":"99999999","round":0,"step":3}\\n' > ${sh(copyFile())}`,
    );
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 4, out);
    assert.match(out, new RegExp(`${from}'s ${COMETBFT_SIGN_STATE}`), "carry's refusal names the file and the host");
    // CometBFT does not start without its state, and a fresh one would sign its last heights again
    assert.match(out, new RegExp(`cannot unfence ${from}: its ${COMETBFT_SIGN_STATE} is missing`), out);
    assert.equal(lab.journalState(), 'running', 'the rollback waits for the file');
    assert.equal(existsSync(file), false, 'nothing wrote a fresh state');
    const since = lab.chain().height;
    copyFileSync(saved, file); // the operator's repair: the file restored from a backup
    // on a systemd host the client runs as its own user: the restored file must be its again
    if (isSystemdLab(lab.dir))
      assert.equal(asRootOn(lab.dir, from, () => `chown cometbft:cometbft ${COMETBFT_SIGN_STATE}`).code, 0);
    const resumed = lab.resume();
    assert.equal(lab.journalState(), 'rolled-back', `${resumed.stdout}\n${resumed.stderr}`);
    assert.equal(lab.live().active, from);
    await lab.signingOn(from);
    assert.ok(lastBy(from) > since);
    assert.equal(lab.chain().doubleSigns, 0);
  });
});
