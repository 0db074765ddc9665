/**
 * A run against many hosts: one SSH connection per host for the whole command, opened with
 * bounded concurrency, and each host's failure kept with the host instead of stopping the others.
 */
import pLimit from 'p-limit';
import { DEFAULT_PARALLEL, DEFAULT_STATUS_PARALLEL } from '../defaults.js';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import { SshConnection } from './connection.js';
import { SshError } from './errors.js';
import { askSecret } from '../output/prompt.js';
import { fingerprint } from './known-hosts.js';
import { appendKnownHost, knownHostsPath, readKnownHosts, targetOf } from './targets.js';

export interface SessionOptions {
  inventory: string;
  parallel: number;
  acceptNew: boolean;
  connectTimeoutMs: number;
  /** How often to check a quiet connection is alive (3 missed answers drop it); failover checks often, to notice a cut host in seconds. */
  keepaliveIntervalMs?: number;
}

/**
 * How each kind of command talks to its hosts, named once. A rollout (plan, deploy) is patient
 * with slow hosts; `status --watch` gives up fast and keeps its connections warm; a failover
 * probes few hosts and checks every 2 s that they are still there, to notice a cut host in
 * seconds; a probe (keys, the drill's next move) is a short read of the quorum.
 */
export const SESSION_PRESETS = {
  rollout: { parallel: DEFAULT_PARALLEL, acceptNew: false, connectTimeoutMs: 15_000 },
  watch: { parallel: DEFAULT_STATUS_PARALLEL, acceptNew: false, connectTimeoutMs: 5_000, keepaliveIntervalMs: 5_000 },
  failover: { parallel: 8, acceptNew: false, connectTimeoutMs: 10_000, keepaliveIntervalMs: 2_000 },
  probe: { parallel: 8, acceptNew: false, connectTimeoutMs: 10_000 },
} as const satisfies Record<string, Omit<SessionOptions, 'inventory'>>;

export type SessionPreset = keyof typeof SESSION_PRESETS;

/** A session for the inventory with a preset's timeouts; `parallel` and `acceptNew` may come from the command's flags. */
export function openSession(
  inv: ResolvedInventory,
  inventory: string,
  preset: SessionPreset,
  flags: { parallel?: number; acceptNew?: boolean } = {},
): HostSession {
  return new HostSession(inv, { ...SESSION_PRESETS[preset], inventory, ...flags });
}

export type HostOutcome<T> = { host: string; ok: true; value: T } | { host: string; ok: false; error: SshError };

/** The passphrase of an encrypted key: STAKE_SSH_PASSPHRASE, else asked on the terminal; once per key file. */
function passphrases(): (identity: string) => Promise<string | undefined> {
  const cache = new Map<string, Promise<string | undefined>>();
  return (identity) => {
    let answer = cache.get(identity);
    if (!answer) {
      const fromEnv = process.env.STAKE_SSH_PASSPHRASE;
      answer = fromEnv !== undefined ? Promise.resolve(fromEnv) : askSecret(`Passphrase for ${identity}: `);
      cache.set(identity, answer);
    }
    return answer;
  };
}

export class HostSession {
  private readonly connections = new Map<string, Promise<SshConnection>>();
  /** Jump hosts' connections, shared by the hosts behind them. */
  private readonly jumps = new Map<string, Promise<SshConnection>>();
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly passphrase = passphrases();
  /** Host keys accepted on first contact (--accept-new), to record in known_hosts. */
  readonly newHostKeys: { host: ResolvedHost; key: Buffer }[] = [];

  constructor(
    private readonly inv: ResolvedInventory,
    private readonly options: SessionOptions,
  ) {
    this.limit = pLimit(Math.max(1, options.parallel));
  }

  connection(host: ResolvedHost): Promise<SshConnection> {
    let conn = this.connections.get(host.name);
    if (!conn) {
      conn = this.open(host, this.options.connectTimeoutMs);
      this.connections.set(host.name, conn);
    }
    return conn;
  }

  /** A new connection, not the shared one: the firewall's proof that SSH still gets in. The caller closes it. */
  fresh(host: ResolvedHost, connectTimeoutMs: number): Promise<SshConnection> {
    return this.open(host, connectTimeoutMs);
  }

  private open(host: ResolvedHost, connectTimeoutMs: number): Promise<SshConnection> {
    return SshConnection.open(targetOf(this.inv, host, this.options.inventory), {
      knownHosts: readKnownHosts(knownHostsPath(host, this.options.inventory)),
      acceptNew: this.options.acceptNew,
      onNewHostKey: (t, key) => {
        if (t.name === host.name && !this.newHostKeys.some((k) => k.host === host))
          this.newHostKeys.push({ host, key });
      },
      connectTimeoutMs,
      ...(this.options.keepaliveIntervalMs ? { keepaliveIntervalMs: this.options.keepaliveIntervalMs } : {}),
      passphrase: this.passphrase,
      jumps: this.jumps,
    });
  }

  /** Runs `work` on each host, at most `parallel` at once; a host's SshError is its outcome, not a crash. */
  async each<T>(
    hosts: ResolvedHost[],
    work: (conn: SshConnection, host: ResolvedHost) => Promise<T>,
  ): Promise<HostOutcome<T>[]> {
    return Promise.all(
      hosts.map((host) =>
        this.limit(async (): Promise<HostOutcome<T>> => {
          try {
            return { host: host.name, ok: true, value: await work(await this.connection(host), host) };
          } catch (err) {
            if (err instanceof SshError) return { host: host.name, ok: false, error: err };
            throw err;
          }
        }),
      ),
    );
  }

  /**
   * Records the keys accepted with --accept-new in each host's known_hosts, as OpenSSH does, so the
   * next run checks them. Returns what was recorded, for the output.
   */
  recordNewHostKeys(): { host: string; fingerprint: string; file: string }[] {
    return this.newHostKeys.map(({ host, key }) => {
      const file = knownHostsPath(host, this.options.inventory);
      appendKnownHost(file, host.address, host.ssh.port, key);
      return { host: host.name, fingerprint: fingerprint(key), file };
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map(async (c) => (await c.catch(() => undefined))?.close()));
    await Promise.all([...this.jumps.values()].map(async (c) => (await c.catch(() => undefined))?.close()));
  }
}
