/** Approvals signed and verified with the real ssh-keygen (`ssh-keygen -Y`), against the operators' keys only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalText, parseApproval } from '../../src/failover/approval.js';
import { signText, verifyApprovals } from '../../src/failover/ssh-signature.js';
import { future, plan, signedAt } from '../support/failover-plan.js';

test("signed and verified with the real ssh-keygen, against the operators' keys only", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stake-approve-t-'));
  try {
    const keys: Record<string, { key: string }> = {};
    for (const name of ['alice', 'bob', 'mallory']) {
      assert.equal(
        spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]).status,
        0,
      );
      keys[name] = { key: readFileSync(join(dir, `${name}.pub`), 'utf8').trim() };
    }
    const operators = { alice: keys.alice!, bob: keys.bob! };
    const make = async (who: string, as: string) => {
      const text = approvalText(plan, as, signedAt, future);
      return parseApproval(
        `${who}.approval`,
        text + (await signText(text, { keyFile: join(dir, who), publicKey: keys[who]!.key })),
      );
    };
    const [a, b, m] = await Promise.all([make('alice', 'alice'), make('bob', 'bob'), make('mallory', 'bob')]);
    const verified = await verifyApprovals([a, b, m], operators);
    assert.deepEqual(
      verified.map((v) => v.signer),
      ['alice', 'bob', undefined],
    );
    // a changed byte of the signed text: no operator signed that
    const tampered = { ...a, text: a.text.replace('to: val-waw', 'to: val-ams') };
    assert.equal((await verifyApprovals([tampered], operators))[0]!.signer, undefined);
    // and OpenSSH alone agrees, as the docs show
    writeFileSync(join(dir, 'allowed_signers'), `alice ${keys.alice!.key}\n`);
    writeFileSync(join(dir, 'plan.sig'), a.signature);
    const r = spawnSync(
      'ssh-keygen',
      [
        '-Y',
        'verify',
        '-f',
        join(dir, 'allowed_signers'),
        '-I',
        'alice',
        '-n',
        'stake-failover',
        '-s',
        join(dir, 'plan.sig'),
      ],
      { input: a.text, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
