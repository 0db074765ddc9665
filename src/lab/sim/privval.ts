/**
 * The lab's privval link between a validator and its remote signer. The real one is CometBFT's
 * protobuf privval messages inside a secret connection; the lab's stands in with one JSON object
 * per line, as its chain does, and keeps what decides safety: the validator listens
 * (priv_validator_laddr), the signer dials and redials, and each request is answered by one
 * reply, a signature or a refusal with the signer's own words (privval's RemoteSignerError:
 * code and description). Lines are bounded: a peer that sends more is hung up on.
 */
import type { Socket } from 'node:net';

/** A request from the validator, as CometBFT sends them (SignVote, SignProposal, PubKey, Ping). */
export type PrivvalRequest =
  | { type: 'pubkey'; chainId: string }
  | { type: 'ping' }
  | {
      type: 'sign';
      chainId: string;
      /** int64 as a decimal string. */
      height: string;
      round: number;
      /** CometBFT's numbering: 1 proposal, 2 prevote, 3 precommit. */
      step: number;
      /** The block's hash (hex), or null for a nil vote. */
      block: string | null;
    };

export type PrivvalReply =
  | { type: 'pubkey'; address: string }
  | { type: 'pong' }
  | { type: 'signed'; height: string; round: number; step: number; block: string | null; signature: string }
  | { type: 'refused'; code: number; description: string };

/** Longer lines are no privval message of the lab's: the peer is hung up on. */
export const MAX_PRIVVAL_LINE = 4096;

export function sendPrivval(socket: Socket, message: PrivvalRequest | PrivvalReply): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

/** Calls `on` with each line's object; a line over the bound or not JSON ends the connection. */
export function onPrivvalLines(socket: Socket, on: (message: Record<string, unknown>) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        socket.destroy();
        return;
      }
      if (typeof message === 'object' && message !== null && !Array.isArray(message))
        on(message as Record<string, unknown>);
      else socket.destroy();
    }
    if (buffer.length > MAX_PRIVVAL_LINE) socket.destroy();
  });
}

/** A request as the signer reads it: anything of another shape is undefined (a protocol error). */
export function asRequest(m: Record<string, unknown>): PrivvalRequest | undefined {
  if (m.type === 'ping') return { type: 'ping' };
  if (m.type === 'pubkey' && typeof m.chainId === 'string') return { type: 'pubkey', chainId: m.chainId };
  if (
    m.type === 'sign' &&
    typeof m.chainId === 'string' &&
    typeof m.height === 'string' &&
    /^(0|[1-9][0-9]{0,18})$/.test(m.height) &&
    Number.isInteger(m.round) &&
    (m.round as number) >= 0 &&
    [1, 2, 3].includes(m.step as number) &&
    (m.block === null || (typeof m.block === 'string' && /^[0-9A-F]{1,64}$/.test(m.block)))
  )
    return {
      type: 'sign',
      chainId: m.chainId,
      height: m.height,
      round: m.round as number,
      step: m.step as number,
      block: m.block as string | null,
    };
  return undefined;
}
