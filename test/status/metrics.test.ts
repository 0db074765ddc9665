/** Metrics: the Prometheus text format, and each client's reading of it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsText } from '../../src/lab/sim/metrics.js';
import { parseMetrics, readingOf } from '../../src/status/metrics.js';

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
