/**
 * After a new SSH connection could not get in through a new firewall, the rollback must wait for
 * the host's own timer to put the previous ruleset back (./firewall.ts): until then the host may
 * drop everything stake sends. Instead of sleeping for the timer's time and hoping, this waits
 * until the host says so: new connections are tried until one gets in (the old rules let it) and
 * the host's `reverted` record holds this push's token.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import { SshError } from '../ssh/errors.js';
import type { SshConnection } from '../ssh/connection.js';
import { asRoot } from '../ssh/shell.js';
import { waitFor } from '../wait.js';
import { revertedScript } from './firewall.js';

/** How long past the timer's time a revert may take to be seen: a connect on a loaded host, a slow nft. */
const SEEN_MARGIN_MS = 15_000;

/** Whether the revert of this push was seen before `revertAt` (when the timer fires) and the margin. */
export async function revertSeen(
  host: ResolvedHost,
  token: string,
  revertAt: number,
  open: () => Promise<SshConnection>,
): Promise<boolean> {
  const reverted = async () => {
    let conn: SshConnection | undefined;
    try {
      conn = await open();
      return (
        (await conn.run(asRoot(host, revertedScript(host.root, token)), { timeoutMs: 10_000 })).trim() === 'reverted'
      );
    } catch {
      return false; // still locked out: the timer has not fired yet
    } finally {
      conn?.close();
    }
  };
  return waitFor(reverted, {
    timeoutMs: Math.max(0, revertAt - Date.now()) + SEEN_MARGIN_MS,
    what: `${host.name} to restore its previous ruleset`,
    intervalMs: 500,
  }).then(
    () => true,
    () => false,
  );
}

/** Room a retried login must leave before the revert: the confirmation itself takes a moment. */
const RETRY_ROOM_MS = 20_000;

/**
 * The new connection that proves the new firewall lets stake in. A login that timed out is tried
 * again while the revert is still far off: on a loaded host a login can take longer than the
 * connect timeout, and rolling a host back for that is a failure of stake, not of the rules. A
 * refused or failed connection is the answer at once; a firewall that really drops SSH times out
 * every time, and the revert comes at the same moment either way.
 */
export async function freshThroughFirewall(
  revertAt: number,
  open: () => Promise<SshConnection>,
): Promise<SshConnection> {
  for (;;) {
    try {
      return await open();
    } catch (err) {
      if (!(err instanceof SshError && err.phase === 'timeout') || Date.now() + RETRY_ROOM_MS > revertAt) throw err;
    }
  }
}
