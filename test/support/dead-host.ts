/**
 * A dead old host for the failover lab tests: its power lost (a systemd lab powers the machine off;
 * a lab of host processes cuts its SSH and kills its signer), and its return as the runbook says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailoverLab } from './failover-lab.js';
import { asRootOn, isSystemdLab } from './lab-hosts.js';

/** A power loss: no SSH, and the signer gone with it (process hosts: SSH cut, the signer killed). */
export function powerLoss(lab: FailoverLab, host: string, service: string): void {
  if (isSystemdLab(lab.dir)) lab.ok(lab.stake(['lab', 'power-off', host, '--dir', lab.dir]), 'power-off');
  else {
    lab.ok(lab.stake(['lab', 'cut', host, '--dir', lab.dir]), 'cut');
    const pid = Number(readFileSync(join(lab.dir, 'hosts', host, 'root', `var/lib/stake/run/${service}.pid`), 'utf8'));
    process.kill(pid, 'SIGKILL');
  }
}

/**
 * The old host back after a dead-host failover, as the runbook says: booted with its signer
 * masked (its unit is enabled and its key still in place: started, it would sign beside the new
 * host), the alarm of `stake keys status` seen, the key sealed by hand, booted as usual, and
 * deployed back as a standby.
 */
export function backFromTheDead(
  lab: FailoverLab,
  host: string,
  service: string,
  keyDir: string,
  keys: readonly string[],
): void {
  const systemd = isSystemdLab(lab.dir);
  if (systemd)
    lab.ok(lab.stake(['lab', 'power-on', host, '--dir', lab.dir, '--mask', `stake-${service}.service`]), 'power-on');
  else lab.ok(lab.stake(['lab', 'heal', host, '--dir', lab.dir]), 'heal');
  const status = lab.stake(['keys', 'status', '-i', lab.inventory]);
  assert.equal(status.code, 1, status.stdout);
  assert.match(status.stdout, /ACTIVE KEY ON A HOST THAT IS NOT THE LIVE ONE/);
  const sealed = `/var/lib/stake/sealed/${lab.identity}`;
  const fenced = asRootOn(
    lab.dir,
    host,
    (root) => `mkdir -p ${root}${sealed} && mv ${keys.map((k) => `${root}${keyDir}/${k}`).join(' ')} ${root}${sealed}/`,
  );
  assert.equal(fenced.code, 0, fenced.stderr);
  // the mask was for one boot
  if (systemd) lab.ok(lab.stake(['lab', 'reboot', host, '--dir', lab.dir]), 'reboot');
  lab.revive();
  // deploy brought it the generation it missed, so it can be a failover's target again
  const record = (h: string) =>
    readFileSync(join(lab.dir, 'hosts', h, 'root', 'var/lib/stake', lab.identity, 'generation'), 'utf8');
  assert.equal(record(host), record(lab.witness));
}
