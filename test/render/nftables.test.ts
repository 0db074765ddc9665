import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { RenderError } from '../../src/render/errors.js';
import { firewallEntries, renderNftables } from '../../src/render/nftables.js';
import { computeGraph } from '../../src/topology/graph.js';
import { example, runStake, validateText } from '../support/helpers.js';
import { InventoryBuilder } from '../support/inventory-builder.js';
import { nftCheck, nftUnavailable } from '../support/nft.js';
import { projectPath } from '../../src/paths.js';

const EXAMPLES = ['cosmos', 'ethereum', 'cardano'] as const;
const resolved = (text: string) => resolveInventory(validateText(text).inventory!);
const skipNft = nftUnavailable();

describe('nftables rulesets', () => {
  test(
    'every host of every example gets a ruleset that nft -c accepts',
    { skip: skipNft ? `nft cannot run here: ${skipNft}` : false },
    () => {
      let checked = 0;
      for (const name of EXAMPLES) {
        const inv = resolved(example(name));
        const graph = computeGraph(inv);
        for (const host of inv.hosts) {
          const result = nftCheck(renderNftables(inv, graph, host));
          assert.ok(result.ok, `${name}/${host.name}: ${result.ok ? '' : result.error}`);
          checked++;
        }
      }
      assert.equal(checked, 30);
    },
  );

  test(
    'nft -c does reject a broken ruleset (the check above can fail)',
    { skip: skipNft ? `nft cannot run here: ${skipNft}` : false },
    () => {
      const inv = resolved(example('cosmos'));
      const text = renderNftables(inv, computeGraph(inv), inv.host('val-fra')).replace('policy drop;', 'policy dropp;');
      assert.equal(nftCheck(text).ok, false);
    },
  );

  test('policy drop; established, invalid and loopback handled first; one commented rule per flow', () => {
    const inv = resolved(example('cosmos'));
    const graph = computeGraph(inv);
    const host = inv.host('sentry-fra-1');
    const text = renderNftables(inv, graph, host);
    const lines = text.split('\n').map((l) => l.trim());
    const at = (s: string) => lines.findIndex((l) => l.startsWith(s));
    assert.ok(at('type filter hook input priority filter; policy drop;') < at('ct state established,related accept'));
    assert.ok(at('ct state established,related accept') < at('iif "lo" accept'));
    const entries = firewallEntries(inv, graph, host);
    const rules = lines.filter((l) => l.includes(' dport '));
    assert.equal(rules.length, entries.filter((e) => e.rule).length);
    assert.ok(rules.every((r) => /accept comment ".+"$/.test(r)));
    assert.ok(rules.includes('tcp dport 26656 accept comment "p2p from the internet"'));
  });

  test('validator and signer rulesets match a source address on every rule', () => {
    for (const name of EXAMPLES) {
      const inv = resolved(example(name));
      const graph = computeGraph(inv);
      for (const host of inv.hosts.filter((h) => h.tier === 'validator' || h.tier === 'signer')) {
        for (const rule of renderNftables(inv, graph, host)
          .split('\n')
          .filter((l) => l.includes(' dport '))) {
          assert.match(rule.trim(), /^ip6? saddr \S+ /, `${host.name}: ${rule.trim()}`);
        }
      }
    }
  });

  test('IPv6 admin networks become ip6 rules', () => {
    const inv = resolved(example('ethereum'));
    const text = renderNftables(inv, computeGraph(inv), inv.host('vc-fra'));
    assert.match(text, /ip6 saddr 2001:db8:100::\/48 tcp dport 22 accept/);
  });

  test('a DNS name where the firewall needs an address is refused with the host named', () => {
    const inv = resolved(
      InventoryBuilder.example('cosmos').setHost('sentry-fra-2', { address: 'sentry2.fra.example.net' }).text(),
    );
    assert.throws(
      () => renderNftables(inv, computeGraph(inv), inv.host('val-fra')),
      (err: unknown) =>
        err instanceof RenderError && /sentry-fra-2/.test(err.message) && /private_address/.test(err.hint ?? ''),
    );
  });

  test('stake firewall explain cites the inventory line behind each rule', () => {
    const r = runStake(['firewall', 'explain', 'val-fra', '--json', '-i', projectPath('inventories', 'cosmos.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const fromSentry = doc.entries.find((e: { from: string }) => e.from === 'sentry-waw-2');
    assert.match(fromSentry.rule, /^ip saddr 10\.2\.0\.22 tcp dport 26656 accept/);
    assert.ok(fromSentry.because.some((b: { text: string }) => b.text.startsWith('upstream: [')));
    const human = runStake(['firewall', 'explain', 'val-fra', '-i', projectPath('inventories', 'cosmos.yaml')]);
    assert.match(human.stdout, /inventories\/cosmos\.yaml:\d+ {2}upstream: \[sentry-fra-1/);
    assert.equal(runStake(['firewall', 'explain', 'nope', '-i', projectPath('inventories', 'cosmos.yaml')]).code, 2);
  });
});

describe('nftables: sources in their canonical form only', () => {
  const spelled = () =>
    InventoryBuilder.example('cosmos')
      .setHost('sentry-fra-1', { address: '203.0.113.21', private_address: '010.1.0.021' })
      .setHost('sentry-waw-1', { private_address: '::FFFF:10.2.0.21' })
      .build();

  test(
    'leading zeros, IPv4-mapped IPv6, host bits and uppercase IPv6 become one spelling, and nft -c accepts it',
    { skip: skipNft ? `nft cannot run here: ${skipNft}` : false },
    () => {
      const raw = spelled();
      raw.access = { ...raw.access, admin_cidrs: ['198.51.100.7/24', '2001:DB8:100::1/48', '::ffff:203.0.113.0/120'] };
      const inv = resolveInventory(raw);
      const text = renderNftables(inv, computeGraph(inv), inv.host('val-fra'));
      assert.match(text, /ip saddr 10\.1\.0\.21 tcp dport 26656 accept/);
      assert.match(text, /ip saddr 10\.2\.0\.21 tcp dport 26656 accept/);
      assert.match(text, /ip saddr 198\.51\.100\.0\/24 tcp dport 22 accept/);
      assert.match(text, /ip6 saddr 2001:db8:100::\/48 tcp dport 22 accept/);
      assert.match(text, /ip saddr 203\.0\.113\.0\/24 tcp dport 22 accept/);
      assert.doesNotMatch(text, /010\.|ffff|FFFF|DB8|\.7\//);
      const result = nftCheck(text);
      assert.ok(result.ok, result.ok ? '' : result.error);
    },
  );

  test('a validator or signer never gets a rule from a world-wide source, even if validation was skipped', () => {
    for (const cidrs of [['0.0.0.0/0'], ['::/0'], ['::ffff:0.0.0.0/96'], ['10.0.0.0/33']]) {
      const raw = InventoryBuilder.example('cosmos').build();
      raw.access = { ...raw.access, admin_cidrs: cidrs };
      const inv = resolveInventory(raw);
      const graph = computeGraph(inv);
      assert.throws(
        () => renderNftables(inv, graph, inv.host('val-fra')),
        (err: unknown) => err instanceof RenderError && /val-fra/.test(err.message),
        cidrs[0],
      );
    }
  });
});
