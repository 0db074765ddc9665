/** The sshd drop-in: AllowUsers lists the firewall's SSH sources in their canonical form, and sshd -t accepts it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { projectPath } from '../../src/paths.js';
import { renderDeployment } from '../../src/render/deployment.js';
import { InventoryBuilder } from '../support/inventory-builder.js';
import { ensurePrivsepDir } from '../support/sshd.js';

const SSHD = '/usr/sbin/sshd';
const noSshd = spawnSync(SSHD, ['-V'], { encoding: 'utf8' }).error ? 'no sshd here' : false;

function dropIn(admin: string[]): string {
  const raw = InventoryBuilder.example('cosmos').setHost('bastion-fra', { address: '198.051.100.010' }).build();
  raw.access = { ...raw.access, admin_cidrs: admin };
  const inv = resolveInventory(raw);
  const { renders } = renderDeployment(inv, {
    inventory: projectPath('inventories', 'cosmos.yaml'),
    selection: { hosts: ['val-fra'] },
  });
  return renders[0]!.files.find((f) => f.path === '/etc/ssh/sshd_config.d/50-stake.conf')!.content;
}

describe('sshd drop-in sources', () => {
  test('AllowUsers names canonical addresses and networks only, and sshd -t accepts the file', { skip: noSshd }, () => {
    const text = dropIn(['198.51.100.7/24', '2001:DB8:100::1/48', '::ffff:203.0.113.0/120']);
    const allow = text.split('\n').find((l) => l.startsWith('AllowUsers '))!;
    assert.equal(
      allow,
      'AllowUsers stake@198.51.100.0/24 stake@198.51.100.10 stake@2001:db8:100::/48 stake@203.0.113.0/24',
    );
    const dir = mkdtempSync(join(tmpdir(), 'stake-sshd-t-'));
    try {
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
      writeFileSync(join(dir, 'sshd_config'), text);
      ensurePrivsepDir();
      const r = spawnSync(SSHD, ['-t', '-f', join(dir, 'sshd_config'), '-h', join(dir, 'host')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
