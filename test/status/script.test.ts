/**
 * The pieces of `stake status`, `stake drill` and the monitoring render that decide things:
 * metrics parsing, the status script (run by a real bash against real files and a real metrics
 * endpoint), the witness copy rule, a drill round's verdict and report, and the Prometheus
 * files (checked by promtool where it is installed, as .ci/run does).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { resolveInventory, type ResolvedHost } from '../../src/inventory/resolve.js';
import { metricsText, parseMetrics, readingOf } from '../../src/status/metrics.js';
import { parseStatus, statusScript, type StatusRequest } from '../../src/status/script.js';
import { decideWitnessCopy } from '../../src/status/witness-copy.js';
import { roundRecord, type TimedEvent } from '../../src/drill/timeline.js';
import { htmlReport, markdownReport, summarize, type DrillReport } from '../../src/drill/report.js';
import { alertRules, renderMonitoring, scrapeConfig } from '../../src/render/monitoring.js';
import { computeGraph } from '../../src/topology/graph.js';
import { validatorKeyFiles } from '../../src/keys/layout.js';
import { example, validateText } from '../support/helpers.js';

const resolved = (name: 'cosmos' | 'ethereum' | 'cardano') => resolveInventory(validateText(example(name)).inventory!);
const promtool = spawnSync('promtool', ['--version']).status === 0;

describe('metrics', () => {
  test('reads the Prometheus text format: labels, comments, HTTP headers and a validator address label', () => {
    const text =
      'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n# HELP cometbft_consensus_height Height\n# TYPE cometbft_consensus_height gauge\ncometbft_consensus_height{chain_id="cosmoshub-4"} 1234\ncometbft_p2p_peers{chain_id="cosmoshub-4"} 7\r\ncometbft_blocksync_syncing 0\ncometbft_consensus_validator_last_signed_height{chain_id="x",validator_address="AB\\"C"} 1233 1700000000000\n';
    const samples = parseMetrics(text);
    assert.equal(samples.length, 4);
    assert.deepEqual(samples[3]!.labels, { chain_id: 'x', validator_address: 'AB"C' });
    assert.deepEqual(readingOf('cometbft', samples), { height: 1234, peers: 7, syncing: false, lastSigned: 1233 });
  });

  test('a client that reports "synced" (lighthouse) and one with no signing metric', () => {
    assert.deepEqual(
      readingOf('lighthouse', parseMetrics('beacon_head_slot 99\nlibp2p_peers 50\nsync_eth2_synced 0\n')),
      { height: 99, peers: 50, syncing: true },
    );
    assert.deepEqual(readingOf('vouch', parseMetrics('vouch_ready 1\n')), {});
  });

  test('what the simulated clients serve reads back as what they meant', () => {
    const text = metricsText('cometbft', {
      height: 10,
      peers: 2,
      syncing: false,
      lastSigned: 9,
      validatorAddress: 'ABCD',
    });
    assert.deepEqual(readingOf('cometbft', parseMetrics(text)), {
      height: 10,
      peers: 2,
      syncing: false,
      lastSigned: 9,
    });
  });
});

describe('the status script, run by bash against a host root and a metrics endpoint', () => {
  let server: Server;
  let port = 0;
  let root = '';
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'stake-status-'));
    server = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(
        req.url === '/metrics'
          ? '# TYPE cometbft_consensus_height gauge\ncometbft_consensus_height 77\ncometbft_p2p_peers 3\ngo_goroutines 12\ncometbft_consensus_validator_last_signed_height{validator_address="AA"} 76\n'
          : 'no',
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('facts, key state, generation, signing state and the wanted samples come back, each in its section', async () => {
    mkdirSync(join(root, 'etc/stake'), { recursive: true });
    writeFileSync(join(root, 'etc/stake/a.conf'), 'hello\n');
    mkdirSync(join(root, 'var/lib/stake/cosmoshub'), { recursive: true });
    writeFileSync(
      join(root, 'var/lib/stake/cosmoshub/generation'),
      '{"generation":3,"active":"val-fra","since":"x","approvers":[],"plan":"p"}\n',
    );
    mkdirSync(join(root, 'var/lib/cometbft/data'), { recursive: true });
    writeFileSync(join(root, 'var/lib/cometbft/data/priv_validator_state.json'), '{"height":"76","round":0,"step":3}');
    const host = {
      name: 'val-fra',
      root,
      init: 'direct',
      address: '127.0.0.1',
      privateAddress: '127.0.0.1',
      ssh: { become: 'none' },
    } as unknown as ResolvedHost;
    const request: StatusRequest = {
      paths: ['/etc/stake/a.conf', '/etc/stake/missing.conf'],
      services: ['cometbft'],
      probes: [
        {
          identity: 'cosmoshub',
          keys: validatorKeyFiles('cosmos'),
          files: ['/var/lib/cometbft/data/priv_validator_state.json'],
        },
      ],
      metrics: [
        {
          client: 'cometbft',
          port,
          names: ['cometbft_consensus_height', 'cometbft_p2p_peers', 'cometbft_consensus_validator_last_signed_height'],
        },
        { client: 'geth', port: 1, names: ['chain_head_block'] },
      ],
    };
    // not spawnSync: the metrics server lives in this process and must answer meanwhile
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['--norc', '--noprofile', '-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      child.stdin.end(statusScript(host, request));
    });
    assert.equal(run.status, 0, run.stderr);
    const answer = parseStatus(host, request, run.stdout);
    assert.equal(
      answer.facts.files['/etc/stake/a.conf']!.sha256,
      '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
    );
    assert.equal(answer.facts.files['/etc/stake/missing.conf'], null);
    assert.equal(answer.facts.services.cometbft, 'inactive');
    assert.equal(answer.probes.cosmoshub!.keys['priv_validator_key.json'], 'missing');
    assert.match(answer.probes.cosmoshub!.generation ?? '', /"generation":3/);
    assert.equal(
      answer.probes.cosmoshub!.files['/var/lib/cometbft/data/priv_validator_state.json'],
      '{"height":"76","round":0,"step":3}',
    );
    assert.deepEqual(
      answer.metrics.cometbft!.map((s) => s.name),
      ['cometbft_consensus_height', 'cometbft_p2p_peers', 'cometbft_consensus_validator_last_signed_height'],
      'only the wanted samples cross the wire',
    );
    assert.equal(answer.metrics.geth, null, 'nothing listens on port 1: the endpoint is down, not empty');
  });
});

describe('the witness copy', () => {
  const state = (h: number) => JSON.stringify({ height: String(h), round: 0, step: 3 });
  test('saved when missing or behind, kept when current, never moved backwards', () => {
    assert.deepEqual(decideWitnessCopy('cosmos', 'hub', state(10), undefined), {
      write: true,
      path: '/var/lib/stake/hub/signing-state/priv_validator_state.json',
      content: state(10),
      why: 'saved (height 10)',
    });
    assert.equal(decideWitnessCopy('cosmos', 'hub', state(10), state(9)).write, true);
    assert.deepEqual(decideWitnessCopy('cosmos', 'hub', state(10), state(10)), {
      write: false,
      why: 'current (height 10)',
    });
    const back = decideWitnessCopy('cosmos', 'hub', state(8), state(10));
    assert.equal(back.write, false);
    assert.match(back.why, /ahead \(10 > 8\)/);
    assert.equal(decideWitnessCopy('cosmos', 'hub', 'not json', state(10)).write, false);
    assert.equal(decideWitnessCopy('ethereum', 'pool', 'x', undefined).write, false);
  });
});

describe('a drill round', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 10, 21, 3, 0, 0) + ms).toISOString();
  const events: TimedEvent[] = [
    ...['lock', 'preflight', 'fence', 'carry', 'bump', 'activate', 'verify', 'record'].flatMap((step, i) => [
      { time: at(i * 500), event: 'step', step, phase: 'start' },
      { time: at(i * 500 + 400), event: 'step', step, phase: 'done', ms: 400 },
    ]),
    { time: at(4000), event: 'end', result: 'done', exitCode: 0 },
  ];
  const sig = (height: number, host: string, ms: number, signer = `${host}#1`) => ({
    identity: 'hub',
    height,
    host,
    signer,
    at: at(ms),
  });
  const signatures = [sig(10, 'a', -500), sig(11, 'a', 0), sig(12, 'a', 400), sig(20, 'b', 3600), sig(21, 'b', 3900)];

  test('steps on a clock, the signing gap in heights and time, pass within the objective', () => {
    const r = roundRecord({
      round: 1,
      from: 'a',
      to: 'b',
      objectiveMs: 10_000,
      events,
      signatures,
      chainDoubleSigns: 0,
    });
    assert.equal(r.durationMs, 4000);
    assert.deepEqual(r.steps[2], { step: 'fence', startMs: 1000, endMs: 1400, ok: true });
    assert.equal(r.lastOld, 12);
    assert.equal(r.firstNew, 20);
    assert.equal(r.gapHeights, 7);
    assert.equal(r.gapMs, 3200);
    assert.deepEqual(r.failures, []);
  });

  test('fails on a double sign, on the objective, and on a failover that did not finish', () => {
    const doubled = roundRecord({
      round: 1,
      from: 'a',
      to: 'b',
      objectiveMs: 10_000,
      events,
      signatures: [...signatures, sig(21, 'a', 3900, 'a#2')],
      chainDoubleSigns: 0,
    });
    assert.deepEqual(doubled.doubleSigned, [21]);
    assert.match(doubled.failures.join(), /1 double sign at height 21/);
    assert.match(
      roundRecord({
        round: 1,
        from: 'a',
        to: 'b',
        objectiveMs: 3000,
        events,
        signatures,
        chainDoubleSigns: 0,
      }).failures.join(),
      /over the objective of 3 s/,
    );
    const stopped = roundRecord({
      round: 1,
      from: 'a',
      to: 'b',
      objectiveMs: 10_000,
      events: [...events.slice(0, 6), { time: at(1500), event: 'end', result: 'rolled-back', exitCode: 1 }],
      signatures: signatures.slice(0, 3),
      chainDoubleSigns: 0,
    });
    assert.match(stopped.failures.join(), /ended rolled-back/);
  });

  test('the report: Markdown table, self-contained HTML with one timeline per round', () => {
    const rounds = [
      roundRecord({ round: 1, from: 'a', to: 'b', objectiveMs: 10_000, events, signatures, chainDoubleSigns: 0 }),
    ];
    const report: DrillReport = {
      version: 1,
      deployment: 'd',
      identity: 'hub',
      family: 'cosmos',
      inventory: 'i.yaml',
      operators: ['alice', 'bob'],
      startedAt: at(0),
      endedAt: at(5000),
      objectiveMs: 10_000,
      rounds,
      summary: summarize(rounds),
      observer: 'the lab chain',
      passed: true,
    };
    assert.match(markdownReport(report), /\| 1 \| a → b \| done \| 4\.0 s \| 7 heights \(3\.2 s\) \| 12 \/ 20 \| 0 \|/);
    const html = htmlReport(report);
    assert.equal((html.match(/<svg /g) ?? []).length, 1);
    assert.equal((html.match(/<circle /g) ?? []).length, 5, 'a dot per signature');
    assert.doesNotMatch(html, /<script|src=|href=/);
    assert.match(html, /signing gap: 7 heights/);
  });
});

describe('monitoring rendered for access.monitor', () => {
  test('a scrape target for every metrics flow of the graph, node exporters on every host, identity labels on validator hosts', () => {
    for (const name of ['cosmos', 'ethereum', 'cardano'] as const) {
      const inv = resolved(name);
      const graph = computeGraph(inv);
      const config = scrapeConfig(inv, graph, inv.access.monitor!) as {
        scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: Record<string, string> }[] }[];
      };
      const targets = config.scrape_configs.flatMap((j) => j.static_configs.flatMap((s) => s.targets));
      const flows = graph.flows.filter((f) => f.from.kind === 'host' && f.from.host === inv.access.monitor!.name);
      assert.equal(targets.length, flows.length, `${name}: one target per metrics flow`);
      const node = config.scrape_configs.find((j) => j.job_name === 'node')!;
      assert.equal(node.static_configs.length, inv.hosts.length, `${name}: every host's node exporter`);
      const active = inv.identities[0]!.active;
      const labels = config.scrape_configs
        .flatMap((j) => j.static_configs)
        .find(
          (s) => s.labels.host === active.name && s.labels.client !== 'none' && s.labels.client === active.client,
        )!.labels;
      assert.equal(labels.identity, inv.identities[0]!.name);
    }
  });

  test('only the monitor gets the files; the rules cover every alert the on-call needs', () => {
    const inv = resolved('cosmos');
    const graph = computeGraph(inv);
    assert.deepEqual(renderMonitoring(inv, graph, inv.host('val-fra')), []);
    const files = renderMonitoring(inv, graph, inv.access.monitor!);
    assert.deepEqual(
      files.map((f) => f.path),
      ['/etc/prometheus/prometheus.yml', '/etc/prometheus/rules/stake.rules.yml'],
    );
    const rules = (parse(files[1]!.content) as { groups: { rules: { alert: string }[] }[] }).groups[0]!.rules.map(
      (r) => r.alert,
    );
    assert.deepEqual(rules, [
      'StakeIdentityNotSigning',
      'StakeTwoHostsSigning',
      'StakeNodeDown',
      'StakeHeightStalled',
      'StakePeersLow',
      'StakeDiskNearlyFull',
      'StakeClockDrift',
    ]);
  });

  test(
    'promtool accepts the configuration and the rules of every example',
    { skip: promtool ? false : "promtool is not installed (.ci/run installs Debian's prometheus)" },
    () => {
      for (const name of ['cosmos', 'ethereum', 'cardano'] as const) {
        const inv = resolved(name);
        const dir = mkdtempSync(join(tmpdir(), 'stake-prom-'));
        try {
          for (const f of renderMonitoring(inv, computeGraph(inv), inv.access.monitor!)) {
            mkdirSync(join(dir, f.path, '..'), { recursive: true });
            writeFileSync(join(dir, f.path), f.content);
          }
          const rules = spawnSync('promtool', ['check', 'rules', join(dir, 'etc/prometheus/rules/stake.rules.yml')], {
            encoding: 'utf8',
          });
          assert.equal(rules.status, 0, `${name}: ${rules.stdout}${rules.stderr}`);
          const config = spawnSync('promtool', ['check', 'config', join(dir, 'etc/prometheus/prometheus.yml')], {
            encoding: 'utf8',
          });
          assert.equal(config.status, 0, `${name}: ${config.stdout}${config.stderr}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    },
  );

  test(
    'promtool test rules: two hosts signing pages, a failover overlap does not, a silent identity pages',
    { skip: promtool ? false : 'promtool is not installed' },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'stake-promtest-'));
      try {
        writeFileSync(join(dir, 'stake.rules.yml'), JSON.stringify(alertRules(resolved('cosmos'))));
        const series = (host: string, values: string) => ({
          series: `cometbft_consensus_validator_last_signed_height{identity="cosmoshub",host="${host}"}`,
          values,
        });
        const tests = {
          rule_files: ['stake.rules.yml'],
          evaluation_interval: '15s',
          tests: [
            {
              // both hosts keep signing: a double sign in the making
              interval: '15s',
              input_series: [series('val-fra', '100+5x20'), series('val-waw', '100+5x20')],
              alert_rule_test: [
                {
                  eval_time: '3m',
                  alertname: 'StakeTwoHostsSigning',
                  exp_alerts: [
                    {
                      exp_labels: { identity: 'cosmoshub', severity: 'page' },
                      exp_annotations: {
                        summary: 'cosmoshub: 2 hosts are signing at once: fence all but the live active host NOW',
                        runbook: 'docs/operate.md#two-signers',
                      },
                    },
                  ],
                },
              ],
            },
            {
              // a failover: val-fra stops, val-waw takes over 15 s later; their windows overlap briefly
              interval: '15s',
              input_series: [series('val-fra', '100+5x8 140x12'), series('val-waw', '0x9 150+5x11')],
              alert_rule_test: [
                { eval_time: '2m30s', alertname: 'StakeTwoHostsSigning', exp_alerts: [] },
                { eval_time: '5m', alertname: 'StakeTwoHostsSigning', exp_alerts: [] },
              ],
            },
            {
              // nobody signs for six minutes
              interval: '1m',
              input_series: [series('val-fra', '100x10'), series('val-waw', '0x10')],
              alert_rule_test: [
                {
                  eval_time: '7m',
                  alertname: 'StakeIdentityNotSigning',
                  exp_alerts: [
                    {
                      exp_labels: { identity: 'cosmoshub', severity: 'page' },
                      exp_annotations: {
                        summary: 'cosmoshub: no new precommit from any of its hosts in 5m',
                        runbook: 'docs/operate.md#identity-not-signing',
                      },
                    },
                  ],
                },
              ],
            },
          ],
        };
        writeFileSync(join(dir, 'tests.yml'), JSON.stringify(tests));
        const r = spawnSync('promtool', ['test', 'rules', join(dir, 'tests.yml')], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
