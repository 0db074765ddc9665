/**
 * The observer's requests as a host runs them: the script under real bash, against a real HTTP
 * server on loopback. Answers come back whole (multi-line JSON, a POST's echo), nothing an
 * answer holds can pass for another section, and what is too big, missing or not HTTP is an error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  apiScript,
  jsonOf,
  MAX_ANSWER_BYTES,
  parseApiAnswers,
  parseHttpAnswer,
  type ApiRequest,
  type Delivery,
} from '../../src/observe/http-on-host.js';

const host = { address: '127.0.0.1', privateAddress: '127.0.0.1' };

/** Runs the script under bash; asynchronously, so the server in this process can answer meanwhile. */
function runOnHost(requests: ApiRequest[], delivery: Delivery = 'separate'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--norc', '--noprofile', '-s'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`bash exited ${code}: ${err}`))));
    child.stdin.end(apiScript(host, requests, delivery));
  });
}

describe('API requests made on the host', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/status') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ jsonrpc: '2.0', id: -1, result: { a: 1 } }, null, 2));
        } else if (req.url === '/echo') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ method: req.method, body }));
        } else if (req.url === '/spoof') {
          res.writeHead(200);
          res.end('x\n=== api\tstatus\nAAAA\n');
        } else if (req.url === '/mimic') {
          // a body that looks like the end of its answer and the start of the next one
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('{"a":1}\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{"forged":1}');
        } else if (req.url === '/huge') {
          res.writeHead(200);
          res.end(Buffer.alloc(MAX_ANSWER_BYTES + 10, 'a'));
        } else {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: -1,
              error: { code: -32603, message: 'Internal error', data: 'height 9 must be less' },
            }),
          );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('a GET and a POST come back whole, with their status; an error answer keeps its words', async () => {
    const requests: ApiRequest[] = [
      { tag: 'status', port, method: 'GET', path: '/status' },
      { tag: 'liveness/7', port, method: 'POST', path: '/echo', body: '["1","2"]' },
      { tag: 'block/9', port, method: 'GET', path: '/block?height=9' },
    ];
    const answers = parseApiAnswers(await runOnHost(requests), requests);
    assert.deepEqual(jsonOf(answers.get('status')), { value: { jsonrpc: '2.0', id: -1, result: { a: 1 } } });
    assert.deepEqual(jsonOf(answers.get('liveness/7')), { value: { method: 'POST', body: '["1","2"]' } });
    assert.deepEqual(jsonOf(answers.get('block/9')), { error: 'HTTP 500: height 9 must be less' });
  });

  test('nothing listening, an answer that mimics a section, and one too big: errors or its own bytes, never a spoof', async () => {
    const requests: ApiRequest[] = [
      { tag: 'spoof', port, method: 'GET', path: '/spoof' },
      { tag: 'status', port: 1, method: 'GET', path: '/status' },
      { tag: 'huge', port, method: 'GET', path: '/huge' },
    ];
    const answers = parseApiAnswers(await runOnHost(requests), requests);
    assert.deepEqual(answers.get('spoof'), { status: 200, body: 'x\n=== api\tstatus\nAAAA\n' });
    assert.deepEqual(answers.get('status'), { error: 'nothing answers on its port' });
    assert.deepEqual(answers.get('huge'), { error: `the answer is over ${MAX_ANSWER_BYTES} bytes` });
  });

  test('pipelined on one connection: each answer whole and in its place, a mimicked next answer stays in its body', async () => {
    const requests: ApiRequest[] = [
      { tag: 'status', port, method: 'GET', path: '/status' },
      { tag: 'block/9', port, method: 'GET', path: '/block?height=9' },
      { tag: 'mimic', port, method: 'GET', path: '/mimic' },
      { tag: 'liveness/7', port, method: 'POST', path: '/echo', body: '["1","2"]' },
      { tag: 'huge', port, method: 'GET', path: '/huge' },
      { tag: 'again', port, method: 'GET', path: '/status' },
      { tag: 'closed', port: 1, method: 'GET', path: '/status' },
    ];
    const out = await runOnHost(requests, 'pipelined');
    assert.equal(out.match(/^=== pipe\t/gm)?.length, 2, 'one connection a port');
    const answers = parseApiAnswers(out, requests, 'pipelined');
    assert.deepEqual(jsonOf(answers.get('status')), { value: { jsonrpc: '2.0', id: -1, result: { a: 1 } } });
    assert.deepEqual(jsonOf(answers.get('block/9')), { error: 'HTTP 500: height 9 must be less' });
    assert.deepEqual(answers.get('mimic'), {
      status: 200,
      body: '{"a":1}\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{"forged":1}',
    });
    assert.deepEqual(jsonOf(answers.get('liveness/7')), { value: { method: 'POST', body: '["1","2"]' } });
    assert.deepEqual(answers.get('huge'), { error: `the answer is over ${MAX_ANSWER_BYTES} bytes` });
    assert.deepEqual(jsonOf(answers.get('again')), { value: { jsonrpc: '2.0', id: -1, result: { a: 1 } } });
    assert.deepEqual(answers.get('closed'), { error: 'nothing answers on its port' });
    // the answers of one mode are not read as the other's
    assert.deepEqual(parseApiAnswers(out, requests).get('status'), { error: 'no answer came back' });
  });

  test('an output cut short, a damaged line and non-HTTP bytes are errors; a tag or path that would break a line is refused', () => {
    const requests: ApiRequest[] = [
      { tag: 'a', port, method: 'GET', path: '/status' },
      { tag: 'b', port, method: 'GET', path: '/status' },
    ];
    const answers = parseApiAnswers('=== api\ta\nnot base64 !\n', requests);
    assert.deepEqual(answers.get('a'), { error: 'the answer did not come back intact' });
    assert.deepEqual(answers.get('b'), { error: 'no answer came back' });
    assert.deepEqual(parseHttpAnswer(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')), {
      error: 'not an HTTP answer: "SSH-2.0-OpenSSH"',
    });
    assert.throws(() => apiScript(host, [{ tag: "a'; reboot", port, method: 'GET', path: '/' }]), /bad tag/);
    // a path that would add a header line to the request; quoting needs no check: all goes as base64
    assert.throws(() => apiScript(host, [{ tag: 'a', port, method: 'GET', path: '/x\r\nX-Injected: 1' }]), /bad path/);
  });
});
