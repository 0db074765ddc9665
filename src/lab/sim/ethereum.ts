/**
 * Simulated Vouch and Dirk. Vouch (with its client certificate in place: its access to the
 * signers) asks every Dirk of the group to sign each slot's attestation, over the network, and
 * publishes it when the threshold agreed; an old slot's duty offered again is asked for again, as
 * a beacon node can hand one out, and only Dirk's protection stands between it and a second
 * attestation. Each Dirk speaks mutual TLS 1.3 as the real one does: it reads its certificate,
 * key and CA at start (no start without them), refuses a client whose certificate its CA did not
 * sign, and takes the requester's name from the certificate's common name. It checks that name's
 * permission and its own
 * slashing protection (stake's EIP-3076 module over an interchange file in its storage path, kept
 * in the minimal form) and writes the new protection durably before answering. A lab slot stands for an epoch: one
 * attestation per slot, source = slot - 1, target = slot.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, createSecureContext, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { SlashingProtection } from '../../chain/eip3076.js';
import { onLines } from '../chain/protocol.js';
import type { Behaviour, SimContext } from './context.js';
import type { SimConfig } from './config.js';
import { readIfExists, writeDurably } from '../../files.js';
import { Peer } from './net.js';

interface SignRequest {
  type: 'sign';
  id: string;
  account: string;
  slot: number;
  source: number;
  target: number;
}

interface SignAnswer {
  id: string;
  ok: boolean;
  why?: string;
}

const LAB_GENESIS_ROOT = `0x${'00'.repeat(32)}`;

/** Whether one of dirk's passphrase sources opens a share locked by this hash: a file:// URL is read byte for byte (majordomo), anything else is the passphrase itself. */
function unlockedBy(sources: readonly string[], locked: string): boolean {
  return sources.some((source) => {
    const passphrase = source.startsWith('file://') ? readIfExists(source.slice('file://'.length)) : source;
    return passphrase !== undefined && createHash('sha256').update(passphrase).digest('hex') === locked;
  });
}

/** A majordomo file:// source as dirk and vouch name it in their errors. */
const source = (path: string) => `file://${path}`;

/**
 * What dirk says when it will not start (dirk 1.2.0 main.go startServices: each certificate
 * fetched through majordomo; services/api/grpc/service.go createServer: the pair loaded, the CA
 * added to the pool). Undefined when it starts.
 */
export function dirkStartError(config: Pick<SimConfig, 'serverCert' | 'serverKey' | 'caCert'>): string | undefined {
  const read = (path: string | undefined) => (path ? readIfExists(path) : undefined);
  const cert = read(config.serverCert);
  if (cert === undefined) return `failed to obtain server certificate from ${source(config.serverCert ?? '')}`;
  const key = read(config.serverKey);
  if (key === undefined) return `failed to obtain server key from ${source(config.serverKey ?? '')}`;
  const ca = config.caCert ? read(config.caCert) : '';
  if (ca === undefined) return `failed to obtain CA certificate from ${source(config.caCert!)}`;
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    return `failed to load server keypair: ${(err as Error).message}`;
  }
  if (ca && !/-----BEGIN CERTIFICATE-----/.test(ca)) return 'could not add CA certificate to pool';
  return undefined;
}

/** The common name of a TLS peer's certificate: dirk's client name. */
function clientNameOf(socket: TLSSocket): string | undefined {
  const cn = socket.getPeerCertificate()?.subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

export function dirkSigner(ctx: SimContext): Behaviour {
  const { protectionDir, walletsDir, permissions = {}, passphrases = [] } = ctx.config;
  const server = ctx.config.listen[0];
  // read once, at start (main refused the start without them): TLS 1.3, a client certificate
  // required and checked against the CA (RequireAndVerifyClientCert)
  const read = (path: string | undefined) => (path ? (readIfExists(path) ?? '') : '');
  const ca = read(ctx.config.caCert);
  const tls = createTlsServer({
    cert: read(ctx.config.serverCert),
    key: read(ctx.config.serverKey),
    ...(ca ? { ca } : {}),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
  });
  tls.on('tlsClientError', (err) => ctx.log(`TLS handshake refused: ${err.message}`));
  tls.on('secureConnection', (socket) => {
    socket.on('error', () => socket.destroy());
    const requester = clientNameOf(socket);
    onLines<SignRequest>(socket, (req) => {
      if (req.type === 'sign') socket.write(`${JSON.stringify(answer(req, requester))}\n`);
    });
  });
  const answer = (req: SignRequest, requester: string | undefined): SignAnswer => {
    if (!requester || !(permissions[requester] ?? []).includes(req.account))
      return {
        id: req.id,
        ok: false,
        why: `${requester ?? 'a client without a name'} may not sign for ${req.account}`,
      };
    const share = walletsDir ? readIfExists(join(walletsDir, `${req.account}.share`)) : undefined;
    if (!share || !protectionDir) return { id: req.id, ok: false, why: `no key share for ${req.account}` };
    const file = join(protectionDir, `${req.account}.json`);
    const text = readIfExists(file);
    const { pubkey, locked } = JSON.parse(share) as { pubkey: string; locked?: string };
    // as dirk's unlocker: every configured passphrase tried at each request; none opens the share,
    // the account stays locked and the request is denied (dirk 1.2.0 services/unlocker/local)
    if (locked && !unlockedBy(passphrases, locked)) {
      ctx.log('Account is locked; signing request denied');
      return { id: req.id, ok: false, why: `${req.account} is locked: no account passphrase opens it` };
    }
    const protection = new SlashingProtection(LAB_GENESIS_ROOT);
    if (text) protection.import(JSON.parse(text));
    const verdict = protection.signAttestation(pubkey, BigInt(req.source), BigInt(req.target));
    if (!verdict.ok) {
      ctx.log(`refused ${requester}'s attestation for slot ${req.slot}: ${verdict.why}`);
      return { id: req.id, ok: false, why: verdict.why };
    }
    // The minimal form: one record per key, rewritten at every slot, keeps the file small.
    writeDurably(file, `${JSON.stringify(protection.export('minimal'), null, 2)}\n`);
    return { id: req.id, ok: true };
  };
  return {
    onHeight: () => ({ signing: false }),
    onConnection(endpoint, socket) {
      if (!server || endpoint.port !== server.port || endpoint.host !== server.host) return;
      tls.emit('connection', socket);
    },
  };
}

/** How long a duty offered again waits for the signers' connections. */
const REPLAY_SIGNER_WAIT_MS = 3000;

/** Vouch's access to its signers as files: its client certificate and key, and the CA it checks the signers against. */
function accessOf(config: SimConfig): { text: string; tls: ConnectionOptions } | undefined {
  const key = config.accessKey ? readIfExists(config.accessKey) : undefined;
  const cert = config.accessCert ? readIfExists(config.accessCert) : undefined;
  if (key === undefined || cert === undefined) return undefined;
  const ca = config.caCert ? readIfExists(config.caCert) : undefined;
  // as vouch's dirk account manager: TLS 1.3, the signers' certificates checked against ca-cert,
  // and each signer's certificate must name the host it is dialled at (gRPC's authority)
  return { text: `${cert}\n${key}`, tls: { cert, key, ...(ca ? { ca } : {}), minVersion: 'TLSv1.3' } };
}

export function vouchClient(ctx: SimContext): Behaviour {
  const { accounts = [], signers: endpoints = [] } = ctx.config;
  const waiting = new Map<string, (a: SignAnswer) => void>();
  let signers: Peer[] = [];
  const connect = (tls: ConnectionOptions) => {
    for (const p of signers) p.stop();
    signers = endpoints.map(
      (e) => new Peer(e, (socket: Socket) => onLines<SignAnswer>(socket, (a) => waiting.get(a.id)?.(a)), tls),
    );
  };
  const ask = (peer: Peer, req: SignRequest, timeoutMs: number) =>
    new Promise<SignAnswer>((resolve) => {
      if (!peer.connected || !peer.socket) return resolve({ id: req.id, ok: false, why: 'not connected' });
      const id = `${req.id}-${peer.endpoint.host}`;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve({ id, ok: false, why: 'no answer' });
      }, timeoutMs);
      waiting.set(id, (a) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(a);
      });
      peer.socket.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  // the access (client certificate and key) as loaded at start: Vouch reads it only then
  const atStart = accessOf(ctx.config);
  let loaded = atStart?.text;
  if (atStart) connect(atStart.tls);
  return {
    async onHeight({ height: slot, replay }) {
      const access = accessOf(ctx.config);
      if (access === undefined) {
        loaded = undefined;
        return { signing: false };
      }
      if (access.text !== loaded) {
        // access moved in under the running client: taken as its next start, which meets the
        // chain again (and is handed the recent duties again), as the lab's CometBFT does
        loaded = access.text;
        connect(access.tls);
        ctx.rejoin();
        return { signing: true, note: 'signer access appeared: loaded as at a start, meeting the chain again' };
      }
      if (ctx.peersUp() === 0) return { signing: true, note: 'no beacon node reachable' };
      // the duties offered again when the client (re)connects come before its Dirk connections are
      // up: it waits a moment for them rather than drop the duty (a loaded host dials slowly)
      if (replay) {
        const until = Date.now() + REPLAY_SIGNER_WAIT_MS;
        const needed = Math.max(
          ...accounts.map(
            (a) => ctx.lab.identities.find((i) => i.name === a)?.threshold ?? Math.floor(signers.length / 2) + 1,
          ),
        );
        while (signers.filter((p) => p.connected).length < needed && Date.now() < until)
          await new Promise((r) => setTimeout(r, 50));
      }
      for (const account of accounts) {
        const identity = ctx.lab.identities.find((i) => i.name === account);
        const threshold = identity?.threshold ?? Math.floor(signers.length / 2) + 1;
        const req: SignRequest = {
          type: 'sign',
          id: randomUUID(),
          account,
          slot,
          source: slot - 1,
          target: slot,
        };
        const answers = await Promise.all(signers.map((p) => ask(p, req, Math.min(1000, ctx.lab.blockTimeMs))));
        const agreed = answers.filter((a) => a.ok).length;
        if (agreed >= threshold)
          ctx.submit({ identity: account, height: slot, host: ctx.host.name, signer: ctx.signer, kind: 'attestation' });
        else {
          const refused = signers.find((p) => !p.connected && p.lastError)?.lastError;
          const why = answers.find((a) => a.why && a.why !== 'not connected')?.why ?? refused ?? answers[0]?.why;
          return {
            signing: true,
            note: `${agreed} of ${threshold} signers agreed for slot ${slot}${why ? ` (${why})` : ''}`,
          };
        }
      }
      return { signing: true };
    },
    stop: () => signers.forEach((p) => p.stop()),
  };
}
