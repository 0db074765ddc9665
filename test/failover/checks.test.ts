/**
 * Failover's pure parts: the plan code, approvals judged (and signed and verified by the real
 * ssh-keygen), the preflight's verdicts, carrying slashing protection, the operational
 * certificate, and the inventory rewrite that must keep every other byte.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opcertCbor, parseOpcert } from '../../src/chain/cardano-opcert.js';
import { parseSignState } from '../../src/chain/cometbft-sign-state.js';
import { approvalText, judgeApprovals, parseApproval, type VerifiedApproval } from '../../src/failover/approval.js';
import { preflightChecks, refusals, type HostView } from '../../src/failover/checks.js';
import { rewriteActive } from '../../src/failover/inventory-rewrite.js';
import { planCode, sameCode, type FailoverPlan } from '../../src/failover/plan.js';
import { decideCarry } from '../../src/failover/protection.js';
import { parseProbe } from '../../src/failover/scripts.js';
import { signText, verifyApprovals } from '../../src/failover/ssh-signature.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { COMETBFT_SIGN_STATE, validatorKeyFiles } from '../../src/keys/layout.js';
import { example, validateText } from '../support/helpers.js';

const plan: FailoverPlan = {
  deployment: 'cosmoshub-prod',
  family: 'cosmos',
  identity: 'cosmoshub',
  from: 'val-fra',
  to: 'val-waw',
  generation: 3,
  oldHostDead: false,
  safetyWindow: 20,
};
const future = new Date(Date.now() + 600_000).toISOString();
/** An approval as verifyApprovals returns it; signer null: no operator's key made the signature. */
const signed = (
  p: FailoverPlan,
  approver: string,
  expires = future,
  signer: string | null = approver,
): VerifiedApproval => ({
  approval: parseApproval(
    `${approver}.approval`,
    `${approvalText(p, approver, expires)}-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n`,
  ),
  signer: signer ?? undefined,
});

describe('plan code', () => {
  test('eight unambiguous characters, stable for one plan and expiry, different for any change', () => {
    const code = planCode(plan, future);
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.equal(planCode({ ...plan }, future), code);
    assert.notEqual(planCode({ ...plan, generation: 4 }, future), code);
    assert.notEqual(planCode({ ...plan, to: 'val-ams' }, future), code);
    assert.notEqual(planCode(plan, new Date(Date.parse(future) + 1000).toISOString()), code);
    assert.ok(sameCode(code.toLowerCase().replace('-', ' '), code));
  });
});

describe('approvals', () => {
  const now = new Date();
  test('two distinct operators over this plan pass', () => {
    assert.deepEqual(judgeApprovals(plan, [signed(plan, 'alice'), signed(plan, 'bob')], now), {
      ok: true,
      approvers: ['alice', 'bob'],
    });
  });
  const refusedBy = (approvals: VerifiedApproval[], pattern: RegExp) => {
    const verdict = judgeApprovals(plan, approvals, now);
    assert.equal(verdict.ok, false);
    if (!verdict.ok) assert.match(verdict.why, pattern);
  };
  test('one approval', () => refusedBy([signed(plan, 'alice')], /two approvals.*only one/));
  test('the same operator twice', () =>
    refusedBy([signed(plan, 'alice'), signed(plan, 'alice')], /both approvals are by alice/));
  test("a key that is no operator's", () =>
    refusedBy([signed(plan, 'alice'), signed(plan, 'bob', future, null)], /not an operator's key/));
  test('a signature by another operator than the one named', () =>
    refusedBy(
      [signed(plan, 'alice'), signed(plan, 'bob', future, 'alice')],
      /says approver bob but was signed with alice's key/,
    ));
  test('a signature over another plan', () =>
    refusedBy(
      [signed(plan, 'alice'), signed({ ...plan, oldHostDead: true }, 'bob')],
      /signs another plan \("old-host-dead: yes/,
    ));
  test('an expired plan', () =>
    refusedBy([signed(plan, 'alice'), signed(plan, 'bob', new Date(Date.now() - 1000).toISOString())], /expired/));
  test('a plan made at an older generation', () =>
    refusedBy(
      [signed({ ...plan, generation: 2 }, 'alice'), signed(plan, 'bob')],
      /approved at generation 2, but cosmoshub is now at generation 3/,
    ));
  test('a file that is not an approval', () =>
    assert.throws(() => parseApproval('x', 'hello\n'), /no OpenSSH signature/));

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
        const text = approvalText(plan, as, future);
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
});

describe('preflight', () => {
  const inv = resolveInventory(validateText(example('cosmos')).inventory!);
  const identity = inv.identities[0]!;
  const record = (active: string, generation = 3) =>
    JSON.stringify({ generation, active, since: 't', approvers: [], plan: 'p' });
  const healthy = (): HostView[] => [
    {
      host: 'val-fra',
      probe: parseProbe(
        `K\tpriv_validator_key.json\tactive\nS\tcometbft\trunning\nL\t26656\tyes\nG\t${record('val-fra')}\n`,
      ),
    },
    {
      host: 'val-waw',
      probe: parseProbe(
        `K\tpriv_validator_key.json\tsealed\nS\tcometbft\trunning\nL\t26656\tyes\nG\t${record('val-fra')}\n`,
      ),
    },
    { host: 'witness-ams', probe: parseProbe(`G\t${record('val-fra')}\n`) },
  ];
  const judge = (views: HostView[], p: FailoverPlan = plan) =>
    refusals(
      preflightChecks({
        plan: p,
        identity,
        views,
        keys: validatorKeyFiles('cosmos'),
        services: [{ name: 'cometbft', port: 26656 }],
        now: new Date(),
      }),
    );
  const swap = (views: HostView[], host: string, text: string) =>
    views.map((v) => (v.host === host ? { host, probe: parseProbe(text) } : v));

  test('a healthy quorum passes (the unobserved sync is a warning, not a refusal)', () =>
    assert.deepEqual(judge(healthy()), []));
  test('the target already holding the key', () =>
    assert.deepEqual(
      judge(
        swap(
          healthy(),
          'val-waw',
          `K\tpriv_validator_key.json\tboth\nS\tcometbft\trunning\nL\t26656\tyes\nG\t${record('val-fra')}\n`,
        ),
      ).map((c) => c.name),
      ['target holds no active key'],
    ));
  test('an unreachable target', () =>
    assert.ok(
      judge(healthy().map((v) => (v.host === 'val-waw' ? { host: 'val-waw', error: 'connection refused' } : v))).some(
        (c) => c.name === 'target reachable',
      ),
    ));
  test('a target whose client is down', () =>
    assert.deepEqual(
      judge(
        swap(
          healthy(),
          'val-waw',
          `K\tpriv_validator_key.json\tsealed\nS\tcometbft\tdisabled\nL\t26656\tno\nG\t${record('val-fra')}\n`,
        ),
      ).map((c) => c.name),
      ['target client healthy'],
    ));
  test('a lock held by another plan names its holder', () => {
    const views = swap(
      healthy(),
      'witness-ams',
      `G\t${record('val-fra')}\nX\t${JSON.stringify({ plan: 'OTHR-PLAN', by: 'carol@laptop', since: 'then' })}\n`,
    );
    const [lock] = judge(views);
    assert.equal(lock?.name, 'lock');
    assert.match(lock!.detail, /OTHR-PLAN of carol@laptop/);
  });
  test('an unreachable old host, unless approved as dead (then only with a chain to watch)', () => {
    const views = healthy().map((v) => (v.host === 'val-fra' ? { host: 'val-fra', error: 'timed out' } : v));
    assert.deepEqual(
      judge(views).map((c) => c.name),
      ['old host reachable'],
    );
    assert.deepEqual(
      judge(views, { ...plan, oldHostDead: true }).map((c) => c.name),
      ['old host silent'],
    );
  });
  test('a witness that disagrees about the active host', () =>
    assert.deepEqual(
      judge(swap(healthy(), 'witness-ams', `G\t${record('val-waw')}\n`)).map((c) => c.name),
      ['witness agrees'],
    ));
  test('a plan made at an older generation', () =>
    assert.deepEqual(
      judge(healthy(), { ...plan, generation: 2 }).map((c) => c.name),
      ['live generation'],
    ));
});

describe('carrying slashing protection', () => {
  const state = (height: number, round = 0, step = 3) => `${JSON.stringify({ height: String(height), round, step })}\n`;
  test('cosmos: the higher watermark of the two, written to the target and kept on the witness', () => {
    const d = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(120, 1, 2) },
      target: { [COMETBFT_SIGN_STATE]: state(90) },
      oldHostDead: false,
    });
    assert.ok(d.ok);
    if (!d.ok) return;
    assert.equal(parseSignState(d.writes[0]!.content).height, 120n);
    assert.equal(parseSignState(d.writes[0]!.content).round, 1);
    assert.equal(d.witnessCopy[0]!.content, d.writes[0]!.content);
    const lower = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(80) },
      target: { [COMETBFT_SIGN_STATE]: state(90) },
      oldHostDead: false,
    });
    assert.ok(lower.ok && lower.writes.length === 0, 'the target is never lowered');
  });
  test('cosmos, dead old host: past the chain head; without copy nor head, refused', () => {
    const d = decideCarry({
      family: 'cosmos',
      identity: 'hub',
      old: { [COMETBFT_SIGN_STATE]: state(100) },
      target: {},
      oldHostDead: true,
      chainHead: 130,
    });
    assert.ok(d.ok && parseSignState(d.writes[0]!.content).height === 130n);
    assert.equal(decideCarry({ family: 'cosmos', identity: 'hub', old: {}, target: {}, oldHostDead: true }).ok, false);
  });
  test('cardano: a target certificate with a lower counter is refused', () => {
    const cert = (n: number) =>
      JSON.stringify({
        type: 'NodeOperationalCertificate',
        description: '',
        cborHex: opcertCbor(Buffer.alloc(32, 1), n, 7, Buffer.alloc(64, 2), Buffer.alloc(32, 3)),
      });
    const path = '/var/lib/stake/sealed/pool/node.cert';
    assert.equal(
      decideCarry({
        family: 'cardano',
        identity: 'pool',
        old: { [path]: cert(5) },
        target: { [path]: cert(4) },
        oldHostDead: false,
      }).ok,
      false,
    );
    const ok = decideCarry({
      family: 'cardano',
      identity: 'pool',
      old: { [path]: cert(5) },
      target: { [path]: cert(300) },
      oldHostDead: false,
    });
    assert.ok(ok.ok && /counter 300/.test(ok.summary));
  });
  test('ethereum: kept by the remote signers; without them, refused with the manual way', () => {
    assert.ok(
      decideCarry({
        family: 'ethereum',
        identity: 'e',
        old: {},
        target: {},
        oldHostDead: false,
        signerGroup: { client: 'dirk', hosts: 3, threshold: 2 },
      }).ok,
    );
    const d = decideCarry({ family: 'ethereum', identity: 'e', old: {}, target: {}, oldHostDead: false });
    assert.ok(!d.ok && /stake protection merge/.test(d.hint));
  });
});

test('operational certificate: counter and KES period read from the CBOR', () => {
  for (const counter of [0, 23, 24, 255, 256, 70_000]) {
    const text = JSON.stringify({
      type: 'NodeOperationalCertificate',
      cborHex: opcertCbor(Buffer.alloc(32), counter, 412, Buffer.alloc(64), Buffer.alloc(32)),
    });
    assert.deepEqual(parseOpcert(text), { counter, kesPeriod: 412 });
  }
  assert.throws(
    () => parseOpcert(JSON.stringify({ type: 'KesSigningKey_ed25519_kes_2^6', cborHex: '00' })),
    /not NodeOperationalCertificate/,
  );
});

test('the inventory rewrite changes exactly the two values, keeping comments and layout', () => {
  const before = example('cosmos');
  const after = rewriteActive(before, 'cosmoshub', 'val-fra', 'val-waw');
  const changed = before
    .split('\n')
    .map((line, i) => [line, after.split('\n')[i]] as const)
    .filter(([a, b]) => a !== b);
  assert.deepEqual(changed, [
    ['    active: val-fra', '    active: val-waw'],
    ['    standby: [val-waw]', '    standby: [val-fra]'],
  ]);
  assert.equal(rewriteActive(after, 'cosmoshub', 'val-fra', 'val-waw'), after, 'a resumed record step changes nothing');
  assert.throws(() => rewriteActive(before, 'cosmoshub', 'val-ams', 'val-waw'), /changed since the failover started/);
});
