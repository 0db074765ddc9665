/**
 * The defaults of the commands' options, where nobody says otherwise: one place for the values
 * `stake --help` shows and the code that runs with them (the command modules re-export theirs).
 * A leaf module, so the command line can declare its flags without loading any command.
 */
export { DEFAULT_LAB_DIR } from './lab/layout.js';
export { DEFAULT_VALIDITY_MS as DEFAULT_VALID_FOR_MS } from './failover/plan.js';

/** The inventory file when neither -i nor STAKE_INVENTORY names one. */
export const DEFAULT_INVENTORY = './inventory.yaml';
/** Where `stake render` writes. */
export const DEFAULT_RENDER_OUT = 'rendered';
/** Hosts at once for plan and deploy. */
export const DEFAULT_PARALLEL = 20;
/** Hosts at once for status: it only reads, so all of them. */
export const DEFAULT_STATUS_PARALLEL = 256;
/** Seconds between refreshes of `stake status --watch`. */
export const DEFAULT_WATCH_INTERVAL_SECONDS = 2;
/** How long a restarted (deploy) or activated (failover) service has to answer on its port. */
export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 60;
/** A new ruleset reverts by itself after this long unless a new SSH connection got in. */
export const DEFAULT_FIREWALL_REVERT_SECONDS = 60;
/** Heights without a signature before a dead old host counts as fenced, unless told otherwise. */
export const DEFAULT_SAFETY_WINDOW = 20;
/** How long the target of a failover has to sign before the verify step fails. */
export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 60;
/** Failovers a drill runs (back and forth). */
export const DEFAULT_DRILL_ROUNDS = 2;
/** A drill round's time objective, from confirmation to the end of the failover. */
export const DEFAULT_DRILL_OBJECTIVE_MS = 120_000;
/** Milliseconds between heights (slots) of a lab chain. */
export const DEFAULT_BLOCK_TIME_MS = 500;
/** How long a `lab verify-firewall` probe waits before calling a port blocked. */
export const DEFAULT_PROBE_TIMEOUT_MS = 500;
