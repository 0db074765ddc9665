/**
 * Simulated Vouch and Dirk. Vouch (with its client certificate in place: its access to the
 * signers) asks every Dirk of the group to sign each slot's attestation, over the network, and
 * publishes it when the threshold agreed. Each Dirk checks the requester's permission and its own
 * slashing protection (EIP-3076 minimal form: the highest source and target epochs it signed) and
 * writes the new protection durably before answering. A lab slot stands for an epoch: one
 * attestation per slot, source = slot - 1, target = slot.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { onLines } from '../chain/protocol.js';
import type { Behaviour, SimContext } from './context.js';
import { readIfExists, writeDurably } from './files.js';
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

/** An EIP-3076 interchange file holding one key's latest attestation (the minimal form). */
interface Interchange {
  metadata: { interchange_format_version: '5'; genesis_validators_root: string };
  data: { pubkey: string; signed_blocks: unknown[]; signed_attestations: { source_epoch: string; target_epoch: string }[] }[];
}

const LAB_GENESIS_ROOT = `0x${'00'.repeat(32)}`;

/** Whether an attestation may be signed over the latest one signed (EIP-3076: no double vote, no surround, no going back). */
export function attestationAllowed(last: { source: number; target: number } | undefined, source: number, target: number): string | undefined {
  if (source > target) return `source ${source} is after target ${target}`;
  if (!last) return undefined;
  if (target <= last.target) return `target ${target} is not above the last signed target ${last.target}`;
  if (source < last.source) return `source ${source} is below the last signed source ${last.source}`;
  return undefined;
}

export function dirkSigner(ctx: SimContext): Behaviour {
  const { protectionDir, walletsDir, permissions = {} } = ctx.config;
  const server = ctx.config.listen[0];
  const answer = (req: SignRequest): SignAnswer => {
    if (!(permissions[req.requester] ?? []).includes(req.account)) return { id: req.id, ok: false, why: `${req.requester} may not sign for ${req.account}` };
    const share = walletsDir ? readIfExists(join(walletsDir, `${req.account}.share`)) : undefined;
    if (!share || !protectionDir) return { id: req.id, ok: false, why: `no key share for ${req.account}` };
    const file = join(protectionDir, `${req.account}.json`);
    const text = readIfExists(file);
    const held = text ? (JSON.parse(text) as Interchange).data[0]?.signed_attestations[0] : undefined;
    const last = held ? { source: Number(held.source_epoch), target: Number(held.target_epoch) } : undefined;
    const refusal = attestationAllowed(last, req.source, req.target);
    if (refusal) {
      ctx.log(`refused ${req.requester}'s attestation for slot ${req.slot}: ${refusal}`);
      return { id: req.id, ok: false, why: refusal };
    }
    const pubkey = (JSON.parse(share) as { pubkey: string }).pubkey;
    const next: Interchange = {
      metadata: { interchange_format_version: '5', genesis_validators_root: LAB_GENESIS_ROOT },
      data: [{ pubkey, signed_blocks: [], signed_attestations: [{ source_epoch: String(req.source), target_epoch: String(req.target) }] }],
    };
    writeDurably(file, `${JSON.stringify(next, null, 2)}\n`);
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

export function vouchClient(ctx: SimContext): Behaviour {
  const { accessKey, accounts = [], signers: endpoints = [] } = ctx.config;
  const waiting = new Map<string, (a: SignAnswer) => void>();
  const signers = endpoints.map((e) => new Peer(e, (socket: Socket) => onLines<SignAnswer>(socket, (a) => waiting.get(a.id)?.(a))));
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
  return {
    async onHeight(slot) {
      if (!accessKey || readIfExists(accessKey) === undefined) return { signing: false };
      if (ctx.peersUp() === 0) return { signing: true, note: 'no beacon node reachable' };
      for (const account of accounts) {
        const identity = ctx.lab.identities.find((i) => i.name === account);
        const threshold = identity?.threshold ?? Math.floor(signers.length / 2) + 1;
        const req: SignRequest = { type: 'sign', id: randomUUID(), account, slot, source: slot - 1, target: slot, requester: ctx.host.name };
        const answers = await Promise.all(signers.map((p) => ask(p, req, Math.min(1000, ctx.lab.blockTimeMs))));
        const agreed = answers.filter((a) => a.ok).length;
        if (agreed >= threshold) ctx.submit({ identity: account, height: slot, host: ctx.host.name, signer: ctx.signer, kind: 'attestation' });
        else return { signing: true, note: `${agreed} of ${threshold} signers agreed for slot ${slot}${answers.find((a) => a.why)?.why ? ` (${answers.find((a) => a.why)!.why})` : ''}` };
      }
      return { signing: true };
    },
    stop: () => signers.forEach((s) => s.stop()),
  };
}
