/** The generation verdict: what the quorum's records say about the live active host, and what one host's answer says. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import {
  COMETBFT_KEY,
  decideGeneration,
  duplicateKeyHolders,
  firstRecord,
  laggingHosts,
  majorityOf,
  parseQuorumAnswer,
  parseSettle,
  quorumOf,
  quorumReadScript,
  settleRecordScript,
  writeRecordScript,
  type GenerationRecord,
} from '../../src/quorum/generation.js';
import { generationPath } from '../../src/plan/host-layout.js';
import { sealedPath } from '../../src/keys/layout.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import type { Inventory } from '../../src/inventory/schema.js';
import { example } from '../support/helpers.js';

const cosmos = resolveInventory(parse(example('cosmos')) as Inventory);

describe('the generation verdict', () => {
  const id = cosmos.identities[0]!;
  const quorum = [id.active.name, ...id.standby.map((h) => h.name), id.witness!.name];
  const rec = (generation: number, active: string): GenerationRecord => ({
    generation,
    active,
    since: '2026-11-01T00:00:00Z',
    approvers: ['alice', 'bob'],
    plan: 'P',
  });

  test('no record anywhere: a first deploy', () => {
    assert.equal(
      decideGeneration(
        id,
        quorum.map((host) => ({ host, record: null })),
      ).kind,
      'first',
    );
  });

  test('the highest generation a majority holds is the truth; a lagging minority does not matter', () => {
    const v = decideGeneration(id, [
      { host: quorum[0]!, record: rec(1, id.active.name) },
      { host: quorum[1]!, record: rec(2, id.standby[0]!.name) },
      { host: quorum[2]!, record: rec(2, id.standby[0]!.name) },
    ]);
    assert.equal(v.kind, 'stale');
  });

  test('without a majority answering, or agreeing, nothing is trusted', () => {
    assert.equal(decideGeneration(id, [{ host: quorum[0]!, record: rec(1, id.active.name) }]).kind, 'unknown');
    assert.equal(
      decideGeneration(id, [
        { host: quorum[0]!, record: rec(1, id.active.name) },
        { host: quorum[1]!, record: rec(2, id.active.name) },
        { host: quorum[2]!, record: rec(3, id.active.name) },
      ]).kind,
      'unknown',
    );
  });

  test('matching the inventory: live', () => {
    const v = decideGeneration(
      id,
      quorum.map((host) => ({ host, record: rec(4, id.active.name) })),
    );
    assert.equal(v.kind, 'live');
  });

  test('parsing what a host said; a damaged record counts as none; a copied key is found', () => {
    const a = parseQuorumAnswer('val', `G\t${JSON.stringify(rec(3, 'val'))}\nK\t${'ab'.repeat(20)}\n`);
    assert.equal(a.record?.generation, 3);
    assert.equal(a.keyAddress, 'AB'.repeat(20));
    assert.equal(parseQuorumAnswer('val', 'G\t{"generation": "x"\n').record, null);
    assert.deepEqual(
      duplicateKeyHolders('a', [
        { host: 'a', record: null, keyAddress: 'K1' },
        { host: 'b', record: null, keyAddress: 'K1' },
        { host: 'c', record: null, keyAddress: 'K2' },
      ]),
      ['b'],
    );
  });

  test('fewer answers than a majority: unknown, saying who answered and how many are needed', () => {
    const v = decideGeneration(id, [{ host: quorum[0]!, record: null }]);
    assert.deepEqual(v, {
      kind: 'unknown',
      why: `only 1 of 3 quorum hosts (${quorum.join(', ')}) answered; 2 are needed to know which host is live`,
    });
  });

  test('the highest generation held by a minority: unknown, naming its holders (a failover in progress)', () => {
    const v = decideGeneration(id, [
      { host: quorum[0]!, record: rec(4, id.active.name) },
      { host: quorum[1]!, record: rec(5, id.standby[0]!.name) },
      { host: quorum[2]!, record: null },
    ]);
    assert.deepEqual(v, {
      kind: 'unknown',
      why: `generation 5 is held by ${quorum[1]} only, not by a majority of ${quorum.join(', ')}: a failover may be in progress (stake failover --resume)`,
    });
  });

  test('a live verdict names the record and every host holding it; a stale one the active host of the file', () => {
    const live = decideGeneration(id, [
      { host: quorum[0]!, record: rec(4, id.active.name) },
      { host: quorum[2]!, record: rec(4, id.active.name) },
    ]);
    assert.deepEqual(live, { kind: 'live', record: rec(4, id.active.name), holders: [quorum[0], quorum[2]] });
    const stale = decideGeneration(id, [
      { host: quorum[1]!, record: rec(6, id.standby[0]!.name) },
      { host: quorum[2]!, record: rec(6, id.standby[0]!.name) },
    ]);
    assert.deepEqual(stale, {
      kind: 'stale',
      record: rec(6, id.standby[0]!.name),
      holders: [quorum[1], quorum[2]],
      inventoryActive: id.active.name,
    });
  });

  test('the quorum is the active host, the standbys and the witness; a majority is more than half', () => {
    assert.deepEqual(
      quorumOf(id).map((h) => h.name),
      quorum,
    );
    assert.deepEqual(
      quorumOf({ ...id, witness: undefined }).map((h) => h.name),
      quorum.slice(0, 2),
    );
    assert.deepEqual([1, 2, 3, 4, 5].map(majorityOf), [1, 2, 2, 3, 3]);
  });

  test("what a host said: nothing is no record and no key; only a 40-hex-digit address is a key's", () => {
    assert.deepEqual(parseQuorumAnswer('val', ''), { host: 'val', record: null });
    const hex = 'ab'.repeat(20);
    for (const bad of [hex.slice(1), `${hex}a`, `x${hex}`, `${hex}x`, `${hex.slice(0, 20)}\t${hex.slice(20)}`])
      assert.equal(parseQuorumAnswer('val', `K\t${bad}\n`).keyAddress, undefined, bad);
    assert.equal(parseQuorumAnswer('val', `X\t${hex}\n`).keyAddress, undefined, 'only a K line names a key');
  });

  test("a copied key is found by the live host's own address, wherever the live host answered in the list", () => {
    const answers = [
      { host: 'b', record: null, keyAddress: 'K1' },
      { host: 'a', record: null, keyAddress: 'K2' },
      { host: 'c', record: null, keyAddress: 'K2' },
    ];
    assert.deepEqual(duplicateKeyHolders('a', answers), ['c']);
  });

  test('a minority of several hosts is named in full', () => {
    const wide = { ...id, standby: [...id.standby, { ...id.standby[0]!, name: 'val-ams' }] };
    const v = decideGeneration(wide, [
      { host: 'val-fra', record: rec(4, id.active.name) },
      { host: 'val-waw', record: rec(5, 'val-waw') },
      { host: 'val-ams', record: rec(5, 'val-waw') },
    ]);
    assert.equal(v.kind, 'unknown');
    assert.match(
      v.kind === 'unknown' ? v.why : '',
      /^generation 5 is held by val-waw, val-ams only, not by a majority of /,
    );
  });

  test('a host whose own key address is unknown, or that did not answer, has no duplicates', () => {
    const answers = [
      { host: 'a', record: null },
      { host: 'b', record: null, keyAddress: 'K1' },
    ];
    assert.deepEqual(duplicateKeyHolders('a', answers), []);
    assert.deepEqual(duplicateKeyHolders('z', answers), []);
    assert.deepEqual(duplicateKeyHolders('b', answers), []);
  });

  test("a first deploy's record: generation 1, the inventory's active host, no approvers", () => {
    const now = new Date('2026-05-01T12:00:00.000Z');
    assert.deepEqual(firstRecord(id, 'alice@laptop', now), {
      generation: 1,
      active: id.active.name,
      since: '2026-05-01T12:00:00.000Z',
      approvers: [],
      plan: 'first deploy by alice@laptop',
    });
  });
});

describe('the generation record on a host (run by sh against a folder)', () => {
  const sh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
  const record: GenerationRecord = { generation: 7, active: 'val-waw', since: 't', approvers: ['alice'], plan: 'P' };

  test('the read script reports the record and the address of the key the host holds', () => {
    const root = mkdtempSync(join(tmpdir(), 'stake-gen-'));
    try {
      const put = (path: string, text: string) => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      assert.deepEqual(parseQuorumAnswer('val', sh(quorumReadScript(root, 'hub')).stdout), {
        host: 'val',
        record: null,
      });
      put(generationPath('hub'), `${JSON.stringify(record)}\n`);
      put(COMETBFT_KEY, `{\n  "address": "${'cd'.repeat(20)}",\n  "pub_key": {}\n}\n`);
      const r = sh(quorumReadScript(root, 'hub'));
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(parseQuorumAnswer('val', r.stdout), { host: 'val', record, keyAddress: 'CD'.repeat(20) });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the write script leaves exactly the record, one line, readable by all', () => {
    const root = mkdtempSync(join(tmpdir(), 'stake-gen-'));
    try {
      const r = sh(writeRecordScript(root, 'hub', record));
      assert.equal(r.status, 0, r.stderr);
      const file = join(root, generationPath('hub'));
      assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify(record)}\n`);
      assert.equal(statSync(file).mode & 0o777, 0o644);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a quorum host that missed a failover, settled by deploy', () => {
  const id = cosmos.identities[0]!;
  const live: GenerationRecord = {
    generation: 5,
    active: 'val-waw',
    since: 't',
    approvers: ['alice', 'bob'],
    plan: 'P',
  };
  const old: GenerationRecord = { ...live, generation: 4, active: id.active.name };
  const sh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });

  test('the lagging hosts are the reachable ones behind the live record; none while nothing is live', () => {
    const answers = [
      { host: id.active.name, record: old },
      { host: 'val-waw', record: live },
      { host: id.witness!.name, record: live },
    ];
    const verdict = { kind: 'live' as const, record: live, holders: ['val-waw', id.witness!.name] };
    assert.deepEqual(laggingHosts(verdict, answers), [id.active.name]);
    assert.deepEqual(laggingHosts(verdict, answers.slice(1)), [], 'every reachable host agrees');
    assert.deepEqual(
      laggingHosts(verdict, [{ host: id.witness!.name, record: null }]),
      [id.witness!.name],
      'no record at all',
    );
    assert.deepEqual(laggingHosts({ kind: 'unknown', why: 'split' }, answers), []);
  });

  test('the settle script copies the live record, unless a signing key sits at its active path', () => {
    const root = mkdtempSync(join(tmpdir(), 'stake-gen-'));
    try {
      const file = join(root, generationPath('hub'));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(old)}\n`);
      mkdirSync(dirname(join(root, COMETBFT_KEY)), { recursive: true });
      writeFileSync(join(root, COMETBFT_KEY), '{"address": "AA"}');
      const key = { name: 'priv_validator_key.json', path: COMETBFT_KEY };
      const held = sh(settleRecordScript(root, 'hub', live, [key]));
      assert.equal(held.status, 0, held.stderr);
      assert.deepEqual(parseSettle(held.stdout), { settled: false, heldKey: COMETBFT_KEY });
      assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify(old)}\n`, 'left as it was');
      // sealed by hand, and CometBFT's own key made at the path at the next start: not the identity's
      const sealed = join(root, sealedPath('hub', key));
      mkdirSync(dirname(sealed), { recursive: true });
      writeFileSync(sealed, '{"address": "AA"}');
      writeFileSync(join(root, COMETBFT_KEY), '{"address": "BB"}');
      const settled = sh(settleRecordScript(root, 'hub', live, [key]));
      assert.equal(settled.status, 0, settled.stderr);
      assert.deepEqual(parseSettle(settled.stdout), { settled: true });
      assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify(live)}\n`);
      assert.equal(parseSettle('H\t/etc/x;rm -rf /\n'), undefined, 'a path stake did not send is no answer');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
