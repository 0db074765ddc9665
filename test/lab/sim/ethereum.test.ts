/** The simulated Dirk's slashing protection, reloaded from its minimal EIP-3076 file at every slot. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlashingProtection } from '../../../src/chain/eip3076.js';
import type { Behaviour, SimContext } from '../../../src/lab/sim/context.js';
import { dirkSigner, dirkStartError, vouchClient } from '../../../src/lab/sim/ethereum.js';
import { listenAll } from '../../../src/lab/sim/net.js';
import { issueCertificate, labCertificateAuthority, type PemPair } from '../../../src/lab/certs.js';

test(`ethereum: the simulated Dirk's protection file (EIP-3076 minimal form) still refuses a double vote, a surround and going back`, () => {
  const GVR = `0x${'00'.repeat(32)}`;
  const PK = `0x${'ab'.repeat(48)}`;
  /** What the Dirk does at every slot: import its file, sign, write the minimal form back. */
  const reload = (db: SlashingProtection) => {
    const next = new SlashingProtection(GVR);
    next.import(JSON.parse(JSON.stringify(db.export('minimal'))));
    return next;
  };
  let db = new SlashingProtection(GVR);
  for (let t = 1n; t <= 5n; t++) {
    assert.equal(db.signAttestation(PK, t - 1n, t).ok, true);
    db = reload(db);
  }
  assert.equal(db.export('minimal').data[0]!.signed_attestations.length, 1, 'one record, however many slots');
  assert.equal(db.checkAttestation(PK, 5n, 6n).ok, true);
  const refusal = (s: bigint, t: bigint) => {
    const v = db.checkAttestation(PK, s, t);
    return v.ok ? '' : v.why;
  };
  assert.match(refusal(4n, 5n), /target epoch 5/);
  assert.match(refusal(3n, 6n), /surrounds/);
  assert.match(refusal(7n, 6n), /after target/);
  assert.match(refusal(2n, 3n), /below the lowest signed source 4/);
});

test('ethereum: signer access moved in under a running Vouch is taken as a start: nothing signed, the chain met again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
  try {
    const accessKey = join(dir, 'client.key');
    const accessCert = join(dir, 'client.crt');
    const events: string[] = [];
    const vouch = vouchClient({
      lab: { identities: [], blockTimeMs: 200 },
      host: { name: 'vc' },
      config: { accessKey, accessCert, accounts: [], signers: [] },
      peersUp: () => 1,
      submit: () => events.push('submitted'),
      log: () => undefined,
      signer: 'vc#1',
      rejoin: () => events.push('rejoin'),
    } as unknown as SimContext);
    assert.deepEqual(await vouch.onHeight({ height: 5, round: 0, replay: false }), { signing: false });
    writeFileSync(accessKey, 'key');
    assert.equal(
      (await vouch.onHeight({ height: 6, round: 0, replay: false })).signing,
      false,
      'a key without its certificate is no access',
    );
    writeFileSync(accessCert, 'cert');
    const loaded = await vouch.onHeight({ height: 6, round: 0, replay: false });
    assert.match(loaded.note ?? '', /loaded as at a start/);
    assert.deepEqual(events, ['rejoin']);
    assert.equal((await vouch.onHeight({ height: 6, round: 0, replay: true })).signing, true);
    assert.deepEqual(events, ['rejoin'], 'met once; after that it asks its signers as usual');
    vouch.stop?.();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** One Dirk on loopback with a share of `account`, and a Vouch asking it for slots. */
async function tlsPair(dir: string, access: PemPair, serverCa: PemPair, permitted: string) {
  const own = issueCertificate(serverCa, 'signer-1', ['127.0.0.1']);
  const files = {
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    caCert: join(dir, 'ca.crt'),
    accessCert: join(dir, 'client.crt'),
    accessKey: join(dir, 'client.key'),
  };
  writeFileSync(files.serverCert, own.cert);
  writeFileSync(files.serverKey, own.key);
  writeFileSync(files.caCert, serverCa.cert);
  writeFileSync(files.accessCert, access.cert);
  writeFileSync(files.accessKey, access.key);
  mkdirSync(join(dir, 'wallets'));
  mkdirSync(join(dir, 'protection'));
  writeFileSync(join(dir, 'wallets', 'val.share'), JSON.stringify({ pubkey: `0x${'ab'.repeat(48)}` }));
  const logs: string[] = [];
  const base = {
    lab: { identities: [{ name: 'val', threshold: 1 }], blockTimeMs: 200 },
    peersUp: () => 1,
    log: (m: string) => logs.push(m),
    rejoin: () => {},
  };
  const listen = { host: '127.0.0.1', port: 0 };
  const dirk = dirkSigner({
    ...base,
    host: { name: 'signer-1' },
    config: {
      ...files,
      listen: [listen],
      protectionDir: join(dir, 'protection'),
      walletsDir: join(dir, 'wallets'),
      permissions: { [permitted]: ['val'] },
    },
    submit: () => {},
    signer: 'signer-1#1',
  } as unknown as SimContext);
  const [server] = await listenAll([listen], (e, socket) => dirk.onConnection?.(e, socket));
  const port = (server!.address() as { port: number }).port;
  listen.port = port; // the Dirk answers on the endpoint its config names
  const signed: number[] = [];
  const vouch = vouchClient({
    ...base,
    host: { name: 'vc-1' },
    config: { ...files, accounts: ['val'], signers: [{ host: '127.0.0.1', port }] },
    submit: (s: { height: number }) => signed.push(s.height),
    signer: 'vc-1#1',
  } as unknown as SimContext);
  const stop = () => {
    vouch.stop?.();
    server!.close();
  };
  return { vouch, signed, logs, stop };
}

/** Offers slots until one is signed or the tries run out; the last outcome's note. */
async function attest(vouch: Behaviour, signed: number[]): Promise<string> {
  let note = '';
  for (let slot = 1; slot <= 12 && signed.length === 0; slot++) {
    note = (await vouch.onHeight({ height: slot, round: 0, replay: false })).note ?? '';
    await new Promise((r) => setTimeout(r, 100));
  }
  return note;
}

test('ethereum: the simulated Dirk speaks mutual TLS as dirk does: a permitted certificate of its CA signs; another CA, or a name without permission, is refused', async () => {
  const ca = labCertificateAuthority('test signers CA');
  const cases: { what: string; access: PemPair; permitted: string; signs: boolean; why?: RegExp }[] = [
    { what: 'permitted', access: issueCertificate(ca, 'vc-1'), permitted: 'vc-1', signs: true },
    {
      what: 'a stranger CA',
      access: issueCertificate(labCertificateAuthority('a stranger CA'), 'vc-1'),
      permitted: 'vc-1',
      signs: false,
      why: /TLS handshake refused/,
    },
    {
      what: 'no permission',
      access: issueCertificate(ca, 'vc-9'),
      permitted: 'vc-1',
      signs: false,
      why: /vc-9 may not sign for val/,
    },
  ];
  for (const c of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-tls-'));
    const pair = await tlsPair(dir, c.access, ca, c.permitted);
    try {
      const note = await attest(pair.vouch, pair.signed);
      assert.equal(pair.signed.length > 0, c.signs, `${c.what}: ${note} ${pair.logs.join('; ')}`);
      if (c.why) assert.match(`${note} ${pair.logs.join('; ')}`, c.why, c.what);
    } finally {
      pair.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("ethereum: dirk will not start without its certificate, key or CA, in dirk's words", () => {
  const dir = mkdtempSync(join(tmpdir(), 'stake-sim-tls-'));
  try {
    const own = issueCertificate(labCertificateAuthority('ca'), 'signer-1');
    const files = {
      serverCert: join(dir, 'server.crt'),
      serverKey: join(dir, 'server.key'),
      caCert: join(dir, 'ca.crt'),
    };
    assert.equal(dirkStartError(files), `failed to obtain server certificate from file://${files.serverCert}`);
    writeFileSync(files.serverCert, own.cert);
    assert.equal(dirkStartError(files), `failed to obtain server key from file://${files.serverKey}`);
    writeFileSync(files.serverKey, issueCertificate(labCertificateAuthority('ca'), 'other').key);
    assert.equal(dirkStartError(files), `failed to obtain CA certificate from file://${files.caCert}`);
    writeFileSync(files.caCert, 'not a certificate');
    assert.match(dirkStartError(files) ?? '', /^failed to load server keypair/, "a key that is not the certificate's");
    writeFileSync(files.serverKey, own.key);
    assert.equal(dirkStartError(files), 'could not add CA certificate to pool');
    writeFileSync(files.caCert, own.cert);
    assert.equal(dirkStartError(files), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
