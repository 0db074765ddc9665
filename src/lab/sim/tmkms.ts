/**
 * A simulated tmkms v0.15.0 for lab hosts, as strict as the real one (docs/reference/tmkms.md):
 * its config checked as `tmkms start` checks it (src/reference/tmkms-config.ts), refused with its
 * words and exit status 1; the state file read at start, and created at height 0 when missing, as
 * tmkms does (so a tmkms restarted without it signs anything: what stake must never let happen);
 * the consensus key loaded from its softsign path; each validator dialed and redialed every
 * second; each request judged by tmkms's own rules (src/chain/remote-signer-state.ts), the new
 * watermark written before the signature is sent. The I/O is passed in: tests drive it on
 * loopback with real files.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import type { Socket } from 'node:net';
import { parseTmkmsState, serializeTmkmsState, tmkmsCheck, type TmkmsState } from '../../chain/remote-signer-state.js';
import { checkTmkmsConfig } from '../../reference/tmkms-config.js';
import { privValidatorAddress } from './cometbft.js';
import { asRequest, onPrivvalLines, sendPrivval, type PrivvalReply } from './privval.js';

/** How long tmkms waits before it redials a validator (src/client.rs RESPAWN_DELAY). */
export const TMKMS_RESPAWN_MS = 1000;

export interface TmkmsIo {
  read(path: string): string | undefined;
  /** Atomic and durable: tmkms writes its state through a temp file and a rename. */
  write(path: string, text: string): void;
  dial(host: string, port: number): Socket;
  /** Whether a folder exists: tmkms writes its state through a temp in the state's folder, and makes none. */
  dirExists(path: string): boolean;
  log(line: string): void;
}

export type TmkmsStart =
  { refused: { exitCode: number; message: string } } | { stop(): void; state(chainId: string): TmkmsState | undefined };

const FRESH = '{"height":"0","round":"0","step":0,"block_id":{"hash":"","parts":{"total":0,"hash":""}}}';
const STEP_NAMES = ['', 'Proposal', 'Prevote', 'Precommit'];

export function startTmkms(configText: string, io: TmkmsIo): TmkmsStart {
  const verdict = checkTmkmsConfig(configText);
  if (verdict.refusal) return { refused: { exitCode: 1, message: verdict.refusal } };
  const loading = (why: string) => ({
    refused: { exitCode: 1, message: `error: error loading configuration: ${why}` },
  });

  // the chains' watermarks: created at height 0 when the file is missing (src/chain/state.rs)
  const states = new Map<string, { file: string; state: TmkmsState }>();
  for (const chain of verdict.chains) {
    const file = chain.stateFile ?? `${chain.id}_priv_validator_state.json`;
    let text = io.read(file);
    if (text === undefined) {
      // NamedTempFile::new_in(dir) (src/chain/state.rs): no folder, no state, no start
      if (!io.dirExists(dirname(file)))
        return loading(
          `error syncing state to disk: error writing state to ${file}: No such file or directory (os error 2)`,
        );
      io.write(file, `${FRESH}\n`);
      text = FRESH;
    }
    try {
      states.set(chain.id, { file, state: parseTmkmsState(text, file) });
    } catch (err) {
      return loading(`parse error: error parsing ${file}: ${(err as Error).message}`);
    }
  }
  // the consensus keys (softsign key_format "json": CometBFT's priv_validator_key.json)
  const keys = new Map<string, string>();
  for (const s of verdict.softsign) {
    const text = io.read(s.path);
    const derived =
      text === undefined ? { error: 'No such file or directory (os error 2)' } : privValidatorAddress(text);
    if (derived.error !== undefined || s.keyFormat !== 'json')
      return loading(`config error: couldn't load \`${s.path}\`: ${derived.error ?? 'the lab reads json keys only'}`);
    for (const id of s.chainIds) keys.set(id, derived.address);
  }
  io.log('tmkms 0.15.0 starting up...');

  let stopped = false;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  for (const v of verdict.validators) {
    const name = `[${v.chainId}@${v.addr}]`;
    const m = /^(?:tcp:\/\/)?(?:[0-9A-Fa-f]{40}@)?([^:]+):(\d+)$/.exec(v.addr);
    if (!m) continue; // unix sockets: the lab's validators listen on TCP
    const again = () => {
      if (stopped || !v.reconnect) return;
      const t = setTimeout(() => {
        timers.delete(t);
        dial();
      }, TMKMS_RESPAWN_MS);
      timers.add(t);
    };
    const dial = () => {
      const socket = io.dial(m[1]!, Number(m[2]));
      sockets.add(socket);
      socket.on('connect', () => {
        io.log(`${name} connected to validator successfully`);
        if (!/@/.test(v.addr)) io.log(`${name}: unverified validator peer ID! (lab)`);
      });
      socket.on('error', (err) => io.log(`${name} I/O error: ${err.message}`));
      socket.on('close', () => {
        sockets.delete(socket);
        again();
      });
      const reply = (r: PrivvalReply) => sendPrivval(socket, r);
      onPrivvalLines(socket, (raw) => {
        const request = asRequest(raw);
        if (!request) {
          io.log(`${name} protocol error: invalid RPC message`);
          socket.destroy();
          return;
        }
        if (request.type === 'ping') return reply({ type: 'pong' });
        if (request.chainId !== v.chainId) {
          io.log(`${name} chain ID error: got unexpected chain ID: ${request.chainId} (expecting: ${v.chainId})`);
          socket.destroy();
          return;
        }
        const address = keys.get(v.chainId);
        if (!address) {
          io.log(`${name} signing operation failed: no consensus key for ${v.chainId}`);
          socket.destroy();
          return;
        }
        if (request.type === 'pubkey') return reply({ type: 'pubkey', address });
        const held = states.get(v.chainId)!;
        const asked = {
          height: BigInt(request.height),
          round: request.round,
          step: request.step,
          ...(request.block ? { blockId: request.block } : {}),
        };
        const judged = tmkmsCheck(held.state, asked);
        if (!judged.ok) {
          if (judged.endsSession) {
            io.log(`${name} ${judged.why}`);
            socket.destroy();
            return;
          }
          io.log(
            `${name} attempted double sign ${STEP_NAMES[request.step]} at h/r/s: ${request.height}/${request.round}/${request.step - 1} (${(held.state.blockId ?? '<nil>').slice(0, 10)} != ${(request.block ?? '<nil>').slice(0, 10)})`,
          );
          return reply({
            type: 'refused',
            code: 2,
            description: `double signing requested at height: ${request.height}`,
          });
        }
        // the new watermark is on disk before the signature leaves (src/session.rs)
        held.state = asked;
        io.write(held.file, serializeTmkmsState(asked));
        const signature = createHash('sha256')
          .update(`${address}/${v.chainId}/${request.height}/${request.round}/${request.step}/${request.block ?? ''}`)
          .digest('base64');
        io.log(
          `${name} signed ${STEP_NAMES[request.step]}:${(request.block ?? '<nil>').slice(0, 10)} at h/r/s ${request.height}/${request.round}/${request.step - 1} (0 ms)`,
        );
        reply({
          type: 'signed',
          height: request.height,
          round: request.round,
          step: request.step,
          block: request.block,
          signature,
        });
      });
    };
    dial();
  }
  return {
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
    },
    state: (chainId) => states.get(chainId)?.state,
  };
}
