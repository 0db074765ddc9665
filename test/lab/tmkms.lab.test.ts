/**
 * A cosmos lab whose key lives on a tmkms signer (issue 12), through the real CLI: deploy starts
 * tmkms with the serving config of the active validator, the active validator listens for it
 * (its privval laddr rendered there only), and the identity signs through tmkms's watermark. No
 * validator host holds the identity's key, the standby does not listen for a signer, and nothing
 * is signed twice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseTmkmsState } from '../../src/chain/remote-signer-state.js';
import { privValidatorAddress } from '../../src/lab/sim/cometbft.js';
import { readLabState } from '../../src/lab/state.js';
import { labPaths } from '../../src/lab/layout.js';
import type { StatusReport } from '../../src/status/report.js';
import { cosmosWithTmkms } from '../support/helpers.js';
import { FailoverLab } from '../support/failover-lab.js';
import { asRootOn, isSystemdLab, serviceLog } from '../support/lab-hosts.js';
import { sshdUnavailable } from '../support/sshd.js';

describe('a cosmos lab with a tmkms signer', { skip: sshdUnavailable() }, () => {
  let lab: FailoverLab;
  before(async () => {
    lab = await FailoverLab.start('cosmos', cosmosWithTmkms());
  });
  after(() => lab?.down());

  const onHost = (host: string, command: string) => {
    const r = asRootOn(lab.dir, host, (root) => command.replaceAll('{root}', root));
    return r;
  };

  test('deploy makes tmkms sign for the active validator: the watermark on the signer rises with the chain, nothing twice', async () => {
    const chain = await lab.waitFor('ten signatures', (s) => (s.identities[0]?.signatures ?? 0) >= 10, 30_000);
    assert.equal(chain.doubleSigns, 0);
    const signers = new Set(
      lab
        .signatures()
        .filter((s) => s.identity === 'cosmoshub')
        .map((s) => s.host),
    );
    assert.deepEqual([...signers], ['val-fra'], 'the active validator sends the votes');
    // tmkms keeps the watermark, in its own format, at or above the chain's last signature
    const state = onHost('kms-fra', 'cat {root}/var/lib/tmkms/state/cosmoshub-4-consensus.json');
    assert.equal(state.code, 0, state.stderr);
    const last = Math.max(...lab.signatures().map((s) => s.height));
    assert.ok(parseTmkmsState(state.stdout).height >= BigInt(last - 2), `${state.stdout} against ${last}`);
    assert.match(
      serviceLog(lab.dir, 'kms-fra', 'tmkms'),
      /\[cosmoshub-4@tcp:\/\/[0-9.]+:26659\] signed Precommit:[0-9A-F]{10} at h\/r\/s \d+\/0\/2/,
    );
  });

  test("no validator host holds the identity's key; only the active one listens for the signer", () => {
    const identity = readLabState(labPaths(lab.dir).state)!.identities.find((i) => i.name === 'cosmoshub')!;
    for (const host of ['val-fra', 'val-waw']) {
      // CometBFT makes a key of its own where none is (LoadOrGenFilePV): never the identity's
      const key = onHost(host, 'cat {root}/var/lib/cometbft/config/priv_validator_key.json 2>/dev/null || true');
      const own = key.stdout.trim() ? privValidatorAddress(key.stdout) : { address: undefined };
      assert.notEqual(
        'address' in own ? own.address : undefined,
        identity.keyAddress,
        `${host} holds the identity's key`,
      );
      const env = onHost(host, 'cat {root}/etc/stake/cometbft-privval.env 2>/dev/null || true');
      if (host === 'val-fra') assert.match(env.stdout, /^CMT_PRIV_VALIDATOR_LADDR=tcp:\/\/[0-9.]+:26659$/m);
      else assert.equal(env.stdout, '', 'the standby has no privval laddr');
    }
    assert.match(serviceLog(lab.dir, 'val-fra', 'cometbft'), /remote signer connected from [0-9.]+: key [0-9A-F]{40}/);
  });

  test('stake status shows the signer tier: tmkms running, serving the live validator, its watermark; stopped and stateless, red', () => {
    const report = () => {
      const r = lab.stake(['status', '-i', lab.inventory, '--json', '--no-witness-copy']);
      return JSON.parse(r.stdout) as StatusReport;
    };
    const fine = report();
    const signers = fine.identities[0]!.signers!;
    assert.equal(signers.length, 1);
    assert.equal(signers[0]!.host, 'kms-fra');
    assert.equal(signers[0]!.state, 'running');
    assert.equal(signers[0]!.serves, 'val-fra');
    assert.match(signers[0]!.watermark!, /^\d+\/\d+\/3$/, 'height/round/precommit');
    assert.deepEqual(
      fine.alarms.filter((a) => /signer/.test(a)),
      [],
    );
    // the signer stopped and its state lost: both red, in words an operator acts on
    const cut = onHost(
      'kms-fra',
      'systemctl stop stake-tmkms && rm -f {root}/var/lib/tmkms/state/cosmoshub-4-consensus.json',
    );
    assert.equal(cut.code, 0, cut.stderr);
    const broken = report();
    assert.deepEqual(broken.identities[0]!.signers![0], {
      host: 'kms-fra',
      state: 'stopped',
      serves: 'val-fra',
      watermark: 'none',
    });
    assert.ok(
      broken.alarms.some((a) => /signer kms-fra is not running tmkms: cosmoshub cannot sign/.test(a)),
      broken.alarms.join('\n'),
    );
    // started again, tmkms makes a state at height 0 and signs on from the chain's height
    assert.equal(onHost('kms-fra', 'systemctl start stake-tmkms').code, 0);
  });

  test("deploy never starts tmkms below the chain: a lost state is raised to the identity's last signature first", async () => {
    // tmkms stopped, its state lost, and deploy given a reason to restart it (its serving config edited on the host)
    const lose = onHost(
      'kms-fra',
      'systemctl stop stake-tmkms && rm -f {root}/var/lib/tmkms/state/cosmoshub-4-consensus.json && echo "# edited" >> {root}/var/lib/tmkms/serving.toml',
    );
    assert.equal(lose.code, 0, lose.stderr);
    const signedBefore = Math.max(...lab.signatures().map((s) => s.height));
    const r = lab.stake(['deploy', '-i', lab.inventory]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const said =
      /tmkms's state was missing, below the chain's head (\d+) \(cosmoshub's last signature on the chain \((\d+)\)\): raised to it, every round, before the start/.exec(
        r.stdout,
      );
    assert.ok(said, r.stdout);
    // the floor is the head, above the last signature seen (the head's precommits are in the next block)
    const floor = Number(said[1]);
    assert.ok(floor >= Number(said[2]) && floor >= signedBefore, `raised to ${floor}, the chain had ${signedBefore}`);
    const state = onHost('kms-fra', 'cat {root}/var/lib/tmkms/state/cosmoshub-4-consensus.json');
    assert.ok(parseTmkmsState(state.stdout).height >= BigInt(floor), state.stdout);
    const count = lab.chain().identities[0]!.signatures;
    const after = await lab.waitFor(
      'signing again above the floor',
      (c) => c.identities[0]!.signatures >= count + 5,
      30_000,
    );
    assert.equal(after.doubleSigns, 0);
    assert.ok(Math.max(...lab.signatures().map((s) => s.height)) > floor);
  });

  test('stake keys: push puts the key on the signer, owned by tmkms, and on no validator (again: already there); status shows it held by the signer, no alarm', () => {
    const key = join(labPaths(lab.dir).keys, 'cosmoshub', 'priv_validator_key.json');
    // the signer's copy gone (tmkms holds the key it loaded at its start): the push places it again, tmkms's own
    const gone = onHost('kms-fra', 'rm -f {root}/var/lib/tmkms/secrets/cosmoshub.priv_validator_key.json');
    assert.equal(gone.code, 0, gone.stderr);
    const push = lab.stake(['keys', 'push', 'cosmoshub', '-i', lab.inventory, '--file', key, '--json']);
    assert.equal(push.code, 0, push.stderr);
    const pushed = JSON.parse(push.stdout) as { results: { host: string; as: string; result: string }[] };
    assert.deepEqual(
      pushed.results.map((r) => [r.host, r.as, r.result.split(':')[0]]),
      [['kms-fra', 'signer', 'placed']],
    );
    const owner = onHost('kms-fra', 'stat -c %U:%a {root}/var/lib/tmkms/secrets/cosmoshub.priv_validator_key.json');
    assert.equal(owner.stdout.trim(), isSystemdLab(lab.dir) ? 'tmkms:600' : 'root:600');
    const again = lab.stake(['keys', 'push', 'cosmoshub', '-i', lab.inventory, '--file', key]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already there/);
    const status = lab.stake(['keys', 'status', '-i', lab.inventory, '--json']);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const rows = (JSON.parse(status.stdout) as { keys: { host: string; key: string; alarm?: string }[] }).keys;
    assert.deepEqual(
      rows.map((r) => [r.host, r.key, r.alarm]),
      [
        ['val-fra', 'on its tmkms signers (kms-fra)', undefined],
        ['val-waw', 'on its tmkms signers (kms-fra)', undefined],
      ],
    );
  });

  test('a second deploy changes nothing: the serving config and the laddr are as rendered', () => {
    const r = lab.stake(['deploy', '-i', lab.inventory]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing to do: every host matches the inventory; nothing written, nothing restarted/);
  });
});
