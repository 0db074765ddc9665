/**
 * One SSH connection to one host, on ssh2: host key checked against known_hosts before anything
 * else, authentication with ssh-agent or a key file, jump hosts (chained) through forwardOut,
 * commands with timeouts, and atomic file writes over SFTP.
 */
import ssh2, { type ClientChannel, type SFTPWrapper } from 'ssh2';
import { connectConfig } from './connect-config.js';
import { classify, hostKeyError, outputOverflow, SshError, RemoteCommandError } from './errors.js';
import { verifyHostKey } from './known-hosts.js';
import { OUTPUT_LIMITS } from './host-records.js';
import type { ConnectOptions, ExecOptions, ExecResult, SshTarget } from './types.js';

const { Client } = ssh2;

export type { ConnectOptions, ExecResult, SshTarget } from './types.js';

const jumpKey = (t: SshTarget): string => `${t.user}@${t.address}:${t.port}${t.jump ? ` via ${jumpKey(t.jump)}` : ''}`;

/** The connection to a jump host: the shared one while it lives, else a new one (shared from then on). */
function jumpConnection(jump: SshTarget, options: ConnectOptions): Promise<SshConnection> {
  const pool = options.jumps;
  if (!pool) return SshConnection.open(jump, options);
  const key = jumpKey(jump);
  let conn = pool.get(key);
  if (!conn) {
    conn = SshConnection.open(jump, options);
    pool.set(key, conn);
    // a failed or lost jump connection leaves the pool, so the next host opens a new one
    conn.then(
      (c) => c.whenLost(() => pool.get(key) === conn && pool.delete(key)),
      () => pool.get(key) === conn && pool.delete(key),
    );
  }
  return conn;
}

export class SshConnection {
  private sftpSession: Promise<SFTPWrapper> | undefined;
  /** Rejects when the connection goes away: ssh2 leaves pending SFTP requests unanswered then. */
  private readonly lost: Promise<never>;

  private constructor(
    readonly target: SshTarget,
    private readonly client: InstanceType<typeof Client>,
    private readonly via: SshConnection | undefined,
  ) {
    this.lost = new Promise<never>((_, reject) => {
      // 'end' comes alone when the far end of a jump host's channel went away ('close' only follows with the jump host's own connection)
      const lost = () =>
        reject(
          new SshError(
            target.name,
            'connect',
            'the connection was lost',
            'check the host and the network, then run the command again',
          ),
        );
      client.once('close', lost);
      client.once('end', lost);
      // an error after the login (a reset, a protocol error) is a lost connection too, never an
      // unhandled 'error' event
      client.on('error', lost);
    });
    this.lost.catch(() => undefined); // observed by whoever is waiting; not an error by itself
  }

  /** Waits for an operation, or fails as soon as the connection is lost. */
  private guard<T>(operation: Promise<T>): Promise<T> {
    return Promise.race([operation, this.lost]);
  }

  /** Connects (through the jump chain, if any). Errors are SshErrors naming the host and phase. */
  static async open(target: SshTarget, options: ConnectOptions): Promise<SshConnection> {
    const via = target.jump ? await jumpConnection(target.jump, options) : undefined;
    const ownsVia = !options.jumps;
    try {
      const sock = via ? await via.forward(target) : undefined;
      const client = new Client();
      const config = await connectConfig(target, options);
      await new Promise<void>((resolve, reject) => {
        let hostKeyProblem: SshError | undefined;
        client.once('ready', () => {
          // Many small request/reply packets: without TCP_NODELAY, Nagle's algorithm and delayed ACKs cost ~40 ms per command
          client.setNoDelay(true);
          resolve();
        });
        // on, not once: ssh2 may emit a second error for one failed connect (a handshake timeout, then
        // "Connection lost before handshake" as a jump host's channel ends), and an 'error' event
        // with no listener would end the whole process
        client.on('error', (err: Error & { level?: string }) => reject(hostKeyProblem ?? classify(target, err)));
        client.connect({
          ...config,
          ...(sock ? { sock } : {}),
          hostVerifier: (key: Buffer) => {
            const verdict = verifyHostKey(options.knownHosts, target.address, target.port, key);
            if (verdict.status === 'trusted') return true;
            if (verdict.status === 'unknown' && options.acceptNew) {
              options.onNewHostKey?.(target, key);
              return true;
            }
            hostKeyProblem = hostKeyError(target, key, verdict);
            return false;
          },
        });
      });
      // Through a jump host the transport is a forwarded channel: when the jump host closes it, so does this connection.
      sock?.once('close', () => client.end());
      return new SshConnection(target, client, ownsVia ? via : undefined);
    } catch (err) {
      if (ownsVia) via?.close();
      throw err;
    }
  }

  /**
   * The host key a host presents, without logging in: the handshake stops at key verification.
   * Jump hosts on the way must already be trusted.
   */
  static async hostKeyOf(target: SshTarget, options: ConnectOptions): Promise<Buffer> {
    const via = target.jump ? await SshConnection.open(target.jump, options) : undefined;
    try {
      const sock = via ? await via.forward(target) : undefined;
      const client = new Client();
      return await new Promise<Buffer>((resolve, reject) => {
        let key: Buffer | undefined;
        client.on('error', (err: Error & { level?: string }) => (key ? resolve(key) : reject(classify(target, err))));
        client.once('close', () =>
          key ? resolve(key) : reject(new SshError(target.name, 'connect', 'closed before showing a host key')),
        );
        client.connect({
          host: target.address,
          port: target.port,
          username: target.user,
          readyTimeout: options.connectTimeoutMs ?? 15_000,
          ...(sock ? { sock } : {}),
          hostVerifier: (presented: Buffer) => {
            key = presented;
            return false;
          },
        });
      });
    } finally {
      via?.close();
    }
  }

  /** A TCP stream to another host, opened from this one (the jump). */
  private forward(next: SshTarget): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, next.address, next.port, (err, stream) => {
        if (err)
          reject(
            new SshError(
              next.name,
              'connect',
              `cannot reach ${next.address}:${next.port} through ${this.target.name}: ${err.message}`,
              `check that ${this.target.name} allows TCP forwarding and reaches ${next.address}`,
              err,
            ),
          );
        else resolve(stream);
      });
    });
  }

  /** Runs a command; resolves with its exit code and output, whatever the code. */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    // a host's output is untrusted: a command that sends more than this fails instead of filling memory
    const maxOutput = options.maxOutputBytes ?? OUTPUT_LIMITS.default;
    return this.guard(
      new Promise((resolve, reject) => {
        // The deadline counts from the request: a transport that died silently never opens the channel either.
        let channel: ClientChannel | undefined;
        const timer = setTimeout(() => {
          channel?.close();
          reject(
            new SshError(this.target.name, 'timeout', `\`${command}\` did not finish within ${timeoutMs / 1000} s`),
          );
        }, timeoutMs);
        // A lost connection settles the command first; its deadline must not keep the process alive after that.
        timer.unref();
        const onChannel = (err: Error | undefined, stream: ClientChannel) => {
          if (err) {
            clearTimeout(timer);
            return reject(
              new SshError(this.target.name, 'exec', `cannot start \`${command}\`: ${err.message}`, undefined, err),
            );
          }
          channel = stream;
          const out: Buffer[] = [];
          const errOut: Buffer[] = [];
          let received = 0;
          let overflow = false;
          const collect = (into: Buffer[]) => (d: Buffer) => {
            if (overflow) return;
            received += d.length;
            if (received <= maxOutput) return void into.push(d);
            overflow = true;
            out.length = errOut.length = 0;
            stream.close();
          };
          stream.on('data', collect(out));
          stream.stderr.on('data', collect(errOut));
          stream.on('close', (code: number | null, signal?: string) => {
            clearTimeout(timer);
            if (overflow) return reject(outputOverflow(this.target.name, command, maxOutput));
            const result = {
              code: code ?? -1,
              stdout: Buffer.concat(out).toString('utf8'),
              stderr: Buffer.concat(errOut).toString('utf8'),
            };
            if (code === null && signal)
              reject(new RemoteCommandError(this.target.name, command, null, signal, result.stderr));
            else resolve(result);
          });
          if (options.stdin !== undefined) stream.end(options.stdin);
          else stream.end();
        };
        try {
          this.client.exec(command, onChannel);
        } catch {
          // ssh2 throws "Not connected" at once on a connection already gone
          clearTimeout(timer);
          reject(
            new SshError(
              this.target.name,
              'connect',
              'the connection was lost',
              'check the host and the network, then run the command again',
            ),
          );
        }
      }),
    );
  }

  /** Runs a command and fails (RemoteCommandError) unless it exits 0. */
  async run(command: string, options: ExecOptions = {}): Promise<string> {
    const r = await this.exec(command, options);
    if (r.code !== 0) throw new RemoteCommandError(this.target.name, command, r.code, undefined, r.stderr);
    return r.stdout;
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) =>
        err
          ? reject(
              new SshError(
                this.target.name,
                'transfer',
                `no SFTP: ${err.message}`,
                'enable the sftp subsystem in sshd',
                err,
              ),
            )
          : resolve(sftp),
      );
    });
    return this.sftpSession;
  }

  /**
   * Writes a file so that no reader ever sees it half-written: a temporary name in the same
   * folder, the bytes, fsync, the mode, then an atomic rename over the target.
   */
  async writeFileAtomic(path: string, content: string | Buffer, mode: number): Promise<void> {
    const sftp = await this.guard(this.sftp());
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    const temp = `${dir}/.${path.slice(dir.length + 1)}.stake-${process.pid}-${Date.now()}`;
    const fail = (what: string) => (err: Error) =>
      new SshError(this.target.name, 'transfer', `${what} ${temp}: ${err.message}`, undefined, err);
    const call = <T>(what: string, fn: (cb: (err: Error | null | undefined, value?: T) => void) => void) =>
      this.guard(
        new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(fail(what)(err)) : resolve(value as T)))),
      );
    const handle = await call<Buffer>('cannot create', (cb) => sftp.open(temp, 'w', { mode: 0o600 }, cb));
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      let offset = 0;
      while (offset < bytes.length) {
        const chunk = Math.min(32 * 1024, bytes.length - offset);
        await call('cannot write', (cb) => sftp.write(handle, bytes, offset, chunk, offset, cb));
        offset += chunk;
      }
      await call('cannot fsync', (cb) => sftp.ext_openssh_fsync(handle, cb));
    } finally {
      await call('cannot close', (cb) => sftp.close(handle, cb)).catch(() => undefined);
    }
    await call('cannot chmod', (cb) => sftp.chmod(temp, mode, cb));
    await call('cannot rename', (cb) => sftp.ext_openssh_rename(temp, path, cb));
  }

  /** Calls back once when the connection is gone. */
  whenLost(callback: () => void): void {
    this.lost.catch(callback);
  }

  close(): void {
    this.client.end();
    this.via?.close();
  }
}
