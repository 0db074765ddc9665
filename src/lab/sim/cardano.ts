/**
 * A simulated cardano-node: a relay only peers; a block producer (KES key and operational
 * certificate at its configured paths) forges a block in each slot its pool leads, reporting
 * its operational certificate's issue counter with the block.
 *
 * It forges only in the slot the chain has reached: a slot offered again is in the past by the
 * slot clock, and cardano-node never forges a past slot. A producer that restarts within a slot
 * meets that slot again (the chain offers it to every client that connects); it remembers the
 * last slot it forged in its database folder, written before the block leaves, and does not
 * forge it twice. A producer with a fresh database (a failover target) has no such memory: the
 * fence is what keeps two producers apart, and the ledger counts two blocks in one slot as a
 * double sign.
 */
import { parseOpcert } from '../../chain/cardano-opcert.js';
import { isSlotLeader } from '../chain/leadership.js';
import type { Behaviour, SimContext } from './context.js';
import { join } from 'node:path';
import { readIfExists, writeDurably } from '../../files.js';

/** Where the lab's producer keeps the last slot it forged, inside its --database-path. */
export const FORGED_SLOT_FILE = 'lab-last-forged-slot';

/** The certificate's issue counter, read from its CBOR as cardano-node would; undefined when it is not a certificate. */
export const opcertCounter = (text: string): number | undefined => {
  try {
    return parseOpcert(text).counter;
  } catch {
    return undefined;
  }
};

/** The lab pool whose cold key signed this certificate. */
function poolOf(ctx: SimContext, cert: string) {
  let cold: string;
  try {
    cold = parseOpcert(cert).coldVkey;
  } catch {
    return undefined;
  }
  return ctx.lab.identities.find((i) => i.coldVerificationKey === cold);
}

export function cardanoNode(ctx: SimContext): Behaviour {
  const { kesKey, opcert, databasePath } = ctx.config;
  const forgedFile = databasePath ? join(databasePath, FORGED_SLOT_FILE) : undefined;
  const lastForged = () => Number(forgedFile ? (readIfExists(forgedFile) ?? '0') : '0') || 0;
  return {
    onHeight({ height: slot, replay }) {
      if (!kesKey || !opcert) return { signing: false };
      const cert = readIfExists(opcert);
      if (readIfExists(kesKey) === undefined || cert === undefined) return { signing: false };
      // the pool is the one whose cold key signed the certificate: leadership is by its stake
      // and VRF key, so a certificate of a pool the chain does not know never leads a slot
      const pool = poolOf(ctx, cert);
      if (!pool) return { signing: false, note: "its operational certificate's cold key is no pool of this chain" };
      if (!isSlotLeader(pool.name, slot)) return { signing: true };
      if (ctx.peersUp() === 0) return { signing: true, note: 'no relay connected: a forged block would reach nobody' };
      if (replay) return { signing: true }; // a past slot: the slot clock never goes back
      if (slot <= lastForged()) return { signing: true, note: `slot ${slot} already forged by this producer` };
      const counter = opcertCounter(cert);
      if (forgedFile) writeDurably(forgedFile, `${slot}\n`);
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
