/**
 * The lab's systemd hosts for real (docs/lab.md, "systemd hosts"): a cosmos lab of Debian machines
 * booted under systemd, deployed as production is (root /, init systemd, a deploy user with
 * become: sudo), then held to what a real host would show: the deploy user's rights, the hardened
 * unit's exposure under the systemd that runs it, a fenced host that reboots, an sshd drop-in that
 * would lock stake out, and a lab down that leaves nothing of the machine changed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { INOTIFY, labHostsRunning } from '../../src/lab/machine-settings.js';
import { isRunning } from '../../src/lab/processes.js';
import { systemdHostsUnavailable } from '../../src/lab/rootfs.js';
import { readLabState, type LabState } from '../../src/lab/state.js';
import { FailoverLab } from '../support/failover-lab.js';
import { runStake, templatesWith } from '../support/helpers.js';
import { exposureOf } from '../support/lab-hosts.js';

const unavailable =
  systemdHostsUnavailable() ?? (spawnSync('ip', ['netns', 'list']).status === 0 ? undefined : 'no ip netns');

/** `stake lab ssh HOST -- COMMAND` in the lab. */
function onHost(lab: FailoverLab, host: string, command: string) {
  return runStake(['lab', 'ssh', host, '--dir', lab.dir, '--', command], { timeoutMs: 30_000 });
}

describe(
  'systemd lab hosts: a cosmos lab deployed on Debian machines under systemd',
  { skip: unavailable, timeout: 600_000 },
  () => {
    let lab: FailoverLab;
    let state: LabState;
    // the value before any lab raised it: recorded machine-wide while a raise holds (labs may run side by side)
    let inotifyOriginal = '';

    before(async () => {
      lab = await FailoverLab.start('cosmos');
      state = readLabState(join(lab.dir, 'lab.json'))!;
      assert.equal(state.hostMode, 'systemd', 'stake lab up chose systemd hosts where they can run');
      inotifyOriginal = existsSync(INOTIFY.original)
        ? (JSON.parse(readFileSync(INOTIFY.original, 'utf8')) as { original: string }).original
        : readFileSync(INOTIFY.path, 'utf8').trim();
    });
    after(() => {
      if (lab && existsSync(join(lab.dir, 'lab.json'))) lab.down();
    });

    it('deploys through sudo as a deploy user that has no other right, and each client runs as its own user', () => {
      const text = readFileSync(lab.inventory, 'utf8');
      assert.match(text, /user: stake/);
      assert.match(text, /become: sudo/);
      assert.match(text, /init: systemd/);
      const groups = onHost(lab, 'val-fra', 'id -Gn');
      assert.equal(groups.stdout.trim(), 'stake', 'the deploy user is in its own group only');
      // without sudo it can change nothing of the system
      assert.notEqual(onHost(lab, 'val-fra', 'touch /etc/stake-probe').code, 0);
      assert.notEqual(onHost(lab, 'val-fra', 'cat /var/lib/cometbft/config/priv_validator_key.json').code, 0);
      const owners = onHost(
        lab,
        'val-fra',
        'stat -c %U:%G /etc/systemd/system/stake-cometbft.service; sudo stat -c %U /proc/$(systemctl show -p MainPID --value stake-cometbft)',
      );
      assert.equal(owners.code, 0, owners.stderr);
      assert.deepEqual(owners.stdout.trim().split('\n'), ['root:root', 'cometbft']);
      // the hardening profile as apt, the kernel and sshd read it on the host
      const hardened = onHost(
        lab,
        'val-fra',
        'apt-config dump APT::Periodic::Unattended-Upgrade; /usr/sbin/sysctl -n net.ipv4.conf.all.accept_redirects; sudo sshd -T | grep -i "^permitrootlogin"',
      );
      assert.equal(hardened.code, 0, hardened.stderr);
      assert.match(hardened.stdout, /APT::Periodic::Unattended-Upgrade "1";/);
      assert.match(hardened.stdout, /^0$/m, 'the network sysctls applied in the host');
      assert.match(hardened.stdout, /permitrootlogin no/);
    });

    it('runs the hardened cometbft unit under systemd at or under its rendered exposure', () => {
      const unit = readFileSync(
        join(lab.dir, 'hosts', 'val-fra', 'root', 'etc/systemd/system/stake-cometbft.service'),
        'utf8',
      );
      const scratch = mkdtempSync(join(tmpdir(), 'stake-unit-'));
      try {
        writeFileSync(join(scratch, 'stake-cometbft.service'), unit);
        const offline = spawnSync(
          'systemd-analyze',
          ['security', '--offline=true', join(scratch, 'stake-cometbft.service')],
          {
            encoding: 'utf8',
          },
        );
        const rendered = exposureOf(offline.stdout);
        const live = onHost(
          lab,
          'val-fra',
          'systemctl is-active stake-cometbft && sudo systemd-analyze security --no-pager stake-cometbft.service',
        );
        assert.equal(live.code, 0, live.stderr);
        assert.ok(exposureOf(live.stdout) <= rendered, `live ${exposureOf(live.stdout)} > rendered ${rendered}`);
        assert.ok(rendered <= 2.0, `the rendered unit's exposure is ${rendered}`);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });

    it('keeps a fenced old host down across a reboot: signer inactive and disabled, key sealed, zero double signs', async () => {
      lab.ok(lab.failover('val-waw'), 'failover to val-waw');
      const lastOf = (host: string) =>
        Math.max(
          0,
          ...lab
            .signatures()
            .filter((s) => s.host === host)
            .map((s) => s.height),
        );
      const fencedAt = lastOf('val-fra');
      const reboot = runStake(['lab', 'reboot', 'val-fra', '--dir', lab.dir], { timeoutMs: 90_000 });
      assert.equal(reboot.code, 0, reboot.stderr);
      const after = onHost(
        lab,
        'val-fra',
        'systemctl is-active stake-cometbft; systemctl is-enabled stake-cometbft; sudo test -f /var/lib/cometbft/config/priv_validator_key.json && echo active-key; sudo test -f /var/lib/stake/sealed/cosmoshub/priv_validator_key.json && echo sealed-key',
      );
      assert.deepEqual(after.stdout.trim().split('\n'), ['inactive', 'disabled', 'sealed-key']);
      // the host really went down and came back: a new boot
      assert.notEqual(
        readLabState(join(lab.dir, 'lab.json'))!.hosts.find((h) => h.name === 'val-fra')!.machine!.nspawn!.pid,
        state.hosts.find((h) => h.name === 'val-fra')!.machine!.nspawn!.pid,
      );
      await lab.signingOn('val-waw');
      const summary = lab.chain();
      assert.equal(summary.identities[0]!.doubleSigns.length, 0);
      assert.equal(lastOf('val-fra'), fencedAt, 'the rebooted old host signed nothing after its fence');
    });

    it('a deploy that restarts the signing validator stops it, waits for its look-back, then starts it once: no panic, signing again', async () => {
      // after the failover above, val-waw signs: a template change for it alone restarts its cometbft
      const templates = templatesWith(
        join(lab.dir, 'tpl-waw'),
        'cometbft/config.toml.liquid',
        '[p2p]',
        "{% if host.name == 'val-waw' %}# tuned for val-waw\n{% endif %}[p2p]",
      );
      const lastOf = () =>
        Math.max(
          0,
          ...lab
            .signatures()
            .filter((x) => x.host === 'val-waw')
            .map((x) => x.height),
        );
      const deploy = lab.stake(
        ['deploy', '-i', lab.inventory, '--limit', 'val-waw', '--templates', templates],
        {},
        120_000,
      );
      assert.equal(deploy.code, 0, deploy.stdout + deploy.stderr);
      const out = deploy.stdout + deploy.stderr;
      const clear =
        /cometbft: look-back clear: head (\d+), (\d+) heights above cosmoshub's last signature \((\d+);/.exec(out);
      assert.ok(clear, out);
      assert.ok(Number(clear[2]) >= 10, `started ${clear[2]} heights after the last signature`);
      await lab.signingOn('val-waw');
      const first = lab
        .signatures()
        .filter((x) => x.host === 'val-waw' && x.height > Number(clear[3]))
        .map((x) => x.height);
      assert.ok(Math.min(...first) >= Number(clear[3]) + 10, `signing again from ${Math.min(...first)}`);
      // CometBFT's look-back found nothing to panic on: no panic in its journal, no restart by systemd
      const unit = onHost(
        lab,
        'val-waw',
        'systemctl show -p NRestarts --value stake-cometbft; sudo journalctl -u stake-cometbft -o cat --no-pager | grep "found signature from the same key" || true',
      );
      const [restarts, ...found] = unit.stdout.trim().split('\n');
      // what the sim said of the look-back on the way (a running full node that saw the key arrive logs it)
      for (const l of found) console.log(`val-waw: ${l}`);
      assert.equal(restarts, '0', unit.stdout + unit.stderr);
      assert.deepEqual(
        found.filter((l) => /^panic: /.test(l)),
        [],
        found.join('\n'),
      );
      assert.ok(lastOf() > Number(clear[3]));
      assert.equal(lab.chain().identities[0]!.doubleSigns.length, 0);
    });

    it('rolls back an sshd drop-in that would lock stake out, the old sshd config still accepting logins', () => {
      const before = onHost(lab, 'bastion-fra', 'cat /etc/ssh/sshd_config.d/50-stake.conf');
      assert.equal(before.code, 0, before.stderr);
      // the operator's address no longer among the SSH sources: the new drop-in allows no login stake makes
      const doc = parseDocument(readFileSync(lab.inventory, 'utf8'));
      doc.setIn(['access', 'admin_cidrs'], doc.createNode(['198.18.1.250/32'], { flow: true }));
      doc.setIn(['hosts', 'bastion-fra', 'firewall'], 'render'); // the firewall would refuse it first otherwise
      const locked = join(lab.dir, 'inventory-lockout.yaml');
      writeFileSync(locked, doc.toString());
      const deploy = lab.stake(['deploy', '-i', locked, '--limit', 'bastion-fra'], {}, 120_000);
      assert.notEqual(deploy.code, 0, deploy.stdout);
      assert.match(
        deploy.stdout + deploy.stderr,
        /rolled-back: a new SSH login failed after sshd reloaded the new drop-in/,
      );
      const now = onHost(lab, 'bastion-fra', 'cat /etc/ssh/sshd_config.d/50-stake.conf');
      assert.equal(now.code, 0, `a new login after the rollback: ${now.stderr}`);
      assert.equal(now.stdout, before.stdout, 'the old drop-in is back');
      assert.doesNotMatch(now.stdout, /198\.18\.1\.250/);
    });

    it('lab down leaves no mount, namespace, cgroup or process, and puts the machine setting back', () => {
      const last = readLabState(join(lab.dir, 'lab.json'))!;
      lab.down();
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
      const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
      for (const h of last.hosts) {
        const m = h.machine!;
        assert.ok(!mounts.includes(` ${m.merged} `), `${m.merged} is still mounted`);
        assert.ok(!namespaces.includes(h.netns!), `${h.netns} is still there`);
        for (const cg of m.cgroups) assert.ok(!existsSync(cg), `${cg} is still there`);
        assert.ok(!m.nspawn || !isRunning(m.nspawn), `nspawn of ${h.name} still runs`);
      }
      assert.ok(!existsSync(last.view!), 'the view folder is gone');
      assert.ok(!existsSync(lab.dir), 'the lab folder is gone');
      // put back by the down that leaves no systemd lab host on the machine (another lab may still run)
      if (labHostsRunning() === 0) assert.equal(readFileSync(INOTIFY.path, 'utf8').trim(), inotifyOriginal);
    });
  },
);
