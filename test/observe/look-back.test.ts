/** The wait before a signing CometBFT validator starts: until its look-back reads no signature of its key. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookBackGate } from '../../src/apply/look-back-gate.js';
import type { ResolvedHost } from '../../src/inventory/resolve.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { clearOfLookBack, waitForLookBack } from '../../src/observe/look-back.js';
import type { ChainReading } from '../../src/observe/model.js';
import type { ChainObserver } from '../../src/observe/observer.js';
import type { GenerationVerdict } from '../../src/quorum/generation.js';
import type { HostSession } from '../../src/ssh/session.js';
import { InventoryBuilder } from '../support/inventory-builder.js';

/** An observer over a scripted chain: each read is the next head (and the identity's last signature), or a failure. */
function scripted(reads: ({ head: number; last?: number } | 'fail')[]): ChainObserver & { reads: number } {
  let i = 0;
  const o = {
    what: 'a scripted chain',
    blockTimeMs: 10,
    unjudged: [],
    reads: 0,
    read: async (): Promise<ChainReading> => {
      o.reads++;
      const r = reads[Math.min(i++, reads.length - 1)]!;
      if (r === 'fail') throw new Error('no source answered');
      return {
        head: r.head,
        sources: [],
        disagreements: [],
        identity: (name: string) =>
          name === 'hub'
            ? {
                identity: 'hub',
                ...(r.last !== undefined ? { lastHeight: r.last } : {}),
                signed: 0,
                missed: 0,
                equivocations: [],
                flags: [],
              }
            : undefined,
      };
    },
    headOf: async () => ({ error: 'not used' }),
    signatures: () => [],
  };
  return o;
}

/** The wait over a scripted chain; each pause between reads moves a fake clock on by `pollMs`. */
const wait = (observer: ChainObserver, lastKnown?: number, pollMs = 0) => {
  const notes: string[] = [];
  let clock = 1_000_000;
  return waitForLookBack({
    observer,
    identity: 'hub',
    ...(lastKnown !== undefined ? { lastKnown } : {}),
    note: (t) => notes.push(t),
    sleep: async () => {
      clock += pollMs;
    },
    now: () => clock,
  }).then((said) => ({ said, notes }));
};

describe('the look-back wait', () => {
  test('until the head is 10 above the last signature, re-read as the chain moves (a last vote a later block carries counts)', async () => {
    assert.equal(clearOfLookBack(100), 110);
    const o = scripted([
      { head: 101, last: 100 },
      { head: 105, last: 101 },
      { head: 110, last: 101 },
      { head: 111, last: 101 },
    ]);
    const { said, notes } = await wait(o, 100);
    assert.equal(o.reads, 4, 'not at 110: the signature at 101 moved the mark to 111');
    assert.match(
      said!,
      /^look-back clear: head 111, 10 heights above hub's last signature \(101; double_sign_check_height 10\)/,
    );
    assert.deepEqual(notes.slice(0, 2), [
      'waiting for height 110 before the start (double_sign_check_height 10): head 101',
      'waiting for height 111 before the start (double_sign_check_height 10): head 105',
    ]);
  });

  test('a key that never signed, or signed long ago, is not waited for', async () => {
    assert.equal((await wait(scripted([{ head: 50 }]))).said, undefined);
    const old = scripted([{ head: 500, last: 20 }]);
    assert.match((await wait(old)).said!, /^look-back clear: head 500, 480 heights above/);
    assert.equal(old.reads, 1);
  });

  test('a chain that moves slowly (a starved machine: each read late) is waited for while it moves', async () => {
    // one height per read, 3 s apart: 30 s in all, longer than any fixed bound of a few heights
    const o = scripted(Array.from({ length: 12 }, (_, i) => ({ head: 101 + i, last: 100 })));
    const { said } = await wait(o, 100, 3000);
    assert.equal(o.reads, 10);
    assert.match(said!, /^look-back clear: head 110, 10 heights above hub's last signature \(100; .*\), after 27 s$/);
  });

  test('a head that stands still for 20 s ends the wait, and says so', async () => {
    const o = scripted([
      { head: 101, last: 100 },
      { head: 104, last: 100 },
    ]);
    const { said } = await wait(o, 100, 3000);
    // moved at the second read (3 s), then still: the read at 3 s + 21 s is the one that gives up
    assert.equal(o.reads, 9);
    assert.match(said!, /^the chain did not reach height 110 in 24 s \(head 104, not moved for 21 s\): started anyway/);
  });

  test('a chain that cannot be read is given up on after three reads, and said', async () => {
    const o = scripted(['fail']);
    const { said } = await wait(o, 100);
    assert.equal(o.reads, 3);
    assert.match(said!, /^the chain could not be read: started without waiting for the look-back/);
  });
});

describe("deploy's gate", () => {
  const inv = resolveInventory(InventoryBuilder.example('cosmos').build());
  const id = inv.identities[0]!;
  const live: GenerationVerdict = {
    kind: 'live',
    record: { generation: 3, active: id.standby[0]!.name } as never,
    holders: [],
  };
  const host = (name: string) => inv.host(name) as ResolvedHost;
  const session = {} as HostSession;

  test('only cometbft on the live active validator, of a recorded generation', () => {
    const gate = lookBackGate(inv, session, new Map([[id, live]]), () => undefined)!;
    const active = id.standby[0]!.name; // live there after a failover: the record decides, not the file
    assert.ok(gate(host(active), 'cometbft'));
    assert.equal(gate(host(id.active.name), 'cometbft'), undefined, 'the inventory says active, the record does not');
    assert.equal(gate(host(active), 'node-exporter'), undefined);
    assert.equal(gate(host(id.upstream[0]!.name), 'cometbft'), undefined, 'a sentry holds no key');
    const first: GenerationVerdict = { kind: 'first', quorum: [] };
    assert.equal(
      lookBackGate(inv, session, new Map([[id, first]]), () => undefined),
      undefined,
      'a first deploy: nothing signed yet',
    );
    const eth = resolveInventory(InventoryBuilder.example('ethereum').build());
    assert.equal(
      lookBackGate(eth, session, new Map(), () => undefined),
      undefined,
    );
  });
});
