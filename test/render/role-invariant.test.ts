/**
 * Rendering does not depend on which member of an identity is active. Each example inventory is
 * rendered, failed over on paper with the failover's own inventory rewrite (`rewriteActive`: the
 * target becomes `active`, the old host takes its place among the standbys) to each standby of
 * each identity, and rendered again. Every file of every host whose role did not change (sentries,
 * relays, beacons, signers, the monitor, the witness, bastions) is byte-identical, so a failover
 * leaves nothing for `stake plan` to change there. So are the two validator hosts': what follows
 * the active host (the key at the client's path or sealed, the generation record, the fenced
 * signer) is moved by the failover itself, never rendered.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveInventory, type ResolvedInventory } from '../../src/inventory/resolve.js';
import { rewriteActive } from '../../src/failover/inventory-rewrite.js';
import { TemplateEngine } from '../../src/render/engine.js';
import { renderInventory } from '../../src/render/render.js';
import { loadTemplates } from '../../src/render/templates.js';
import { computeGraph } from '../../src/topology/graph.js';
import { example, validateText } from '../support/helpers.js';
import { InventoryBuilder } from '../support/inventory-builder.js';

const { sources } = loadTemplates({ inventory: '/nonexistent/inventory.yaml' });

function resolve(text: string): ResolvedInventory {
  const result = validateText(text);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.id}: ${d.summary}`);
  assert.deepEqual(errors, [], 'the inventory is valid');
  assert.ok(result.inventory);
  return resolveInventory(result.inventory);
}

/** Every host's files by path, the manifest included (it carries each file's sha256). */
function renderAll(inv: ResolvedInventory): Map<string, Map<string, string>> {
  const hosts = new Map<string, Map<string, string>>();
  for (const r of renderInventory(inv, computeGraph(inv), new TemplateEngine(sources), {})) {
    const files = new Map(r.files.map((f) => [f.path, f.content]));
    files.set('manifest.json', JSON.stringify(r.manifest, null, 2));
    hosts.set(r.host, files);
  }
  return hosts;
}

const rolesOf = (inv: ResolvedInventory) => new Map(inv.hosts.map((h) => [h.name, JSON.stringify(h.roles)]));

/** Every failover an inventory allows: each identity to each of its standbys, as the rewritten text. */
function failovers(text: string): { identity: string; from: string; to: string; text: string }[] {
  return resolve(text).identities.flatMap((id) =>
    id.standby.map((to) => ({
      identity: id.name,
      from: id.active.name,
      to: to.name,
      text: rewriteActive(text, id.name, id.active.name, to.name),
    })),
  );
}

/** The example of cosmos with a second standby in Warsaw: a failover to it reorders a longer list. */
const twoStandbys = InventoryBuilder.example('cosmos')
  .addHost(
    'val-waw-2',
    { tier: 'validator', dc: 'waw1', address: '10.2.0.11', client: 'cometbft', node_id: '1'.repeat(40) },
    { before: 'witness-ams' },
  )
  .setActive('cosmoshub', 'val-fra', ['val-waw', 'val-waw-2'])
  .text();

const cases: [string, string][] = [
  ['cosmos', example('cosmos')],
  ['ethereum', example('ethereum')],
  ['cardano', example('cardano')],
  ['cosmos with two standbys', twoStandbys],
];

describe('a failover changes no rendered file', () => {
  for (const [name, text] of cases) {
    const inv = resolve(text);
    const before = renderAll(inv);
    for (const f of failovers(text)) {
      test(`${name}: ${f.identity} from ${f.from} to ${f.to}`, () => {
        const moved = resolve(f.text);
        assert.equal(moved.identities.find((i) => i.name === f.identity)!.active.name, f.to, 'the rewrite moved it');
        const after = renderAll(moved);
        assert.deepEqual([...after.keys()], [...before.keys()], 'the same hosts');

        const rolesBefore = rolesOf(inv);
        const rolesAfter = rolesOf(moved);
        const changedRole = [...rolesBefore.keys()].filter((h) => rolesBefore.get(h) !== rolesAfter.get(h));
        assert.deepEqual(changedRole.sort(), [f.from, f.to].sort(), 'only the old and the new active host change role');

        const same = [...before.keys()].filter((h) => !changedRole.includes(h));
        assert.ok(same.length >= 5, `hosts whose role did not change: ${same.join(', ')}`);
        for (const host of [...same, ...changedRole]) {
          const was = before.get(host)!;
          const is = after.get(host)!;
          assert.deepEqual([...is.keys()], [...was.keys()], `${host}: the same files`);
          for (const [path, content] of was)
            assert.equal(is.get(path), content, `${host}:${path} changed when ${f.identity} moved to ${f.to}`);
        }
      });
    }
  }
});

describe('the graph says validator, never active or standby', () => {
  for (const [name, text] of cases) {
    test(name, () => {
      const flows = computeGraph(resolve(text)).flows;
      assert.ok(
        flows.some((f) => / validator /.test(f.purpose)),
        'some flow names a validator',
      );
      assert.deepEqual(
        flows.filter((f) => /\b(active|standby)\b/.test(f.purpose)).map((f) => f.purpose),
        [],
        'no flow purpose (a firewall comment) names a member by its role',
      );
    });
  }
});
