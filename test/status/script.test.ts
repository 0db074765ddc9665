/** The status script, run by a real bash against a host root and a real metrics endpoint. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ResolvedHost } from '../../src/inventory/resolve.js';
import { parseStatus, statusScript, type StatusRequest } from '../../src/status/script.js';
import { validatorKeyFiles } from '../../src/keys/layout.js';

describe('the status script, run by bash against a host root and a metrics endpoint', () => {
  let server: Server;
  let port = 0;
  let root = '';
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'stake-status-'));
    server = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      if (req.url !== '/metrics') res.statusCode = 404;
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
          path: '/metrics',
          names: ['cometbft_consensus_height', 'cometbft_p2p_peers', 'cometbft_consensus_validator_last_signed_height'],
        },
        { client: 'geth', port: 1, path: '/debug/metrics/prometheus', names: ['chain_head_block'] },
        // the server answers 404 at any other path: as a geth scraped at /metrics
        { client: 'nethermind', port, path: '/debug/metrics/prometheus', names: ['cometbft_p2p_peers'] },
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
    assert.equal(answer.metrics.nethermind, null, 'a 404 at the path asked is no metrics, not an empty reading');
  });
});
