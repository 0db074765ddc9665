import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { projectPath } from '../../src/paths.js';
import { runStake } from '../support/helpers.js';

const COSMOS = projectPath('inventories', 'cosmos.yaml');
const hasDot = spawnSync('dot', ['-V']).status === 0;

describe('stake graph', () => {
  test('text: datacenters with their hosts, then the flows', () => {
    const r = runStake(['graph', '-i', COSMOS]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[ams1\]\n {2}witness-ams \(witness\)/m);
    assert.match(r.stdout, /internet -> sentry-fra-1: p2p 26656\/tcp/);
    assert.match(r.stdout, /(sentry-fra-1 <-> val-fra|val-fra <-> sentry-fra-1): p2p 26656\/tcp/);
    assert.doesNotMatch(r.stdout, /22\/tcp/, 'ssh only with --all');
    assert.match(runStake(['graph', '--all', '-i', COSMOS]).stdout, /bastion-fra -> val-fra: ssh 22\/tcp/);
  });

  test('dot: clusters per datacenter, shapes per tier', () => {
    const r = runStake(['graph', '--format', 'dot', '-i', COSMOS]);
    assert.match(r.stdout, /subgraph cluster_fra1 \{/);
    assert.match(r.stdout, /"val-fra" \[shape=doubleoctagon/);
    assert.match(r.stdout, /"witness-ams" \[shape=diamond/);
  });

  test(
    'dot: Graphviz renders it',
    { skip: hasDot ? false : 'Graphviz is not installed (apt-get install graphviz; .ci/run does)' },
    () => {
      const r = runStake(['graph', '--format', 'dot', '-i', COSMOS]);
      const svg = spawnSync('dot', ['-Tsvg'], { input: r.stdout, encoding: 'utf8' });
      assert.equal(svg.status, 0, svg.stderr);
      assert.match(svg.stdout, /<svg/);
    },
  );

  test('mermaid: a flowchart with a subgraph per datacenter', () => {
    const r = runStake(['graph', '--format', 'mermaid', '-i', COSMOS]);
    assert.match(r.stdout, /^flowchart LR/);
    assert.match(r.stdout, /subgraph waw1\[waw1\]/);
    assert.match(
      r.stdout,
      /(sentry_fra_1 <-->\|"p2p 26656\/tcp"\| val_fra|val_fra <-->\|"p2p 26656\/tcp"\| sentry_fra_1)/,
    );
  });

  test('--json gives the flows; an unknown format is a usage error', () => {
    const doc = JSON.parse(runStake(['graph', '--json', '-i', COSMOS]).stdout);
    assert.ok(doc.flows.length > 20);
    assert.equal(runStake(['graph', '--format', 'png', '-i', COSMOS]).code, 2);
  });
});
