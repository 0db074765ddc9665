/** What the simulated clients read from rendered configs: endpoints, flags, the ports they listen on and the peers they dial. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { parseEndpoint, parseFlags, simConfigOf } from '../../../src/lab/sim/config.js';
import { TemplateEngine } from '../../../src/render/engine.js';
import { renderInventory } from '../../../src/render/render.js';
import { loadTemplates } from '../../../src/render/templates.js';
import { computeGraph } from '../../../src/topology/graph.js';
import { example } from '../../support/helpers.js';
import { FAMILIES, resolved } from '../../support/lab.js';

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

describe('what a simulated CometBFT reads of its place and its look-back', () => {
  test("a public sentry has the network beyond its peers; a validator's look-back is the rendered 10, a sentry's 0", () => {
    const inv = resolved(example('cosmos'));
    const graph = computeGraph(inv);
    const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });
    const seen: Record<string, [boolean | undefined, number | undefined]> = {};
    for (const r of renderInventory(inv, graph, new TemplateEngine(sources), {})) {
      const files = new Map(r.files.map((f) => [f.path, f.content]));
      for (const s of r.manifest.services.filter((x) => basename(x.exec[0]!) === 'cometbft')) {
        const c = simConfigOf('cometbft', s.exec.slice(1), (p) => files.get(p)!);
        seen[r.host] = [c.publicNetwork, c.doubleSignCheckHeight];
      }
    }
    const host = (name: string) => inv.hosts.find((h) => h.name === name)!;
    for (const [name, [publicNetwork, n]] of Object.entries(seen)) {
      const h = host(name);
      assert.equal(publicNetwork, h.tier !== 'validator' && h.public, name);
      assert.equal(n, h.tier === 'validator' ? 10 : 0, name);
    }
    assert.ok(Object.values(seen).some(([p]) => p) && Object.values(seen).some(([p]) => !p));
  });
});
