/**
 * A broken carry, through the fault seam (../support/faults.ts): right after the carry step, the
 * target's priv_validator_state.json is replaced by the fresh state `cometbft init` writes
 * (0/0/0), as if the watermark had been lost. On cosmos that is met by CometBFT's look-back and
 * the wait for it: the target starts 10 heights past the old host's last signature and is never
 * asked for a height the old host signed (issue 8a found it a double sign; a real CometBFT with
 * the rendered double_sign_check_height makes it none).
 *
 * Ethereum carries nothing: the Dirk group keeps the slashing protection. Losing it there (every
 * Dirk's protection file removed, after carry) lets the new Vouch get the old slots signed again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../src/wait.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cometbftKey } from '../../src/lab/keys.js';
import type { StatusReport } from '../../src/status/report.js';
import { COMETBFT_SIGN_STATE } from '../../src/keys/layout.js';
import { projectPath } from '../../src/paths.js';
import { sshdUnavailable } from '../support/sshd.js';
import { FailoverLab } from '../support/failover-lab.js';

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const FRESH_STATE = projectPath('test', 'fixtures', 'reference', 'cometbft', 'priv_validator_state.initial.json');

describe('a broken carry on cosmos meets the look-back (cosmos lab)', { skip: sshdUnavailable() }, () => {
  let lab: FailoverLab;
  before(async () => {
    lab = await FailoverLab.start('cosmos');
  });
  after(() => lab?.down());

  // On ethereum the same fault is a double sign (below): a validator client is handed old slots.
  // CometBFT votes only at the height after its last block, and stake starts the target only once
  // the chain is 10 heights past the old host's last signature (its look-back), so no height the
  // old host signed is ever put to it: the lost watermark costs nothing. Were the wait gone, the
  // look-back itself would refuse the start (test/lab/sim/cometbft.test.ts).
  test("the target's watermark lost after carry: started after its look-back, it signs only heights the old host never did", async () => {
    const from = lab.live().active;
    const to = lab.other();
    const target = join(lab.dir, 'hosts', to, 'root', COMETBFT_SIGN_STATE);
    const r = lab.failover(to, `after:carry=run:cp ${sh(FRESH_STATE)} ${sh(target)}`);
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 0, out);
    const clear = /look-back clear: head \d+, (\d+) heights above cosmoshub's last signature \((\d+);/.exec(out);
    assert.ok(clear && Number(clear[1]) >= 10, out);
    await lab.signingOn(to);
    const sigs = lab.signatures().filter((x) => x.identity === lab.identity);
    const lastOld = Math.max(...sigs.filter((x) => x.host === from).map((x) => x.height));
    const firstNew = Math.min(
      ...sigs.filter((x) => x.host === to && x.height > Number(clear[2]) - 20).map((x) => x.height),
    );
    assert.ok(firstNew >= lastOld + 10, `the target's first signature ${firstNew}, the old host's last ${lastOld}`);
    assert.equal(lab.chain().doubleSigns, 0);
  });
});

describe("verify waits for the chain's word (cosmos lab)", { skip: sshdUnavailable() }, () => {
  let lab: FailoverLab;
  before(async () => {
    lab = await FailoverLab.start('cosmos');
  });
  after(() => lab?.down());

  test('a target that starts with a key of no identity: the chain shows no new signature, verify fails', () => {
    // the sealed key swapped for a stranger's before activation moves it into place: what a
    // standby holding the wrong key file looks like (cp keeps the file's owner and mode)
    const to = lab.other();
    const sealed = join(lab.dir, 'hosts', to, 'root', 'var/lib/stake/sealed/cosmoshub/priv_validator_key.json');
    const stranger = join(lab.dir, 'stranger-key.json');
    writeFileSync(stranger, cometbftKey().text);
    lab.failsVerifyAfter(to, `cp ${sh(stranger)} ${sh(sealed)}`);
  });
});

describe('lost slashing protection on the signers is caught (ethereum lab)', { skip: sshdUnavailable() }, () => {
  let lab: FailoverLab;
  before(async () => {
    lab = await FailoverLab.start('ethereum');
  });
  after(() => lab?.down());

  test("every Dirk's protection lost during the failover: the new Vouch's old slots are signed again, and seen", async () => {
    const from = lab.live().active;
    const to = lab.other();
    const protection = ['signer-fra', 'signer-lon', 'signer-ams']
      .map((h) => `${sh(join(lab.dir, 'hosts', h, 'root', 'var/lib/dirk/protection'))}/*.json`)
      .join(' ');
    // an on-call screen watching while it happens: a beacon node holds an attester slashing in its
    // pool until a block includes it (the lab's: 4 slots later), and the screen reads the blocks
    // since its last round, so it sees the slashing in one or the other; a reading long after the
    // fact sees the validator slashed
    const watch = lab.watchStatus();
    try {
      await waitFor(() => watch.frames().length >= 1, { timeoutMs: 30_000, what: 'the first frame of --watch' });
      const r = lab.failover(to, `after:carry=run:rm -f ${protection}`);
      const out = `${r.stdout}\n${r.stderr}`;
      const chain = await lab.waitFor('a double sign on the chain', (s) => s.doubleSigns > 0);
      const doubled = chain.identities.flatMap((i) => i.doubleSigns);
      assert.ok(
        doubled.every((d) => d.hosts.includes(from) && d.hosts.includes(to)),
        `the old Vouch's slots attested again by the new one: ${JSON.stringify(doubled)}`,
      );
      // verify judges until the target's first new signature: a double sign the chain shows after
      // that reading is past it (a race the lab cannot close), and stake status must show it
      if (r.code !== 0) {
        assert.equal(r.code, 1, out);
        assert.match(
          out,
          /signed twice since the failover began: height \d+ \(attester slashing of validator \d+ (in the pool|in the block at slot \d+), seen by beacon-/,
          out,
        );
      } else assert.match(out, /now signs on/, out);
      // the watching screen, from the beacon nodes' own API: the slashing at the heights the chain counted
      const heights = new Set(doubled.map((d) => d.height));
      const showing = watch.frames().filter((f) => f.identities[0]?.equivocations.some((e) => heights.has(e.height)));
      const seen = showing.flatMap((f) => f.identities[0]!.equivocations).filter((e) => heights.has(e.height));
      assert.ok(
        seen.length > 0 && seen.every((e) => /attester slashing/.test(e.what)),
        JSON.stringify(watch.frames().at(-1)),
      );
      // measured, not asserted: the second attestation (the chain's own time) to the first frame showing it
      const second = Math.max(
        ...readFileSync(join(lab.dir, 'chain', 'signatures.ndjson'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { identity: string; height: number; at: string })
          .filter((x) => x.identity === lab.identity && heights.has(x.height))
          .map((x) => Date.parse(x.at)),
      );
      console.log(
        `ethereum double sign: ${Date.parse(showing[0]!.at) - second} ms from the second attestation to the first stake status --watch frame showing it`,
      );
    } finally {
      await watch.stop();
    }
    // and a reading after the fact: the validator slashed, a red alarm that stays
    const s = lab.stake(['status', '-i', lab.inventory, '--json', '--no-witness-copy']);
    const id = (JSON.parse(s.stdout) as StatusReport).identities[0]!;
    assert.ok(
      id.alarms.some((a) => /the chain shows mainnet-pool slashed/.test(a)),
      id.alarms.join('\n'),
    );
  });
});
