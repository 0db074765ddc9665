/**
 * The lab's pure parts: addresses, the lab inventory (comments kept, still valid), the chain's
 * verdicts, what simulated clients read from rendered configs, the firewall matrix, and the
 * simulated signers' watermark rules.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { resolveInventory, type ResolvedInventory } from '../../src/inventory/resolve.js';
import { planAddresses, addressesOf } from '../../src/lab/addressing.js';
import { SlashingProtection } from '../../src/chain/eip3076.js';
import { Ledger } from '../../src/lab/chain/ledger.js';
import { isSlotLeader } from '../../src/lab/chain/leadership.js';
import { expectedMatrix, inCidr, sourceAddress } from '../../src/lab/firewall-matrix.js';
import { cometbftKey } from '../../src/lab/keys.js';
import { clientsOf, labInventoryText } from '../../src/lab/lab-inventory.js';
import { cometbftValidator } from '../../src/lab/sim/cometbft.js';
import { parseEndpoint, parseFlags, simConfigOf } from '../../src/lab/sim/config.js';
import type { SimContext } from '../../src/lab/sim/context.js';
import type { LabState } from '../../src/lab/state.js';
import { TemplateEngine } from '../../src/render/engine.js';
import { renderInventory } from '../../src/render/render.js';
import { loadTemplates } from '../../src/render/templates.js';
import { computeGraph } from '../../src/topology/graph.js';
import { example, validateText } from '../support/helpers.js';

const FAMILIES = ['cosmos', 'ethereum', 'cardano'] as const;
const resolved = (text: string): ResolvedInventory => {
  const r = validateText(text);
  assert.ok(r.inventory, JSON.stringify(r.diagnostics.filter((d) => d.severity === 'error')));
  return resolveInventory(r.inventory);
};

describe('lab addresses', () => {
  for (const family of FAMILIES) {
    test(`${family}: every host gets distinct lab addresses, public and private on their own /24s`, () => {
      const inv = resolved(example(family));
      const a = planAddresses(inv, 'netns', 3);
      const all = inv.hosts.flatMap((h) => addressesOf(a.hosts[h.name]!));
      assert.equal(new Set(all).size, all.length);
      for (const h of inv.hosts) {
        const lab = a.hosts[h.name]!;
        assert.equal(lab.privateAddress !== undefined, h.privateAddress !== h.address, h.name);
        if (lab.privateAddress) assert.ok(inCidr(lab.address, a.publicNet) && inCidr(lab.privateAddress, a.privateNet));
        else assert.ok(inCidr(lab.address, a.privateNet));
      }
      assert.ok(inCidr(a.operator, a.privateNet) && inCidr(a.internet!, a.publicNet));
      assert.ok(!all.includes(a.operator) && !all.includes(a.internet!));
    });
  }

  test('two slots never share an address; every slot stays inside 198.18.0.0/15', () => {
    const inv = resolved(example('cosmos'));
    const seen = new Set<string>();
    for (const slot of [0, 1, 127, 128, 255]) {
      const a = planAddresses(inv, 'netns', slot);
      for (const h of Object.values(a.hosts)) {
        for (const address of addressesOf(h)) {
          assert.ok(inCidr(address, '198.18.0.0/15'), address);
          assert.ok(!seen.has(address), `${address} reused by slot ${slot}`);
          seen.add(address);
        }
      }
    }
    assert.throws(() => planAddresses(inv, 'netns', 256), /outside/);
  });

  test('loopback labs live in 127.77.x / 127.78.x, never 127.0.0.1', () => {
    const a = planAddresses(resolved(example('ethereum')), 'loopback', 9);
    for (const h of Object.values(a.hosts))
      for (const address of addressesOf(h)) assert.match(address, /^127\.7[78]\.9\.\d+$/);
    assert.equal(a.internet, undefined);
  });
});

/** A family's example moved into a lab, as `lab up` writes it. */
function labOf(family: (typeof FAMILIES)[number], mode: 'netns' | 'loopback', slot: number) {
  const text = example(family);
  const inv = resolved(text);
  const a = planAddresses(inv, mode, slot);
  const out = labInventoryText({
    text,
    origin: `/x/${family}.yaml`,
    inv,
    addressing: a,
    hosts: Object.fromEntries(
      inv.hosts.map((h, i) => [
        h.name,
        { root: `/lab/hosts/${h.name}/root`, sshPort: mode === 'netns' ? 22 : 40000 + i },
      ]),
    ),
    user: 'root',
    knownHosts: 'known_hosts',
    identity: 'client_ed25519',
    operatorKeys: {
      alice: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGW8oy2Mqx1zzWmPA3bEl/cmOShCz0XV4h1qQ8tSsOlS alice@stake-lab',
    },
    clients: Object.fromEntries(clientsOf(inv).map((c) => [c, { source: `bin/${c}`, sha256: 'a'.repeat(64) }])),
    schema: '/p/schema/inventory.schema.json',
  });
  return { text, inv, a, out };
}

describe('lab inventory', () => {
  for (const family of FAMILIES) {
    test(`${family}: keeps the comments, moves every host into the lab, and is still a valid inventory`, () => {
      const { text, inv, a, out } = labOf(family, 'loopback', 4);
      assert.match(out, /^# yaml-language-server: \$schema=\/p\/schema\/inventory\.schema\.json\n/);
      assert.equal(
        out.match(/yaml-language-server/g)!.length,
        1,
        'the original relative $schema line is replaced, not kept twice',
      );
      assert.match(out, /GENERATED by `stake lab up` from \/x\//);
      // every comment line of the original survives
      for (const line of text.split('\n').filter((l) => /^\s*#/.test(l) && !l.includes('yaml-language-server')))
        assert.ok(out.includes(line.trim()), `lost comment: ${line}`);
      const lab = resolved(out);
      for (const h of lab.hosts) {
        assert.equal(h.address, a.hosts[h.name]!.address);
        assert.equal(h.root, `/lab/hosts/${h.name}/root`);
        assert.equal(h.init, 'direct');
        assert.equal(h.firewall, 'render', 'loopback hosts never load rules');
        assert.equal(h.ssh.user, 'root');
        assert.ok(h.ssh.port >= 40000);
      }
      assert.deepEqual(lab.access.adminCidrs, [`${a.operator}/32`]);
      assert.match(lab.operators.alice!.key, /alice@stake-lab/);
      for (const c of clientsOf(inv)) assert.equal(lab.clients[c]?.source, `bin/${c}`);
      assert.deepEqual(
        lab.identities.map((i) => i.active.name),
        inv.identities.map((i) => i.active.name),
      );
    });
  }
});

describe('lab chain verdicts', () => {
  const sig = (height: number, host: string, pid = 1) => ({
    identity: 'id',
    height,
    host,
    signer: `${host}#${pid}`,
    kind: 'precommit',
    at: '',
  });

  test('one signer per height: no double sign; a retry of the same process is not counted twice', () => {
    const l = new Ledger('cosmos', ['id']);
    for (let h = 1; h <= 5; h++) {
      l.tick();
      assert.equal(l.record(sig(h, 'val-a')), true);
    }
    assert.equal(l.record(sig(5, 'val-a')), false);
    l.tick();
    const s = l.summary();
    assert.equal(s.doubleSigns, 0);
    assert.equal(s.identities[0]!.signatures, 5);
    assert.equal(s.identities[0]!.lastSigner, 'val-a');
  });

  test('two processes at one height are a double sign, even on the same host', () => {
    const l = new Ledger('cosmos', ['id']);
    l.tick();
    l.tick();
    l.record(sig(2, 'val-a'));
    l.record(sig(2, 'val-b'));
    l.record(sig(1, 'val-a', 1));
    l.record(sig(1, 'val-a', 2));
    const s = l.summary();
    assert.equal(s.doubleSigns, 2);
    assert.deepEqual(
      s.identities[0]!.doubleSigns.map((d) => [d.height, d.hosts]),
      [
        [1, ['val-a']],
        [2, ['val-a', 'val-b']],
      ],
    );
  });

  test('missed heights count from the first signature, up to the last complete height', () => {
    const l = new Ledger('cosmos', ['id']);
    for (let h = 1; h <= 10; h++) l.tick();
    for (const h of [3, 4, 7]) l.record(sig(h, 'val-a'));
    // 5, 6, 8, 9 missed; 10 is the current height, still open
    assert.equal(l.summary().identities[0]!.missed, 4);
  });

  test('cardano: only slots the pool leads can be missed', () => {
    const l = new Ledger('cardano', ['pool']);
    for (let s = 1; s <= 40; s++) l.tick();
    const led = Array.from({ length: 39 }, (_, i) => i + 1).filter((s) => isSlotLeader('pool', s));
    for (const s of led.slice(0, -3)) l.record({ ...sig(s, 'bp'), identity: 'pool', kind: 'block' });
    assert.equal(l.summary().identities[0]!.missed, 3);
    assert.ok(led.length > 5 && led.length < 35, 'about half the slots are led');
  });
});

describe('what simulated clients read from rendered configs', () => {
  test('endpoints and flags', () => {
    assert.deepEqual(parseEndpoint('tcp://0.0.0.0:26656'), { host: '0.0.0.0', port: 26656 });
    assert.deepEqual(parseEndpoint('ab12@10.1.0.11:26656'), { host: '10.1.0.11', port: 26656 });
    assert.deepEqual(parseEndpoint('http://10.1.0.31:5052/eth'), { host: '10.1.0.31', port: 5052 });
    assert.equal(parseEndpoint('no port'), undefined);
    assert.deepEqual(
      [...parseFlags(['start', '--home', '/h', '--http', '--port=9000'])],
      [
        ['home', '/h'],
        ['http', 'true'],
        ['port', '9000'],
      ],
    );
  });

  for (const family of FAMILIES) {
    test(`${family}: every client listens on each TCP port the graph routes to its host, and dials the peers it should`, () => {
      const inv = resolved(example(family));
      const graph = computeGraph(inv);
      const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
      for (const r of renderInventory(inv, graph, new TemplateEngine(sources), {})) {
        const files = new Map(r.files.map((f) => [f.path, f.content]));
        const configs = r.manifest.services.map((s) =>
          simConfigOf(basename(s.exec[0]!), s.exec.slice(1), (p) => {
            const content = files.get(p);
            if (content === undefined) throw new Error(`${r.host}: ${s.name} reads ${p}, which render did not write`);
            return content;
          }),
        );
        const listening = new Set(configs.flatMap((c) => c.listen.map((e) => e.port)));
        // ssh and the node exporter are the host's own, not a client's (cardano-node's metrics
        // port comes from its node configuration, whose default 127.0.0.1:12798 the sim serves)
        const wanted = graph.flows
          .filter(
            (f) => f.to === r.host && f.protocol === 'tcp' && f.service !== 'ssh' && f.service !== 'node-exporter',
          )
          .map((f) => f.port);
        for (const port of wanted)
          assert.ok(listening.has(port), `${r.host}: nothing listens on ${port}, which the graph routes to it`);
        const host = inv.host(r.host);
        if (host.tier === 'validator')
          assert.ok(
            configs.some((c) => c.peers.length > 0 || (c.signers?.length ?? 0) > 0),
            `${r.host} dials nobody`,
          );
      }
    });
  }
});

describe('firewall matrix', () => {
  test('cosmos: what the validator accepts, from whom', () => {
    const { out, a } = labOf('cosmos', 'netns', 0);
    const inv = resolved(out);
    const cases = expectedMatrix(inv, computeGraph(inv), a);
    const at = (from: string, to: string, port: number) =>
      cases.find((c) => c.from === from && c.to === to && c.port === port)!;
    assert.equal(at('sentry-fra-1', 'val-fra', 26656).expected, true);
    assert.equal(at('internet', 'val-fra', 26656).expected, false);
    assert.equal(at('val-waw', 'val-fra', 26656).expected, false);
    assert.equal(at('internet', 'sentry-fra-1', 26656).expected, true);
    assert.equal(
      at('internet', 'sentry-fra-1', 26656).address,
      a.hosts['sentry-fra-1']!.address,
      'the internet probes the public address',
    );
    assert.equal(at('operator', 'bastion-fra', 22).expected, true);
    assert.equal(at('bastion-fra', 'val-fra', 22).expected, true);
    assert.equal(at('sentry-fra-1', 'val-fra', 22).expected, false);
    assert.equal(at('sentry-fra-1', 'val-fra', 26657).expected, false, 'rpc is loopback only');
    assert.equal(
      cases.some((c) => c.from === c.to),
      false,
    );
  });

  test('source address selection picks the address on the destination network', () => {
    const s = { name: 'x', kind: 'host' as const, addresses: ['198.18.1.2', '198.18.0.2'] };
    assert.equal(sourceAddress(s, '198.18.0.9'), '198.18.0.2');
    assert.equal(sourceAddress(s, '198.18.1.9'), '198.18.1.2');
    assert.equal(inCidr('10.1.2.3', '10.0.0.0/8'), true);
    assert.equal(inCidr('11.1.2.3', '10.0.0.0/8'), false);
    assert.equal(inCidr('10.1.2.3', '2001:db8::/32'), false);
  });
});

describe('simulated signers keep their watermark', () => {
  test('cometbft: refuses at or below the state file, and writes the new watermark before the signature leaves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stake-sim-'));
    try {
      const key = cometbftKey();
      const keyFile = join(dir, 'priv_validator_key.json');
      const stateFile = join(dir, 'data', 'priv_validator_state.json');
      writeFileSync(keyFile, key.text);
      const sent: number[] = [];
      const lab = {
        name: 'lab',
        identities: [{ name: 'id', members: ['v'], keyAddress: key.address }],
      } as unknown as LabState;
      const ctx: SimContext = {
        lab,
        host: { name: 'v', tier: 'validator', root: dir, addresses: [], sshPort: 22 },
        config: { client: 'cometbft', role: 'cometbft', listen: [], metrics: [], peers: [], keyFile, stateFile },
        peersUp: () => 1,
        submit: (s) => {
          // by the time a signature is submitted, the watermark on disk already covers it
          assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).height, String(s.height));
          sent.push(s.height);
        },
        log: () => undefined,
        signer: 'v#1',
      };
      const v = cometbftValidator(ctx);
      await v.onHeight(5);
      await v.onHeight(5); // the same height again: nothing new
      await v.onHeight(4); // below: refused
      await v.onHeight(7);
      writeFileSync(stateFile, JSON.stringify({ height: '100', round: 0, step: 3 }));
      const outcome = await v.onHeight(100);
      await v.onHeight(99);
      await v.onHeight(101);
      assert.deepEqual(sent, [5, 7, 101]);
      assert.match(outcome.note ?? '', /watermark at 100/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cometbft: a host without the key signs nothing', async () => {
    const sent: number[] = [];
    const ctx = {
      lab: { identities: [] },
      host: { name: 'v' },
      config: { keyFile: '/nonexistent/key.json', stateFile: '/nonexistent/state.json' },
      peersUp: () => 1,
      submit: (s: { height: number }) => sent.push(s.height),
      log: () => undefined,
      signer: 'v#1',
    } as unknown as SimContext;
    assert.deepEqual(await cometbftValidator(ctx).onHeight(3), { signing: false });
    assert.deepEqual(sent, []);
  });

  test(`ethereum: the simulated Dirk's protection file (EIP-3076 minimal form) still refuses a double vote, a surround and going back`, () => {
    const GVR = `0x${'00'.repeat(32)}`;
    const PK = `0x${'ab'.repeat(48)}`;
    /** What the Dirk does at every slot: import its file, sign, write the minimal form back. */
    const reload = (db: SlashingProtection) => {
      const next = new SlashingProtection(GVR);
      next.import(JSON.parse(JSON.stringify(db.export('minimal'))));
      return next;
    };
    let db = new SlashingProtection(GVR);
    for (let t = 1n; t <= 5n; t++) {
      assert.equal(db.signAttestation(PK, t - 1n, t).ok, true);
      db = reload(db);
    }
    assert.equal(db.export('minimal').data[0]!.signed_attestations.length, 1, 'one record, however many slots');
    assert.equal(db.checkAttestation(PK, 5n, 6n).ok, true);
    const refusal = (s: bigint, t: bigint) => {
      const v = db.checkAttestation(PK, s, t);
      return v.ok ? '' : v.why;
    };
    assert.match(refusal(4n, 5n), /target epoch 5/);
    assert.match(refusal(3n, 6n), /surrounds/);
    assert.match(refusal(7n, 6n), /after target/);
    assert.match(refusal(2n, 3n), /below the lowest signed source 4/);
  });
});
