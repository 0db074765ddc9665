/**
 * `stake failover` refusals in a cosmos lab, through the real CLI: every refusal exits 4 with
 * the quorum's files byte-identical before and after; `stake keys`; the two-operator prompt on a
 * real pseudo-terminal; approvals made before a failover refused after it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../src/wait.js';
import type { RunResult } from '../support/helpers.js';
import { sshdUnavailable } from '../support/sshd.js';
import { FailoverLab } from '../support/failover-lab.js';
import { asRootOn, isSystemdLab } from '../support/lab-hosts.js';
import { onTerminal } from '../support/terminal.js';

const skip =
  sshdUnavailable() ??
  (spawnSync('script', ['--version']).status === 0 ? undefined : 'util-linux script is not installed');

/** What failover may touch on the quorum: records, locks and key positions of every validator host. */
function quorumSnapshot(lab: FailoverLab): Record<string, string> {
  const out: Record<string, string> = {};
  for (const host of readdirSync(join(lab.dir, 'hosts'))) {
    const root = join(lab.dir, 'hosts', host, 'root');
    for (const rel of [
      `var/lib/stake/${lab.identity}/generation`,
      `var/lib/stake/${lab.identity}/lock`,
      'var/lib/cometbft/config/priv_validator_key.json',
      `var/lib/stake/sealed/${lab.identity}/priv_validator_key.json`,
      'var/lib/stake/bin/cometbft.sh',
    ]) {
      out[`${host}:${rel}`] = existsSync(join(root, rel)) ? readFileSync(join(root, rel), 'utf8') : '-';
    }
    // systemd hosts: whether the signer's unit is enabled (its link, read as a link: it names a path inside the host)
    const wants = join(root, 'etc/systemd/system/multi-user.target.wants/stake-cometbft.service');
    out[`${host}:enabled`] = lstatSync(wants, { throwIfNoEntry: false })?.isSymbolicLink() ? readlinkSync(wants) : '-';
  }
  return out;
}

// One lab, its tests in order: every refusal puts back what it changed (finally), so each finds
// val-fra live, as they need; the two that move the identity come last, in this order: the prompt
// that runs moves it to val-waw, and the old approvals' test moves it back first.
describe('failover refusals: exit 4, nothing touched (cosmos lab)', { skip }, () => {
  let lab: FailoverLab;
  before(async () => {
    lab = await FailoverLab.start('cosmos');
  });
  after(() => lab?.down());

  const refuses = (what: string, run: () => RunResult | Promise<RunResult>, pattern: RegExp) =>
    test(what, async () => {
      const before = quorumSnapshot(lab);
      const r = await run();
      assert.equal(r.code, 4, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /hint: /);
      assert.deepEqual(quorumSnapshot(lab), before, 'nothing on the hosts changed');
      assert.equal(lab.journalState(), undefined, 'no failover was started');
    });

  test('stake keys status and push: active on the live host, sealed on the standby; the same key left alone, another refused', () => {
    const before = quorumSnapshot(lab);
    const status = lab.ok(lab.stake(['keys', 'status', '-i', lab.inventory, '--json']), 'keys status');
    const rows = (JSON.parse(status.stdout) as { keys: { host: string; role: string; key: string }[] }).keys;
    assert.deepEqual(
      rows.map((r) => [r.host, r.role, r.key]),
      [
        ['val-fra', 'live active', 'active'],
        // sealed, and at the client's path the key CometBFT made itself at start (no validator's)
        ['val-waw', 'standby', 'other'],
      ],
    );
    const same = lab.ok(
      lab.stake(['keys', 'push', lab.identity, '--dir', join(lab.dir, 'keys', lab.identity), '-i', lab.inventory]),
      'keys push',
    );
    assert.match(same.stdout, /already there/);
    const other = mkdtempSync(join(tmpdir(), 'stake-otherkey-'));
    writeFileSync(join(other, 'priv_validator_key.json'), '{"address": "not the same key"}\n');
    const refused = lab.stake(['keys', 'push', lab.identity, '--dir', other, '-i', lab.inventory]);
    rmSync(other, { recursive: true, force: true });
    assert.equal(refused.code, 4, refused.stdout + refused.stderr);
    assert.doesNotMatch(refused.stdout + refused.stderr, /not the same key/, 'key content never printed');
    assert.deepEqual(quorumSnapshot(lab), before);
  });

  refuses('one approval', () => lab.confirm('val-waw', [lab.approve('val-waw', 'alice')]), /only one was given/);
  refuses(
    'the same operator twice',
    () => lab.confirm('val-waw', [lab.approve('val-waw', 'alice'), lab.approve('val-waw', 'alice')]),
    /both approvals are by alice/,
  );
  refuses(
    'a signature by a key not in operators',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'stake-mallory-'));
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'mallory')]);
      copyFileSync(join(dir, 'mallory'), join(lab.dir, 'operators', 'mallory'));
      rmSync(dir, { recursive: true, force: true });
      // mallory signs as bob: the approval names bob, the signature is by mallory's key
      const forged = lab.approve('val-waw', 'bob', [], 'mallory');
      return lab.confirm('val-waw', [lab.approve('val-waw', 'alice'), forged]);
    },
    /not an operator's key/,
  );
  refuses(
    'a signature over another plan',
    () => lab.confirm('val-waw', [lab.approve('val-waw', 'alice'), lab.approve('val-waw', 'bob', ['--old-host-dead'])]),
    /signs another plan/,
  );
  refuses(
    'an expired plan',
    async () => {
      const approvals = [
        lab.approve('val-waw', 'alice', ['--valid-for', '1s']),
        lab.approve('val-waw', 'bob', ['--valid-for', '1s']),
      ];
      // the time they were valid for has to pass: until the later of their expiry times, exactly
      const expires = Math.max(
        ...approvals.map((a) => Date.parse(/^expires: (.+)$/m.exec(readFileSync(a, 'utf8'))![1]!)),
      );
      await waitFor(() => Date.now() > expires, { timeoutMs: 10_000, what: `the approvals to expire (${expires})` });
      return lab.confirm('val-waw', approvals);
    },
    /expired/,
  );
  refuses(
    'a lock held by another failover',
    () => {
      const lock = JSON.stringify({
        plan: 'OTHR-PLAN',
        by: 'carol@laptop',
        since: '2026-11-21T03:00:00Z',
        from: 'val-fra',
        to: 'val-waw',
      });
      for (const h of ['val-fra', 'witness-ams'])
        writeFileSync(join(lab.dir, 'hosts', h, 'root', 'var/lib/stake', lab.identity, 'lock'), lock);
      try {
        return lab.confirm('val-waw', [lab.approve('val-waw', 'alice'), lab.approve('val-waw', 'bob')]);
      } finally {
        for (const h of ['val-fra', 'witness-ams'])
          rmSync(join(lab.dir, 'hosts', h, 'root', 'var/lib/stake', lab.identity, 'lock'));
      }
    },
    /OTHR-PLAN of carol@laptop/,
  );

  test('a forged lock record cannot drive the terminal: escape sequences and line breaks are shown, never obeyed', () => {
    const before = quorumSnapshot(lab);
    const forged = JSON.stringify({
      plan: 'EVIL\u001b]0;owned\u0007',
      by: '\u001b[2J\u001b[H\n✓ all checks passed\r',
      since: '\u009b31m\u202etoday',
    });
    const path = join(lab.dir, 'hosts', 'witness-ams', 'root', 'var/lib/stake', lab.identity, 'lock');
    writeFileSync(path, forged);
    try {
      const r = lab.stake(['failover', lab.identity, '--to', 'val-waw', '-i', lab.inventory]);
      assert.equal(r.code, 4, `${r.stdout}\n${r.stderr}`);
      const shown = r.stdout + r.stderr;
      assert.doesNotMatch(
        shown,
        /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/,
        'no control character reaches the terminal',
      );
      assert.doesNotMatch(shown, /^\s*✓ all checks passed/m, 'no line of its own');
      // a record with control characters in it is no record a person should read: it is shown as unreadable
      assert.match(shown, /held on witness-ams by plan unreadable of someone/);
      const json = lab.stake(['failover', lab.identity, '--to', 'val-waw', '-i', lab.inventory, '--json']);
      assert.doesNotMatch(json.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/, 'JSON escapes them');
      const lock = (JSON.parse(json.stdout) as { checks: { name: string; detail: string }[] }).checks.find(
        (c) => c.name === 'lock',
      );
      assert.match(lock?.detail ?? '', /unreadable/);
    } finally {
      rmSync(path);
    }
    assert.deepEqual(quorumSnapshot(lab), before, 'nothing on the hosts changed');
  });
  refuses(
    'a target that already holds a key',
    () => {
      const root = join(lab.dir, 'hosts', 'val-waw', 'root');
      const key = join(root, 'var/lib/cometbft/config/priv_validator_key.json');
      const sealed = join(root, `var/lib/stake/sealed/${lab.identity}/priv_validator_key.json`);
      const own = readFileSync(key, 'utf8'); // the key CometBFT made itself at start
      // a damaged copy of the identity's key left where the client reads it: the identity's
      // address, no key (CometBFT cannot load it, so the lab's validator does not sign with it)
      const { address } = JSON.parse(readFileSync(sealed, 'utf8')) as { address: string };
      writeFileSync(key, `{\n  "address": "${address}",\n  "note": "a copy left behind"\n}\n`);
      try {
        return lab.confirm('val-waw', [lab.approve('val-waw', 'alice'), lab.approve('val-waw', 'bob')]);
      } finally {
        writeFileSync(key, own);
      }
    },
    /target holds no active key/,
  );
  refuses(
    'a target that is not synced (its client frozen, no longer following the chain)',
    async () => {
      // the client's main process, stopped and continued: by systemd's MainPID inside a systemd
      // host (a pid of the host's own pid namespace), by its pid file on a process host
      const signal = (sig: 'STOP' | 'CONT') => {
        if (isSystemdLab(lab.dir)) {
          const r = asRootOn(
            lab.dir,
            'val-waw',
            () => `kill -${sig} "$(systemctl show -p MainPID --value stake-cometbft)"`,
          );
          assert.equal(r.code, 0, r.stderr);
        } else {
          const pid = Number(
            readFileSync(join(lab.dir, 'hosts', 'val-waw', 'root', 'var/lib/stake/run/cometbft.pid'), 'utf8'),
          );
          process.kill(pid, `SIG${sig}`);
        }
      };
      signal('STOP');
      try {
        // a stopped node's RPC takes the connection and never answers: its head cannot be read, and
        // once the chain moves on it is behind; either way the preflight asks the target itself
        return lab.confirm('val-waw', [lab.approve('val-waw', 'alice'), lab.approve('val-waw', 'bob')]);
      } finally {
        signal('CONT');
      }
    },
    /target synced/,
  );
  refuses(
    'a target that is unreachable',
    () => {
      const approvals = [lab.approve('val-waw', 'alice'), lab.approve('val-waw', 'bob')];
      return lab.whileCut('val-waw', () => lab.confirm('val-waw', approvals));
    },
    /target reachable/,
  );
  refuses(
    'an old host that is unreachable, without --old-host-dead',
    () => {
      const approvals = [lab.approve('val-waw', 'alice'), lab.approve('val-waw', 'bob')];
      return lab.whileCut('val-fra', () => lab.confirm('val-waw', approvals));
    },
    /old host reachable.*--old-host-dead/s,
  );
  refuses(
    'a witness that disagrees about the active host',
    () => {
      const record = join(lab.dir, 'hosts', 'witness-ams', 'root', 'var/lib/stake', lab.identity, 'generation');
      const original = readFileSync(record, 'utf8');
      writeFileSync(record, original.replace('"active":"val-fra"', '"active":"val-waw"'));
      try {
        return lab.confirm('val-waw', [lab.approve('val-waw', 'alice'), lab.approve('val-waw', 'bob')]);
      } finally {
        writeFileSync(record, original);
      }
    },
    /witness agrees/,
  );
  refuses('no approvals and no terminal', () => lab.confirm('val-waw', []), /no terminal to confirm at/);

  test('the two-operator prompt on a real terminal: the same operator twice is refused', async () => {
    const before = quorumSnapshot(lab);
    const code = (out: string) => /plan code ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(out)![1]!;
    const r = await onTerminal(
      ['failover', 'cosmoshub', '--to', 'val-waw', '--confirm', '-i', lab.inventory],
      lab.dir,
      [
        { when: /first operator, your name/, say: () => 'alice' },
        { when: /alice, type the plan code/, say: code },
        { when: /second operator, your name/, say: () => 'alice' },
      ],
    );
    assert.equal(r.code, 4, r.output);
    assert.match(r.output, /alice already confirmed: a failover needs two distinct operators/);
    assert.deepEqual(quorumSnapshot(lab), before);
  });

  test('the two-operator prompt on a real terminal: alice and bob type the code, and it runs', async () => {
    const code = (out: string) => /plan code ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(out)![1]!;
    const r = await onTerminal(
      ['failover', 'cosmoshub', '--to', 'val-waw', '--confirm', '-i', lab.inventory, '--verify-timeout', '20'],
      lab.dir,
      [
        { when: /first operator, your name/, say: () => 'alice' },
        { when: /alice, type the plan code/, say: (out) => code(out).toLowerCase() },
        { when: /second operator, your name/, say: () => 'bob' },
        { when: /bob, type the plan code/, say: code },
      ],
    );
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /confirmed by alice and bob/);
    await lab.signingOn('val-waw');
    assert.equal(lab.chain().doubleSigns, 0);
  });

  test('approvals made before a failover are refused after it: a plan at an older generation', () => {
    lab.revive();
    const old = [lab.approve('val-fra', 'alice'), lab.approve('val-fra', 'bob')];
    lab.ok(lab.failover('val-fra'), 'failover back');
    lab.revive();
    const before = quorumSnapshot(lab);
    const r = lab.confirm('val-waw', old);
    assert.equal(r.code, 4, r.stderr);
    // they named val-fra, now live: the plan they signed cannot be made any more
    assert.match(r.stderr, /approved at generation 2, but cosmoshub is now at generation 3|signs another plan/);
    assert.deepEqual(quorumSnapshot(lab), before);
  });
});
