/** What a connection is given: the target host (and its jump chain) and how to treat it. */
import type { KnownHostLine } from './known-hosts.js';
import type { SshConnection } from './connection.js';

/** Everything needed to reach one host. */
export interface SshTarget {
  /** The inventory's host name, for messages. */
  name: string;
  address: string;
  port: number;
  user: string;
  /** Private key file; without it, ssh-agent ($SSH_AUTH_SOCK). */
  identity?: string;
  /** The host to go through first, itself possibly behind another. */
  jump?: SshTarget;
}

export interface ConnectOptions {
  knownHosts: readonly KnownHostLine[];
  /** Like OpenSSH's StrictHostKeyChecking=accept-new: an unknown host is accepted (and reported); a changed key never. */
  acceptNew?: boolean;
  /** Called with each host key accepted as new, so the caller can record it. */
  onNewHostKey?: (target: SshTarget, key: Buffer) => void;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** The key's passphrase, asked once per key file (STAKE_SSH_PASSPHRASE, else a prompt). */
  passphrase?: (identity: string) => Promise<string | undefined>;
  /**
   * Jump host connections shared by every host behind them (a run against 200 hosts behind one
   * bastion opens one connection to it, not 200). Whoever owns the map closes them.
   */
  jumps?: Map<string, Promise<SshConnection>>;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Sent on the command's stdin, then closed. */
  stdin?: string | Buffer;
  /** From the request, not from when the channel opens. */
  timeoutMs?: number;
  /** stdout and stderr together; more fails the command (a host's output is untrusted). */
  maxOutputBytes?: number;
}
