/**
 * After a real `stake failover` in the lab, no host whose role did not change differs from its
 * render: `stake plan` shows no file change on the sentries (cosmos), the beacons and Dirk
 * signers (ethereum), the relays (cardano), the new active host, the monitor or the witness, and
 * `stake status` no drift there. The failover itself moves what must follow the active host (the key, the
 * generation record) and fences the old host: its signer disabled (init: direct: the launch
 * script moved aside) and stopped, the one thing left for `stake deploy --limit validator`,
 * after which every host matches its render again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../../src/plan/compute.js';
import type { StatusReport } from '../../src/status/report.js';
import { sshdUnavailable } from '../support/sshd.js';
import { FailoverLab } from '../support/failover-lab.js';
import { isSystemdLab } from '../support/lab-hosts.js';

const skip = sshdUnavailable();

/** Each host's file changes (path and action) in a `stake plan --json` of the lab. */
function fileChanges(lab: FailoverLab): Map<string, string[]> {
  const r = lab.ok(lab.stake(['plan', '--json', '-i', lab.inventory], {}, 120_000), 'plan');
  const plan = (JSON.parse(r.stdout) as { plan: Plan }).plan;
  return new Map(
    plan.hosts.map((h) => [
      h.host,
      h.files.filter((f) => f.action !== 'unchanged').map((f) => `${f.action} ${f.path}`),
    ]),
  );
}

/** The hosts with a service that a deploy would start or restart. */
function restarting(lab: FailoverLab): string[] {
  const r = lab.ok(lab.stake(['plan', '--json', '-i', lab.inventory], {}, 120_000), 'plan');
  return (JSON.parse(r.stdout) as { plan: Plan }).plan.hosts.filter((h) => h.restart.length > 0).map((h) => h.host);
}

/** The signing service the fence stops on the old host. */
const SIGNER = { cosmos: 'cometbft', ethereum: 'vouch', cardano: 'cardano-node' } as const;

/** Hosts that `stake status` reports drift on, with the drifting files. */
function drift(lab: FailoverLab): Record<string, string[]> {
  const r = lab.stake(['status', '-i', lab.inventory, '--json'], {}, 120_000);
  const report = JSON.parse(r.stdout) as StatusReport;
  return Object.fromEntries(report.hosts.filter((h) => h.drift.length > 0).map((h) => [h.host, h.drift]));
}

for (const family of ['cosmos', 'ethereum', 'cardano'] as const) {
  describe(`a failover in the ${family} lab leaves every other host as rendered`, { skip }, () => {
    let lab: FailoverLab;
    before(async () => {
      lab = await FailoverLab.start(family);
    });
    after(() => lab?.down());

    test('stake plan and stake status show no change on any host but the fenced old one', async () => {
      const deployed = fileChanges(lab);
      assert.deepEqual(
        Object.fromEntries([...deployed].filter(([, c]) => c.length > 0)),
        {},
        'the deployed lab matches its render before the failover',
      );
      const { active: from } = lab.live();
      const to = lab.other();
      lab.ok(lab.failover(to), 'failover');
      await lab.signingOn(to);

      const moved = fileChanges(lab);
      const unchanged = { cosmos: /^sentry-/, ethereum: /^(beacon|signer)-/, cardano: /^relay-/ }[family];
      assert.ok(
        [...moved.keys()].filter((h) => unchanged.test(h)).length >= 4,
        `the lab's ${{ cosmos: 'sentries', ethereum: 'beacons and signers', cardano: 'relays' }[family]} were planned`,
      );
      // the fence disabled the old host's signer: under systemd its unit disabled, no file
      // changed; under init: direct its launch script moved aside, a file for deploy to put back.
      // That is the one thing a failover leaves for deploy, and only on the host it fenced
      const fenced: Record<string, string[]> = isSystemdLab(lab.dir)
        ? {}
        : { [from]: [`create /var/lib/stake/bin/${SIGNER[family]}.sh`] };
      assert.deepEqual(
        Object.fromEntries([...moved].filter(([, c]) => c.length > 0)),
        fenced,
        `after failing over from ${from} to ${to}, no other host has a file to change`,
      );
      assert.deepEqual(drift(lab), fenced, 'stake status shows drift on the fenced old host only');
      assert.deepEqual(restarting(lab), [from], 'only the fenced old host has a service to start');

      lab.revive();
      assert.deepEqual(
        Object.fromEntries([...fileChanges(lab)].filter(([, c]) => c.length > 0)),
        {},
        'once the old host is deployed again, every host matches its render',
      );
      assert.deepEqual(restarting(lab), [], 'and nothing would restart');
      assert.equal(lab.chain().doubleSigns, 0);
    });
  });
}
