/**
 * A simulated cardano-node: a relay only peers; a block producer (KES key and operational
 * certificate at its configured paths) forges a block in each slot its pool leads, reporting
 * its operational certificate's issue counter with the block.
 */
import { parseOpcert } from '../../chain/cardano-opcert.js';
import { isSlotLeader } from '../chain/leadership.js';
import type { Behaviour, SimContext } from './context.js';
import { readIfExists } from '../../files.js';

/** The certificate's issue counter, read from its CBOR as cardano-node would; undefined when it is not a certificate. */
export const opcertCounter = (text: string): number | undefined => {
  try {
    return parseOpcert(text).counter;
  } catch {
    return undefined;
  }
};

export function cardanoNode(ctx: SimContext): Behaviour {
  const { kesKey, opcert } = ctx.config;
  const pool = ctx.lab.identities.find((i) => i.members.includes(ctx.host.name));
  return {
    onHeight(slot) {
      if (!kesKey || !opcert || !pool) return { signing: false };
      const cert = readIfExists(opcert);
      if (readIfExists(kesKey) === undefined || cert === undefined) return { signing: false };
      if (!isSlotLeader(pool.name, slot)) return { signing: true };
      if (ctx.peersUp() === 0) return { signing: true, note: 'no relay connected: a forged block would reach nobody' };
      const counter = opcertCounter(cert);
      ctx.submit({
        identity: pool.name,
        height: slot,
        host: ctx.host.name,
        signer: ctx.signer,
        kind: 'block',
        ...(counter !== undefined ? { counter } : {}),
      });
      return { signing: true };
    },
  };
}
