/**
 * Simulated Vouch and Dirk. Vouch (with its client certificate in place: its access to the
 * signers) asks every Dirk of the group to sign each slot's attestation, over the network, and
 * publishes it when the threshold agreed; an old slot's duty offered again is asked for again, as
 * a beacon node can hand one out, and only Dirk's protection stands between it and a second
 * attestation. Each Dirk checks the requester's permission and its own
 * slashing protection (stake's EIP-3076 module over an interchange file in its storage path, kept
 * in the minimal form) and writes the new protection durably before answering. A lab slot stands for an epoch: one
 * attestation per slot, source = slot - 1, target = slot.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { SlashingProtection } from '../../chain/eip3076.js';
import { onLines } from '../chain/protocol.js';
import type { Behaviour, SimContext } from './context.js';
import { readIfExists, writeDurably } from '../../files.js';
import { Peer } from './net.js';

interface SignRequest {
  type: 'sign';
  id: string;
  account: string;
  slot: number;
  source: number;
  target: number;
  requester: string;
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

export function dirkSigner(ctx: SimContext): Behaviour {
  const { protectionDir, walletsDir, permissions = {}, passphrases = [] } = ctx.config;
  const server = ctx.config.listen[0];
  const answer = (req: SignRequest): SignAnswer => {
    if (!(permissions[req.requester] ?? []).includes(req.account))
      return { id: req.id, ok: false, why: `${req.requester} may not sign for ${req.account}` };
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
      ctx.log(`refused ${req.requester}'s attestation for slot ${req.slot}: ${verdict.why}`);
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
      onLines<SignRequest>(socket, (req) => {
        if (req.type === 'sign') socket.write(`${JSON.stringify(answer(req))}\n`);
      });
    },
  };
}

/** How long a duty offered again waits for the signers' connections. */
const REPLAY_SIGNER_WAIT_MS = 3000;

export function vouchClient(ctx: SimContext): Behaviour {
  const { accessKey, accounts = [], signers: endpoints = [] } = ctx.config;
  const waiting = new Map<string, (a: SignAnswer) => void>();
  const signers = endpoints.map(
    (e) => new Peer(e, (socket: Socket) => onLines<SignAnswer>(socket, (a) => waiting.get(a.id)?.(a))),
  );
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
  let loaded = accessKey ? readIfExists(accessKey) : undefined;
  return {
    async onHeight({ height: slot, replay }) {
      const access = accessKey ? readIfExists(accessKey) : undefined;
      if (access === undefined) {
        loaded = undefined;
        return { signing: false };
      }
      if (access !== loaded) {
        // access moved in under the running client: taken as its next start, which meets the
        // chain again (and is handed the recent duties again), as the lab's CometBFT does
        loaded = access;
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
          requester: ctx.host.name,
        };
        const answers = await Promise.all(signers.map((p) => ask(p, req, Math.min(1000, ctx.lab.blockTimeMs))));
        const agreed = answers.filter((a) => a.ok).length;
        if (agreed >= threshold)
          ctx.submit({ identity: account, height: slot, host: ctx.host.name, signer: ctx.signer, kind: 'attestation' });
        else {
          const why = answers.find((a) => a.why)?.why;
          return {
            signing: true,
            note: `${agreed} of ${threshold} signers agreed for slot ${slot}${why ? ` (${why})` : ''}`,
          };
        }
      }
      return { signing: true };
    },
    stop: () => signers.forEach((s) => s.stop()),
  };
}
