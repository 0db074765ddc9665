/** The simulated block producer forges only the slot the chain has reached, and never the same slot twice. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSlotLeader } from '../../../src/lab/chain/leadership.js';
import { cardanoNode } from '../../../src/lab/sim/cardano.js';
import { opcertCbor } from '../../../src/chain/cardano-opcert.js';
import type { Offer, SimContext } from '../../../src/lab/sim/context.js';

const at = (height: number, replay = false): Offer => ({ height, round: 0, replay });

const COLD = Buffer.alloc(32, 0x33);
const certOf = (cold: Buffer) =>
  JSON.stringify({
    type: 'NodeOperationalCertificate',
    cborHex: opcertCbor(Buffer.alloc(32, 1), 0, 0, Buffer.alloc(64, 2), cold),
  });

function producer(dir: string, db: string, pid: number, forged: number[], cold = COLD) {
  const kesKey = join(dir, 'kes.skey');
  const opcert = join(dir, 'node.cert');
  writeFileSync(kesKey, '{}');
  writeFileSync(opcert, certOf(cold));
  return cardanoNode({
    lab: { identities: [{ name: 'pool', members: ['bp'], coldVerificationKey: COLD.toString('hex') }] },
    host: { name: 'bp' },
    config: { kesKey, opcert, databasePath: db },
    peersUp: () => 1,
    submit: (s: { height: number }) => forged.push(s.height),
    log: () => undefined,
    signer: `bp#${pid}`,
  } as unknown as SimContext);
}

describe('simulated cardano block producer', () => {
  test('a slot offered again is past; a restart within a slot does not forge it twice; a fresh database has no memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
    try {
      const led = Array.from({ length: 60 }, (_, i) => i + 1).filter((s) => isSlotLeader('pool', s));
      const [a, b] = led as [number, number];
      const forged: number[] = [];
      const first = producer(dir, join(dir, 'db'), 1, forged);
      await first.onHeight(at(a));
      await first.onHeight(at(a, true)); // the same slot offered again
      const restarted = producer(dir, join(dir, 'db'), 2, forged);
      const met = await restarted.onHeight(at(a)); // the restart meets the slot it forged
      assert.match(met.note ?? '', new RegExp(`slot ${a} already forged`));
      await restarted.onHeight(at(b));
      assert.deepEqual(forged, [a, b]);

      const fresh = producer(dir, join(dir, 'other-db'), 3, forged);
      await fresh.onHeight(at(a, true));
      assert.deepEqual(forged, [a, b], 'no past slot, even with a fresh database');
      await fresh.onHeight(at(b));
      assert.deepEqual(
        forged,
        [a, b, b],
        'a second producer with a fresh database forges the slot: only the fence prevents it',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a certificate another pool's cold key signed leads no slot of this pool: nothing forged", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
    try {
      const forged: number[] = [];
      const stranger = producer(dir, join(dir, 'db'), 1, forged, Buffer.alloc(32, 0x44));
      const led = Array.from({ length: 60 }, (_, i) => i + 1).filter((s) => isSlotLeader('pool', s));
      const notes = new Set<string>();
      for (const slot of led) notes.add((await stranger.onHeight(at(slot))).note ?? '');
      assert.deepEqual(forged, []);
      assert.deepEqual([...notes], ["its operational certificate's cold key is no pool of this chain"]);
      const own = producer(dir, join(dir, 'db'), 2, forged);
      await own.onHeight(at(led[0]!));
      assert.deepEqual(forged, [led[0]], "the pool's own certificate leads its slots");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
