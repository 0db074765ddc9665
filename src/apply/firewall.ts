/**
 * Loading a firewall ruleset with a safety net, like a router's "commit confirmed": before the
 * new rules load, the host starts a timer of its own that puts the previous `inet stake` table
 * back. stake then opens a fresh SSH connection through the new rules; only that connection
 * can stop the timer. A ruleset that locks the operator out therefore undoes itself, even if
 * stake is killed or the network drops: the host needs nobody to come back.
 */
import { posix } from 'node:path';
import { NFT_PATH } from '../render/host.js';
import { FIREWALL_STATE_DIR } from '../plan/host-layout.js';
import { braceGroup, hostPath as at, insideRootLines, regularTargetLine, shq } from '../ssh/shell.js';
import { isTrue, resultLine, resultShape } from '../ssh/script-result.js';

/** What the scripts report (../ssh/script-result.ts): the new ruleset loaded, the timer stopped. */
export const ARM_RESULT = resultShape('firewall-arm', { armed: isTrue });
export const CONFIRM_RESULT = resultShape('firewall-confirm', { confirmed: isTrue });

/** Where the saved ruleset waits, for the revert timer and for a rollback. */
export const rollbackRulesetPath = (root: string) => posix.join(root, FIREWALL_STATE_DIR, 'rollback.nft');

/** Saves the live `inet stake` table, arms the revert timer, loads the new ruleset. */
export function armFirewallScript(root: string, token: string, revertAfterSeconds: number): string {
  const dir = (name: string) => at(root, posix.join(FIREWALL_STATE_DIR, name));
  const timer = `sleep ${revertAfterSeconds}; if [ ! -e ${dir(`confirmed-${token}`)} ]; then nft -f ${dir('rollback.nft')} && echo ${token} > ${dir('reverted')}; fi`;
  return braceGroup([
    'set -eu',
    ...insideRootLines(root, FIREWALL_STATE_DIR),
    `mkdir -p ${at(root, FIREWALL_STATE_DIR)}`,
    // the state files are written in place: none may be a link (../ssh/shell.ts)
    ...['saved.nft', 'rollback.nft', 'revert.pid', 'reverted'].map((n) =>
      regularTargetLine(root, posix.join(FIREWALL_STATE_DIR, n)),
    ),
    `if nft list table inet stake > ${dir('saved.nft')} 2>/dev/null; then`,
    `  { echo 'table inet stake'; echo 'delete table inet stake'; cat ${dir('saved.nft')}; } > ${dir('rollback.nft')}`,
    'else',
    `  printf 'table inet stake\\ndelete table inet stake\\n' > ${dir('rollback.nft')}`,
    'fi',
    `rm -f ${dir('saved.nft')} ${dir('reverted')} ${dir('confirmed-')}*`,
    `setsid sh -c ${shq(timer)} </dev/null >/dev/null 2>&1 &`,
    `echo $! > ${dir('revert.pid')}`,
    `nft -f ${at(root, NFT_PATH)}`,
    resultLine(ARM_RESULT.step, { armed: true }),
  ]);
}

/**
 * Run over the fresh connection: stops the timer. Exits 41 when the timer already reverted the
 * rules (the confirmation came too late).
 */
export function confirmFirewallScript(root: string, token: string): string {
  const dir = (name: string) => at(root, posix.join(FIREWALL_STATE_DIR, name));
  const reverted = `[ -f ${dir('reverted')} ] && [ "$(cat ${dir('reverted')})" = ${token} ]`;
  return braceGroup([
    `if ${reverted}; then echo 'the host already reverted the ruleset' >&2; exit 41; fi`,
    `touch ${dir(`confirmed-${token}`)}`,
    `kill -TERM -- -"$(cat ${dir('revert.pid')})" 2>/dev/null || true`,
    `if ${reverted}; then echo 'the host already reverted the ruleset' >&2; exit 41; fi`,
    resultLine(CONFIRM_RESULT.step, { confirmed: true }),
  ]);
}

/** Prints `reverted` once the timer of this push (its token) has put the previous ruleset back. */
export function revertedScript(root: string, token: string): string {
  const reverted = at(root, posix.join(FIREWALL_STATE_DIR, 'reverted'));
  return `if [ -f ${reverted} ] && [ "$(cat ${reverted})" = ${token} ]; then echo reverted; else echo armed; fi\n`;
}
