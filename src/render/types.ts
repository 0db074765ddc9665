/** What rendering produces: files per host, and the manifest that tells deploy how to apply them. */

export type FileFormat = 'toml' | 'json' | 'yaml' | 'nft' | 'systemd' | 'shell' | 'text';

export interface RenderedFile {
  /** Path on the host, under its `root` (deploy prefixes the root). */
  path: string;
  /** Octal, e.g. "0644". */
  mode: string;
  /** user:group */
  owner: string;
  format: FileFormat;
  content: string;
  /**
   * What must happen when the file changes: service names to restart, or the special actions
   * `nftables` (load the ruleset with a safety net), `sshd` (reload sshd), `sysctl` (sysctl --system).
   */
  restarts: string[];
  /** The template it came from, for messages. */
  template: string;
}

/** A long-running process on a host. */
export interface Service {
  name: string;
  description: string;
  user: string;
  /** The command line, paths already under the host's root. */
  exec: string[];
  /** Directories the service writes (systemd ReadWritePaths; created by deploy). */
  writable: string[];
  /**
   * A file of NAME=value lines read at each start if it exists (systemd EnvironmentFile=-): state
   * stake writes on the host when a failover moves it there, not a rendered file (a CometBFT
   * validator's priv_validator_laddr with a remote signer: on the live active host only).
   */
  environmentFile?: string;
  /** Services that must be up first on the same host. */
  after: string[];
  /** The JVM and .NET generate code at run time; MemoryDenyWriteExecute would kill them. */
  jit: boolean;
  /**
   * How deploy knows the service came up: a TCP port it listens on, or, for a client that listens
   * on nothing (tmkms dials out to its validator), seconds it must stay running without a restart.
   */
  health: { tcp: number } | { steady: number };
}

/** The port a service's health is judged on, when it listens on one. */
export const healthPort = (s: Pick<Service, 'health'>): number | undefined =>
  'tcp' in s.health ? s.health.tcp : undefined;

export interface ManifestEntry {
  path: string;
  mode: string;
  owner: string;
  sha256: string;
  restarts: string[];
}

export interface Manifest {
  /** Bumped when the shape changes. */
  version: 1;
  host: string;
  deployment: string;
  tier: string;
  root: string;
  init: 'systemd' | 'direct';
  /** enforce: deploy loads the ruleset; render: shipped, never loaded. */
  firewall: 'enforce' | 'render';
  services: Service[];
  files: ManifestEntry[];
}
