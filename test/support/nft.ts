/** Runs `nft -c` (check only, never load) inside a fresh network namespace, so this machine's own ruleset is never touched. */
import { spawnSync } from 'node:child_process';

export type NftCheck = { ok: true } | { ok: false; error: string };

/** Why nft checks cannot run here, or undefined when they can. */
export function nftUnavailable(): string | undefined {
  const probe = spawnSync('unshare', ['--net', 'nft', '-c', '-f', '-'], {
    input: 'table inet probe {}\n',
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.error) return `cannot run unshare/nft: ${probe.error.message}`;
  if (probe.status !== 0) return `nft -c does not run here: ${(probe.stderr || probe.stdout).trim()}`;
  return undefined;
}

export function nftCheck(ruleset: string): NftCheck {
  const r = spawnSync('unshare', ['--net', 'nft', '-c', '-f', '-'], {
    input: ruleset,
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status === 0 ? { ok: true } : { ok: false, error: (r.stderr || r.stdout || String(r.error)).trim() };
}
