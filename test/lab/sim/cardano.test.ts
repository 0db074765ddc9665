/** The simulated block producer forges only the slot the chain has reached, and never the same slot twice. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSlotLeader } from '../../../src/lab/chain/leadership.js';
import { cardanoNode } from '../../../src/lab/sim/cardano.js';
import type { Offer, SimContext } from '../../../src/lab/sim/context.js';

const at = (height: number, replay = false): Offer => ({ height, round: 0, replay });

function producer(dir: string, db: string, pid: number, forged: number[]) {
  const kesKey = join(dir, 'kes.skey');
  const opcert = join(dir, 'node.cert');
  writeFileSync(kesKey, '{}');
  writeFileSync(opcert, '{}');
  return cardanoNode({
    lab: { identities: [{ name: 'pool', members: ['bp'] }] },
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
});
