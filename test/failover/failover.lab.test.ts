/**
 * `stake failover` in the lab of each chain family, through the real CLI: real sshd hosts, the
 * simulated clients deploy installed, and the lab chain judging every signature. The happy path
 * and SIGKILL then --resume in each family, a dead old host, a silent target, a double sign seen.
 * Zero double signs where stake acts. Faults at every step boundary of a cosmos lab are
 * ./boundary-faults.lab.test.ts, the refusals ./refusals.lab.test.ts, the randomized faults
 * ./random-faults.lab.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { DrillReport } from '../../src/drill/report.js';
import { waitFor } from '../../src/wait.js';
import { sshdUnavailable } from '../support/sshd.js';
import { FailoverLab } from '../support/failover-lab.js';
import { backFromTheDead, powerLoss } from '../support/dead-host.js';
import { asRootOn, isSystemdLab, unitExposures } from '../support/lab-hosts.js';
import { issueCertificate, labCertificateAuthority } from '../../src/lab/certs.js';
import { CERTS } from '../../src/render/clients/ethereum.js';
import { opcertCbor } from '../../src/chain/cardano-opcert.js';

const CARDANO_KEYS = '/var/lib/cardano/keys';

/** The dead-host tests of the families whose signer is not CometBFT: what each says and where its keys are. */
const DEAD_HOST = {
  ethereum: {
    sources: 'the beacon nodes',
    cutOff: 'validator client still attesting',
    dead: 'validator client',
    signs: 'attests',
    signer: 'vouch',
    keyDir: CERTS,
    keys: ['client.crt', 'client.key'],
    window: '3',
  },
  cardano: {
    sources: 'the relays',
    cutOff: 'block producer still forging',
    dead: 'block producer',
    signs: 'forges',
    signer: 'cardano-node',
    keyDir: CARDANO_KEYS,
    keys: ['kes.skey', 'vrf.skey', 'node.cert'],
    window: '5',
  },
} as const;

const skip = sshdUnavailable();

/** The chain shows the old host's last signature, then only the new host's. */
function handedOver(lab: FailoverLab, from: string, to: string, since: number): void {
  const sigs = lab.signatures().filter((s) => s.identity === lab.identity && s.height > since);
  const lastOld = Math.max(...sigs.filter((s) => s.host === from).map((s) => s.height), since);
  const firstNew = Math.min(...sigs.filter((s) => s.host === to).map((s) => s.height));
  assert.ok(Number.isFinite(firstNew), `${to} signed`);
  assert.ok(
    lastOld < firstNew,
    `the old host's last signature (${lastOld}) comes before the new host's first (${firstNew})`,
  );
}

for (const family of ['cosmos', 'ethereum', 'cardano'] as const) {
  // One lab per family, its tests in order: each reads who is live now (lab.live()) and revives
  // the fenced host, so none assumes where the one before left the identity.
  describe(`failover in a ${family} lab`, { skip }, () => {
    let lab: FailoverLab;
    before(async () => {
      lab = await FailoverLab.start(family);
    });
    after(() => lab?.down());

    test('every hardened unit of the family runs under systemd at or under its rendered exposure', (t) => {
      if (!isSystemdLab(lab.dir)) return t.skip('process hosts run no units');
      const units = unitExposures(lab.dir);
      assert.ok(units.length >= 3, JSON.stringify(units));
      for (const u of units) {
        assert.ok(u.live <= u.rendered, `${u.unit} on ${u.host}: ${u.live} as it runs, ${u.rendered} as rendered`);
        assert.ok(u.rendered <= 2.0, `${u.unit} as rendered: ${u.rendered}`);
      }
    });

    test('the happy path: old host fenced, then only the new host signs; a stale checkout cannot deploy', async () => {
      const { active: from } = lab.live();
      const to = lab.other();
      const stale = join(lab.dir, 'stale.yaml');
      copyFileSync(lab.inventory, stale);
      const since = lab.chain().height;
      const r = lab.ok(lab.failover(to), 'failover');
      assert.match(r.stdout, /now signs on/);
      assert.equal(lab.live().active, to);
      assert.equal(lab.live().generation, 2);
      await lab.signingOn(to);
      handedOver(lab, from, to, since);
      assert.equal(lab.chain().doubleSigns, 0);
      assert.match(readFileSync(lab.inventory, 'utf8'), new RegExp(`active: ${to}`));
      const audit = readFileSync(
        join(lab.dir, 'hosts', lab.witness, 'root', 'var/lib/stake', lab.identity, 'audit.ndjson'),
        'utf8',
      );
      assert.match(audit, /"approvers":\["alice","bob"\]/);

      const deploy = lab.stake(['deploy', '-i', stale]);
      assert.equal(deploy.code, 4, deploy.stdout + deploy.stderr);
      assert.match(deploy.stderr, /the checkout is stale/);
      lab.revive();
    });

    test('killed with SIGKILL after fencing, then resumed: zero double signs, signing again', async () => {
      const to = lab.other();
      const killed = lab.failover(to, 'after:fence=kill');
      assert.equal(killed.code, null, 'killed by the signal');
      assert.equal(lab.journalState(), 'running');
      const resumed = lab.ok(lab.resume(), 'resume');
      assert.match(resumed.stderr, /resuming/);
      await lab.signingOn(to);
      assert.equal(lab.chain().doubleSigns, 0);
      lab.revive();
    });

    // cosmos has its drill in test/status/status.lab.test.ts; on ethereum the lab's slot stands
    // for an epoch (liveness is per epoch), so its rounds chart height by height too
    if (family !== 'cosmos')
      test('stake drill: two rounds judged through the observer, agreeing with the lab chain', () => {
        const report = join(lab.dir, `drill-${Date.now()}`);
        const before = lab.chain().doubleSigns;
        const r = lab.drill(2, report, ['--objective', '90s', '--verify-timeout', '20'], 240_000);
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /✓ drill passed: 2 of 2 rounds passed/);
        const doc = JSON.parse(readFileSync(join(report, 'drill.json'), 'utf8')) as DrillReport;
        assert.match(doc.observer, family === 'cardano' ? /Ogmios on relay-/ : /Beacon API on beacon-/);
        const chain = lab.signatures().filter((x) => x.identity === lab.identity);
        const signer = (height: number) => [...new Set(chain.filter((x) => x.height === height).map((x) => x.host))];
        for (const x of doc.rounds) {
          assert.deepEqual(x.doubleSigned, []);
          assert.ok(x.lastOld !== undefined && x.firstNew! > x.lastOld, JSON.stringify(x));
          // the observer's last old and first new signatures are the lab chain's, by those hosts
          assert.deepEqual(signer(x.lastOld), [x.from], `height ${x.lastOld} of round ${x.round}`);
          assert.deepEqual(signer(x.firstNew!), [x.to], `height ${x.firstNew} of round ${x.round}`);
        }
        assert.equal(lab.chain().doubleSigns, before);
      });

    if (family === 'ethereum')
      test("--at-safe-window: fenced once no proposal of the identity's validator falls in the handover", async () => {
        const to = lab.other();
        const safe = ['--at-safe-window'];
        const approvals = [lab.approve(to, 'alice', safe), lab.approve(to, 'bob', safe)];
        const r = lab.ok(lab.confirm(to, approvals, undefined, safe), 'failover at a safe window');
        assert.match(r.stdout, /fence \(\d+ ms\) no block proposal of its validators in slots \d+-\d+/);
        await lab.signingOn(to);
        assert.equal(lab.chain().doubleSigns, 0);
        lab.revive();
      });

    // cosmos has its own, with the really dead host, in the faults below
    if (family !== 'cosmos') {
      const { sources, cutOff, dead: deadOne, signs, signer, keyDir, keys, window } = DEAD_HOST[family];
      const dead = ['--old-host-dead', '--safety-window', window];
      test(`--old-host-dead refuses while ${sources} show the cut-off ${cutOff}`, () => {
        const from = lab.live().active;
        const to = lab.other();
        const approvals = [lab.approve(to, 'alice', dead), lab.approve(to, 'bob', dead)];
        const r = lab.whileCut(from, () => lab.confirm(to, approvals, undefined, dead));
        assert.equal(r.code, 4, r.stdout + r.stderr);
        assert.match(r.stdout, family === 'cardano' ? /Ogmios on relay-/ : /Beacon API on beacon-/);
        assert.match(r.stdout, /it is not dead, it is cut off from you/);
        assert.equal(lab.journalState(), 'rolled-back');
        assert.equal(lab.live().active, from);
      });

      test(`--old-host-dead with a really dead ${deadOne}: the target ${signs} after the safety window`, async () => {
        const from = lab.live().active;
        const to = lab.other();
        const approvals = [lab.approve(to, 'alice', dead), lab.approve(to, 'bob', dead)];
        powerLoss(lab, from, signer);
        const r = lab.ok(lab.confirm(to, approvals, undefined, dead), 'dead-host failover');
        assert.match(r.stdout, new RegExp(`no signature from ${lab.identity} for \\d+ heights`));
        await lab.signingOn(to);
        assert.equal(lab.chain().doubleSigns, 0);
        backFromTheDead(lab, from, signer, keyDir, keys);
        assert.equal(lab.chain().doubleSigns, 0);
      });
    }

    // last: the identity is left unsigned, the target holding a stranger's access
    if (family === 'ethereum')
      test("a target whose client certificate is another CA's: every Dirk refuses its handshake, the chain shows no new attestation, verify fails", () => {
        const to = lab.other();
        const sealed = join(lab.dir, 'hosts', to, 'root', 'var/lib/stake/sealed', lab.identity);
        // a certificate for the right name from an authority the signers do not trust: what a
        // standby restored with another deployment's certificates looks like
        const stranger = issueCertificate(labCertificateAuthority('a stranger CA'), to);
        const crt = join(lab.dir, 'stranger.crt');
        const key = join(lab.dir, 'stranger.key');
        writeFileSync(crt, stranger.cert);
        writeFileSync(key, stranger.key);
        // cp keeps the sealed files' owner and mode
        lab.failsVerifyAfter(to, `cp ${crt} ${join(sealed, 'client.crt')} && cp ${key} ${join(sealed, 'client.key')}`);
      });

    if (family === 'cardano')
      test("a target whose operational certificate is another pool's: it leads no slot of the pool, verify fails; the right one put back, --resume completes", async () => {
        const to = lab.other();
        const sealed = join(lab.dir, 'hosts', to, 'root', 'var/lib/stake/sealed', lab.identity, 'node.cert');
        // a certificate signed by a cold key the chain has no pool for (a standby restored with
        // another pool's files)
        const stranger = join(lab.dir, 'stranger-node.cert');
        const cbor = opcertCbor(randomBytes(32), 0, 0, randomBytes(64), randomBytes(32));
        writeFileSync(
          stranger,
          `${JSON.stringify({ type: 'NodeOperationalCertificate', description: '', cborHex: cbor })}\n`,
        );
        lab.failsVerifyAfter(to, `cp ${stranger} ${sealed}`);
        // what the hint says: look at the target's signer, then resume; the lab's own copy written
        // over the stranger's in place, from this machine (cp keeps the active file's owner)
        const own = join(lab.dir, 'keys', lab.identity, 'node.cert');
        const placed = join(lab.dir, 'hosts', to, 'root', CARDANO_KEYS.slice(1), 'node.cert');
        const fixed = spawnSync('cp', [own, placed], { encoding: 'utf8' });
        assert.equal(fixed.status, 0, fixed.stderr);
        lab.ok(lab.resume(), 'resume');
        await lab.signingOn(to);
        assert.equal(lab.chain().doubleSigns, 0);
        lab.revive();
      });

    // last: it leaves a double sign on the chain
    if (family === 'cardano')
      test("the pool's keys copied onto the standby: two blocks at its slots, served by the relays' Ogmios as a fork, seen by a watching stake status as the lab chain counted them", async () => {
        // Cardano keeps no evidence: the losing block of a slot battle is gone once the chain
        // moves on, so only a reader following the relays when it happens sees it (an on-call
        // screen, `stake status --watch`), never a status run after the fact
        const standby = lab.other();
        const before = lab.chain().doubleSigns;
        const keys = CARDANO_KEYS;
        const watch = lab.watchStatus(); // stopped in the finally below, or the test process never ends
        try {
          await waitFor(() => watch.lines().length >= 1, {
            timeoutMs: 30_000,
            what: 'the first frame of --watch',
            lastSeen: () => watch.lines().join('\n'),
          });
          // a careless restore onto the standby: the sealed keys put where cardano-node reads them, owned by it
          const placed = asRootOn(lab.dir, standby, (root) =>
            [
              `mkdir -p ${root}${keys}`,
              ...['kes.skey', 'vrf.skey', 'node.cert'].map(
                (f) => `cp ${root}/var/lib/stake/sealed/${lab.identity}/${f} ${root}${keys}/${f}`,
              ),
              `chown -R --reference=${root}/var/lib/cardano ${root}${keys}`,
            ].join(' && '),
          );
          assert.equal(placed.code, 0, placed.stderr);
          const copied = Date.now();
          const chain = await lab.waitFor('a double sign on the lab chain', (x) => x.doubleSigns > before, 60_000);
          const doubled = Date.now();
          const counted = new Set(chain.identities[0]!.doubleSigns.map((d) => d.height));
          const seen = await waitFor(
            () => {
              const id = watch.frames().at(-1)?.identities[0];
              const found = id?.equivocations.filter((e) => counted.has(e.height)) ?? [];
              return found.length > 0 ? { id: id!, found } : undefined;
            },
            { timeoutMs: 30_000, what: 'the double sign in a frame of stake status --watch', intervalMs: 250 },
          );
          for (const e of seen.found) {
            assert.match(e.what, new RegExp(`two blocks of its pool at slot ${e.height}`));
            assert.ok(
              e.sources.every((x) => x.startsWith('relay-')),
              e.sources.join(', '),
            );
          }
          assert.ok(
            seen.id.alarms.some((a) => /^DOUBLE SIGN at height \d+/.test(a)),
            seen.id.alarms.join('\n'),
          );
          // measured, not asserted: the copy to the chain's count, and the count to the watching screen
          console.log(
            `cardano double sign: ${doubled - copied} ms from the copy to the lab chain's count, ${Date.now() - doubled} ms more to stake status --watch`,
          );
        } finally {
          await watch.stop();
          asRootOn(lab.dir, standby, (root) => `rm -rf ${root}${keys}`);
        }
      });
  });
}

// One lab, its rounds in order: each starts from whoever is live and ends signing with the fenced
// host revived (faultRound), so any round can follow any other.
