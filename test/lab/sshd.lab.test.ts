/**
 * startSshd (src/lab/sshd.ts) with real sshd daemons on loopback: a port picked free can be taken
 * before sshd binds it; sshd then exits saying "Address already in use", and the start tries a
 * new port. Here a net server holds the port the first pick returns, as another process would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bannerAt, freePort, keygen, startSshd, writeSshdConfig } from '../../src/lab/sshd.js';
import { sshdUnavailable } from '../support/sshd.js';

const ADDRESS = '127.0.1.250';

describe('startSshd when its port is taken first', { skip: sshdUnavailable() ?? false }, () => {
  let dir: string;
  let holder: Server;
  let held: number;
  const started: ChildProcess[] = [];
  const spec = (name: string) => ({
    config: join(dir, 'sshd_config'),
    hostKey: join(dir, 'host_ed25519'),
    address: ADDRESS,
    pidFile: join(dir, `${name}.pid`),
    log: join(dir, `${name}.log`),
  });
  const spawned = (child: ChildProcess) => started.push(child);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stake-sshd-port-'));
    keygen(join(dir, 'host_ed25519'), 'port-test');
    writeSshdConfig(join(dir, 'sshd_config'), join(dir, 'authorized_keys'));
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, ADDRESS, resolve));
    held = (holder.address() as { port: number }).port;
  });
  after(() => {
    for (const child of started) child.kill('SIGKILL');
    holder?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the picked port taken: sshd says so and exits, the start picks another port and it answers there', async () => {
    const picks: number[] = [];
    const pickPort = async () => {
      const port = picks.length === 0 ? held : await freePort(ADDRESS);
      picks.push(port);
      return port;
    };
    const { child, port } = await startSshd(spec('retry'), { deadline: Date.now() + 20_000, pickPort, spawned });
    assert.equal(picks.length, 2, `picks: ${picks.join(', ')}`);
    assert.equal(picks[0], held);
    assert.equal(port, picks[1]);
    assert.notEqual(port, held);
    assert.match(readFileSync(join(dir, 'retry.log'), 'utf8'), new RegExp(`${held}.*Address already in use`));
    assert.equal(await bannerAt(ADDRESS, port), true, 'the new port answers with a banner');
    assert.equal(child.exitCode, null, 'and the sshd returned is the one running');
    assert.equal(Number(readFileSync(join(dir, 'retry.pid'), 'utf8')), child.pid);
  });

  test('every pick taken: it gives up after its tries, naming the port and sshd’s words', async () => {
    let picks = 0;
    await assert.rejects(
      startSshd(spec('always'), {
        deadline: Date.now() + 20_000,
        pickPort: async () => (picks++, held),
        attempts: 3,
        spawned,
      }),
      new RegExp(`sshd on ${ADDRESS.replace(/\./g, '\\.')}:${held} did not start .*try 3 of 3.*Address already in use`),
    );
    assert.equal(picks, 3);
  });

  test('a fixed port taken (a lab host’s, named by its inventory): it fails at once, no other port tried', async () => {
    const began = Date.now();
    await assert.rejects(
      startSshd({ ...spec('fixed'), port: held }, { deadline: Date.now() + 20_000, spawned }),
      /did not start \(exit 255\): .*Address already in use/,
    );
    assert.ok(Date.now() - began < 10_000, 'no waiting out the deadline for an sshd that exited');
  });
});
