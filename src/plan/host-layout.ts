/**
 * Where deploy keeps its own state on each host, under the host's root. One place, so the
 * scripts that write these paths and the ones that read them cannot drift apart.
 */

/** The manifest of what stake deployed last. */
export const DEPLOYED_MANIFEST = '/var/lib/stake/deployed.json';
/** Services whose files changed but that have not yet restarted cleanly (a deploy cut off in between). */
export const PENDING_RESTARTS = '/var/lib/stake/pending-restarts';
/** What the last deploy replaced, to roll back to (`files/<path>`). */
export const PREVIOUS_DIR = '/var/lib/stake/previous';
/** Client binaries uploaded, waiting for their checksum. */
export const INCOMING_DIR = '/var/lib/stake/incoming';
/** The firewall's safety net: the saved ruleset, the revert timer's pid, confirmations. */
export const FIREWALL_STATE_DIR = '/var/lib/stake/firewall';
/** An identity's generation record (the failover protocol (docs/failover.md)), on its quorum hosts. */
export const generationPath = (identity: string) => `/var/lib/stake/${identity}/generation`;

/**
 * Where stake renders files on a host, as shapes: a path the deployed manifest lists outside
 * them is one stake never rendered, and deploy never deletes it (a forged manifest cannot make
 * it remove /etc/shadow or an authorized_keys). test/plan/compute.test.ts checks every rendered
 * path of the example inventories against these, so a new place to render must be added here.
 */
export const RENDERED_PATH_SHAPES: readonly RegExp[] = [
  /^\/etc\/systemd\/system\/stake-[a-z0-9-]+\.service$/,
  /^\/var\/lib\/stake\/bin\/[a-z0-9-]+\.sh$/,
  /^\/etc\/apt\/apt\.conf\.d\/(20auto-upgrades|52stake-unattended-upgrades)$/,
  /^\/etc\/ssh\/sshd_config\.d\/50-stake\.conf$/,
  /^\/etc\/sysctl\.d\/60-stake\.conf$/,
  /^\/etc\/(stake|cardano|dirk|prometheus|teku|vouch|lighthouse|web3signer|nimbus|lodestar|prysm|tmkms|horcrux)\/[a-z0-9._/-]+$/,
  /^\/var\/lib\/cometbft\/config\/config\.toml$/,
  // a cosmos remote signer's serving config (render/clients/cosmos-signer.ts)
  /^\/var\/lib\/tmkms\/serving\.toml$/,
  /^\/var\/lib\/horcrux\/config\.yaml$/,
  /^\/usr\/local\/bin\/[a-z0-9-]+$/,
];
