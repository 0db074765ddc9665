/**
 * The monitor's files: one scrape target per metrics flow, the alert rules, and both checked by
 * promtool where it is installed (as .ci/run does), including `promtool test rules` for the two
 * signing alerts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { alertRules, renderMonitoring, scrapeConfig } from '../../src/render/monitoring.js';
import { computeGraph } from '../../src/topology/graph.js';
import { example, validateText } from '../support/helpers.js';

const resolved = (name: 'cosmos' | 'ethereum' | 'cardano') => resolveInventory(validateText(example(name)).inventory!);
const promtool = spawnSync('promtool', ['--version']).status === 0;

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
      'StakeDoubleSignEvidence',
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
    'promtool test rules: two hosts signing pages, a failover overlap does not, a silent identity pages, chain evidence pages',
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
              // one block on one sentry carries evidence; the alert holds for the ten minutes after it, then clears
              interval: '1m',
              input_series: [
                { series: 'cometbft_consensus_byzantine_validators{host="sentry-fra-1"}', values: '0 0 1 0x20' },
                { series: 'cometbft_consensus_byzantine_validators{host="sentry-waw-1"}', values: '0x23' },
              ],
              alert_rule_test: [
                { eval_time: '1m', alertname: 'StakeDoubleSignEvidence', exp_alerts: [] },
                {
                  eval_time: '3m',
                  alertname: 'StakeDoubleSignEvidence',
                  exp_alerts: [
                    {
                      exp_labels: { host: 'sentry-fra-1', severity: 'page' },
                      exp_annotations: {
                        summary:
                          'sentry-fra-1 saw double-sign evidence in a block: run stake status now (it names the key, and whether it is yours)',
                        runbook: 'docs/operate.md#double-sign-evidence',
                      },
                    },
                  ],
                },
                { eval_time: '15m', alertname: 'StakeDoubleSignEvidence', exp_alerts: [] },
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
