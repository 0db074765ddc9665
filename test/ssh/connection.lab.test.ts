/** The SSH transport against real OpenSSH sshd hosts on loopback. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { SshConnection, type ConnectOptions, type SshTarget } from '../../src/ssh/connection.js';
import { SshError } from '../../src/ssh/errors.js';
import { parseKnownHosts } from '../../src/ssh/known-hosts.js';
import { waitFor } from '../../src/wait.js';
import { startTestHosts, sshdUnavailable, type TestHost, type TestHosts } from '../support/sshd.js';

const skip = sshdUnavailable();
let lab: TestHosts;
const target = (h: TestHost, extra: Partial<SshTarget> = {}): SshTarget => ({
  name: h.name,
  address: h.address,
  port: h.port,
  user: 'root',
  identity: lab.clientKey,
  ...extra,
});
const trusted = (): ConnectOptions => ({
  knownHosts: parseKnownHosts(readFileSync(lab.knownHosts, 'utf8')),
  connectTimeoutMs: 5000,
});
const refusal = async (p: Promise<unknown>): Promise<SshError> => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SshError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
};

describe('SSH transport', { skip: skip ?? false }, () => {
  before(async () => {
    lab = await startTestHosts(['alpha', 'beta', 'gamma', 'down']);
    await lab.stopHost(lab.hosts[3]!);
  });
  after(async () => lab?.stop());

  test('runs commands on a trusted host; a failing command reports its code', async () => {
    const c = await SshConnection.open(target(lab.hosts[0]!), trusted());
    try {
      assert.equal((await c.run('echo hello; echo err >&2')).trim(), 'hello');
      const r = await c.exec('exit 7');
      assert.equal(r.code, 7);
      await assert.rejects(c.run('echo oops >&2; exit 3'), /exited 3: oops/);
      assert.equal(await c.run('cat', { stdin: 'from stdin' }), 'from stdin');
    } finally {
      c.close();
    }
  });

  test('an unknown host is refused with its fingerprint and the command that trusts it (exit 4)', async () => {
    const err = await refusal(SshConnection.open(target(lab.hosts[0]!), { knownHosts: [], connectTimeoutMs: 5000 }));
    assert.equal(err.phase, 'hostkey');
    assert.equal(err.exitCode, 4);
    const printed = execFileSync('ssh-keygen', ['-l', '-f', '-'], {
      input: lab.hosts[0]!.hostKey,
      encoding: 'utf8',
    }).split(' ')[1];
    assert.match(
      err.message,
      new RegExp(`unknown host 127\\.0\\.1\\.\\d+:\\d+, key ssh-ed25519 ${printed!.replace(/[+/]/g, '\\$&')}`),
    );
    assert.match(err.hint ?? '', /stake trust alpha/);
  });

  test('--accept-new accepts an unknown host once and reports its key; a changed key is refused even then', async () => {
    const seen: string[] = [];
    const c = await SshConnection.open(target(lab.hosts[0]!), {
      knownHosts: [],
      acceptNew: true,
      onNewHostKey: (t, key) => seen.push(`${t.name} ${key.toString('base64')}`),
      connectTimeoutMs: 5000,
    });
    c.close();
    assert.deepEqual(seen, [`alpha ${lab.hosts[0]!.hostKey.split(' ')[1]}`]);
    // beta's address with alpha's key on file: beta's real key is a changed key
    const wrong = parseKnownHosts(`[${lab.hosts[1]!.address}]:${lab.hosts[1]!.port} ${lab.hosts[0]!.hostKey}\n`);
    const err = await refusal(
      SshConnection.open(target(lab.hosts[1]!), { knownHosts: wrong, acceptNew: true, connectTimeoutMs: 5000 }),
    );
    assert.equal(err.phase, 'hostkey');
    assert.match(err.message, /CHANGED/);
  });

  test('a @revoked host key is refused', async () => {
    const kh = parseKnownHosts(`${readFileSync(lab.knownHosts, 'utf8')}@revoked * ${lab.hosts[2]!.hostKey}\n`);
    const err = await refusal(SshConnection.open(target(lab.hosts[2]!), { knownHosts: kh, connectTimeoutMs: 5000 }));
    assert.match(err.message, /REVOKED/);
  });

  test('a chain of jump hosts reaches the target; with the middle jump down it cannot', async () => {
    const chain = target(lab.hosts[2]!, { jump: target(lab.hosts[1]!, { jump: target(lab.hosts[0]!) }) });
    const c = await SshConnection.open(chain, trusted());
    try {
      // the target sees the connection coming from the forwarding of its jump host
      assert.match(await c.run('echo $SSH_CONNECTION'), /^127\.0\.0\.1 \d+ 127\.0\.1\.\d+ \d+/);
    } finally {
      c.close();
    }
    const viaDown = target(lab.hosts[2]!, { jump: target(lab.hosts[3]!) });
    const err = await refusal(SshConnection.open(viaDown, trusted()));
    assert.equal(err.host, 'down');
    assert.equal(err.exitCode, 5);
  });

  test('a target behind a jump that never greets, then hangs up: one refusal, and the process lives on', async () => {
    // ssh2 emits two errors here (the handshake's timeout, then "Connection lost before handshake"
    // when the forwarded channel ends): the second once had no listener and ended the process
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      setTimeout(() => socket.destroy(), 700);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const behind: SshTarget = {
        ...target(lab.hosts[0]!),
        name: 'mute',
        address: '127.0.0.1',
        port,
        jump: target(lab.hosts[0]!),
      };
      // the jump connection shared and kept open, as a deploy's session keeps it for its other hosts
      const jumps = new Map<string, Promise<SshConnection>>();
      try {
        const err = await refusal(SshConnection.open(behind, { ...trusted(), connectTimeoutMs: 300, jumps }));
        assert.equal(err.host, 'mute');
        assert.equal(err.exitCode, 5, err.message);
        await waitFor(() => sockets.length > 0 && sockets.every((s) => s.destroyed), {
          timeoutMs: 5000,
          what: 'the hang-up',
        });
        await new Promise((r) => setTimeout(r, 300)); // the channel's end reaches the client after the hang-up
        // the shared jump still works
        const c = await SshConnection.open(target(lab.hosts[1]!, { jump: target(lab.hosts[0]!) }), {
          ...trusted(),
          jumps,
        });
        assert.equal((await c.run('echo through')).trim(), 'through');
        c.close();
      } finally {
        await Promise.all([...jumps.values()].map(async (j) => (await j.catch(() => undefined))?.close()));
      }
    } finally {
      silent.close();
    }
  });

  test('a host that is down is unreachable (exit 5)', async () => {
    const err = await refusal(SshConnection.open(target(lab.hosts[3]!), trusted()));
    assert.equal(err.phase, 'connect');
    assert.equal(err.exitCode, 5);
  });

  test('atomic write: the file appears whole with its mode; a connection killed mid-upload leaves the old file intact', async () => {
    const path = join(lab.hosts[0]!.root, 'config.toml');
    const c = await SshConnection.open(target(lab.hosts[0]!), trusted());
    await c.writeFileAtomic(path, 'old = true\n', 0o640);
    c.close();
    assert.equal(readFileSync(path, 'utf8'), 'old = true\n');
    assert.equal(Number(execFileSync('stat', ['-c', '%a', path], { encoding: 'utf8' })), 640);

    const killed = await SshConnection.open(target(lab.hosts[0]!), trusted());
    const big = Buffer.alloc(64 * 1024 * 1024, 0x61);
    const upload = killed.writeFileAtomic(path, big, 0o640).catch((err: unknown) => err);
    // closed once the upload is under way: its temp, beside the file, holds a megabyte of it
    const temp = () => readdirSync(dirname(path)).find((n) => n.startsWith(`.config.toml.stake-${process.pid}-`));
    const written = () => {
      const name = temp();
      return (
        name !== undefined &&
        existsSync(join(dirname(path), name)) &&
        statSync(join(dirname(path), name)).size > 1 << 20
      );
    };
    await waitFor(written, { timeoutMs: 30_000, what: 'a megabyte of the upload on the host', intervalMs: 10 }).finally(
      () => killed.close(),
    );
    const outcome = await upload;
    assert.ok(outcome instanceof Error, 'the upload failed');
    assert.equal(readFileSync(path, 'utf8'), 'old = true\n', 'the old file is intact');
  });

  test('an encrypted key needs its passphrase; with it, it logs in', async () => {
    const key = join(lab.dir, 'encrypted_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', key]);
    appendFileSync(join(lab.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
    const err = await refusal(SshConnection.open(target(lab.hosts[0]!, { identity: key }), trusted()));
    assert.equal(err.phase, 'auth');
    assert.match(err.hint ?? '', /STAKE_SSH_PASSPHRASE/);
    await assert.rejects(
      SshConnection.open(target(lab.hosts[0]!, { identity: key }), { ...trusted(), passphrase: async () => 'wrong' }),
      /wrong passphrase/,
    );
    const c = await SshConnection.open(target(lab.hosts[0]!, { identity: key }), {
      ...trusted(),
      passphrase: async () => 'correct horse',
    });
    assert.equal((await c.run('echo ok')).trim(), 'ok');
    c.close();
  });

  test('ssh-agent logs in when no key file is given', async () => {
    const sock = join(lab.dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const previous = process.env.SSH_AUTH_SOCK;
    try {
      // the agent listens once its socket is there; ssh-add before that fails
      const added = () => {
        try {
          execFileSync('ssh-add', [lab.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      };
      await waitFor(added, { timeoutMs: 10_000, what: 'ssh-agent to take the key' });
      process.env.SSH_AUTH_SOCK = sock;
      const c = await SshConnection.open(target(lab.hosts[1]!, { identity: undefined }), trusted());
      assert.equal((await c.run('echo agent')).trim(), 'agent');
      c.close();
    } finally {
      if (previous === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = previous;
      agent.kill();
      rmSync(sock, { force: true });
    }
  });
});
