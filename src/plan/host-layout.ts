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
/** An identity's generation record (../shared/spec/failover.md), on its quorum hosts. */
export const generationPath = (identity: string) => `/var/lib/stake/${identity}/generation`;
