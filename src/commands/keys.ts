/**
 * `stake keys push|status`: place an identity's signing key from an offline export (active on the
 * live active host, sealed on each standby) and show where keys are, never the keys themselves.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StakeError, UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { rootShell } from '../ssh/shell.js';
import { openSession } from '../ssh/session.js';
import { readLive } from '../failover/live.js';
import { loadInventory } from '../inventory/load.js';
import { initialSignState, sealedPath, validatorKeyFiles, type KeyFile } from '../keys/layout.js';
import { keysPushScript, pushOutcome, type PushOutcome } from '../keys/push-script.js';
import { formatTable } from '../output/table.js';
import type { Terminal } from '../output/terminal.js';
import { liveActive } from '../quorum/live.js';
import { identityNamed } from '../inventory/lookup.js';
import { printable } from '../output/untrusted.js';
import { refuseCosmosSignerTier } from '../apply/signer-tier.js';
import { tmkmsKeyPath } from '../render/clients/cosmos-signer.js';

const sessionOf = (inventory: string, resolved: Awaited<ReturnType<typeof loadInventory>>['resolved']) =>
  openSession(resolved, inventory, 'probe');

/** The key files given, by their names in the family's layout. */
function keyMaterial(keys: KeyFile[], files: string[], dir: string | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const candidates = [...files, ...(dir ? keys.map((k) => join(dir, k.name)) : [])];
  for (const path of candidates) {
    if (!existsSync(path) || !statSync(path).isFile()) {
      if (files.includes(path)) throw new UsageError(`--file ${path}: no such file`);
      continue;
    }
    const key = keys.find((k) => k.name === basename(path));
    if (!key)
      throw new UsageError(`${path}: not a key file of this family (expected ${keys.map((k) => k.name).join(', ')})`);
    out.set(key.name, readFileSync(path));
  }
  const missing = keys.filter((k) => !out.has(k.name)).map((k) => k.name);
  if (missing.length)
    throw new UsageError(
      `missing ${missing.join(', ')}`,
      `give every key file of the identity: --file per file, or --dir holding ${keys.map((k) => k.name).join(', ')}`,
    );
  return out;
}

export async function keysPushCommand(
  options: { inventory: string; identity: string; files: string[]; dir?: string },
  term: Terminal,
): Promise<ExitCode> {
  const loaded = await loadInventory(options.inventory);
  const identity = identityNamed(loaded.resolved, options.identity, options.inventory);
  if (identity.signer?.client === 'horcrux') refuseCosmosSignerTier(loaded.resolved, 'keys push');
  const keys = validatorKeyFiles(loaded.resolved.family);
  const initial = initialSignState(loaded.resolved.family);
  const initialState = initial && {
    path: initial.path,
    content: new TextEncoder().encode(initial.content),
    mode: initial.mode,
  };
  const material = keyMaterial(keys, options.files, options.dir);
  const session = sessionOf(options.inventory, loaded.resolved);
  try {
    const { verdict } = await readLive(session, loaded.resolved, options.inventory, identity);
    if (verdict.kind === 'unknown' || verdict.kind === 'stale') {
      throw new StakeError(
        verdict.kind === 'stale'
          ? `this inventory says ${identity.active.name} is active, the quorum says ${verdict.record.active}: the checkout is stale`
          : `cannot establish which host is live for ${identity.name}: ${verdict.why}`,
        {
          exitCode: EXIT.refused,
          hint: 'pull the inventory the last failover recorded, or bring the quorum back; a key is never pushed active to a host that might not be the live one',
        },
      );
    }
    const live = liveActive(verdict, identity)!.host; // stale and unknown were refused above
    const results: { host: string; as: string; result: string }[] = [];
    const outcomes: (PushOutcome | 'unreachable')[] = [];
    // with a tmkms signer the key is the signer's, and no validator host holds it (docs/signers.md)
    const signer = identity.signer?.client === 'tmkms' ? identity.signer : undefined;
    const targets = signer
      ? signer.hosts.map((host) => ({ host, as: 'signer', path: () => tmkmsKeyPath(identity.name), mode: '0600' }))
      : [identity.active, ...identity.standby].map((host) =>
          host.name === live
            ? { host, as: 'active', path: (k: KeyFile) => k.path, mode: '0600' }
            : { host, as: 'sealed', path: (k: KeyFile) => sealedPath(identity.name, k), mode: '0400' },
        );
    for (const { host, as, path, mode } of targets) {
      const active = as === 'active';
      const script = keysPushScript(
        host.root,
        identity.name,
        keys.map((k) => ({ name: k.name, path: path(k), content: material.get(k.name)!, mode })),
        active ? initialState : undefined,
      );
      const [o] = await session.each([host], (conn) =>
        conn.exec(rootShell(host), { stdin: script, timeoutMs: 30_000 }),
      );
      const { outcome, detail } = !o!.ok
        ? { outcome: 'unreachable' as const, detail: o!.error.detail }
        : o!.value.code !== 0
          ? { outcome: 'failed' as const, detail: printable(o!.value.stderr.trim()) }
          : pushOutcome(o!.value.stdout);
      outcomes.push(outcome);
      const result = detail === undefined ? outcome : `${outcome}: ${detail}`;
      results.push({ host: host.name, as, result });
    }
    if (term.options.json) term.document({ identity: identity.name, live, results });
    else {
      term.print(
        formatTable(
          ['host', 'as', 'result'],
          results.map((r) => [r.host, r.as, r.result]),
        ).join('\n'),
      );
      term.print(term.style.dim('keys are compared by digest on the host; their content is never shown'));
    }
    if (outcomes.includes('refused')) return EXIT.refused;
    if (outcomes.includes('unreachable')) return EXIT.unreachable;
    return outcomes.includes('failed') ? EXIT.failed : EXIT.ok;
  } finally {
    await session.close();
  }
}

/** A key's state as the table says it: `other` (a CometBFT standby's own key at the path, beside the sealed one) said in words. */
const keyStateText = (state: string) =>
  state.replace(/\bother\b/, "sealed (at the client's path a key of no validator: cometbft makes one at start)");

export async function keysStatusCommand(options: { inventory: string }, term: Terminal): Promise<ExitCode> {
  const loaded = await loadInventory(options.inventory);
  const session = sessionOf(options.inventory, loaded.resolved);
  try {
    const rows: { identity: string; host: string; role: string; key: string; alarm?: string }[] = [];
    for (const identity of loaded.resolved.identities) {
      const { quorum, verdict } = await readLive(session, loaded.resolved, options.inventory, identity);
      const live = liveActive(verdict, identity);
      const recordedLive = live?.recorded ? live.host : undefined;
      for (const host of [identity.active, ...identity.standby]) {
        const view = quorum.views.find((v) => v.host === host.name);
        const states = view?.probe ? [...new Set(Object.values(view.probe.keys))] : [];
        const key = !view?.probe
          ? `unreachable (${view?.error ?? '?'})`
          : states.length === 1
            ? states[0]!
            : Object.entries(view.probe.keys)
                .map(([k, s]) => `${k} ${s}`)
                .join(', ');
        const holdsActive = Object.values(view?.probe?.keys ?? {}).some((s) => s === 'active' || s === 'both');
        const role =
          host.name === recordedLive
            ? 'live active'
            : host.name === identity.active.name && recordedLive === undefined
              ? 'active (no generation yet)'
              : 'standby';
        const alarm =
          holdsActive && recordedLive !== undefined && host.name !== recordedLive
            ? 'ACTIVE KEY ON A HOST THAT IS NOT THE LIVE ONE'
            : undefined;
        rows.push({ identity: identity.name, host: host.name, role, key, ...(alarm ? { alarm } : {}) });
      }
    }
    if (term.options.json) term.document({ keys: rows });
    else
      term.print(
        formatTable(
          ['identity', 'host', 'role', 'key', ''],
          rows.map((r) => [r.identity, r.host, r.role, keyStateText(r.key), r.alarm ? term.style.red(r.alarm) : '']),
        ).join('\n'),
      );
    return rows.some((r) => r.alarm)
      ? EXIT.failed
      : rows.some((r) => r.key.startsWith('unreachable'))
        ? EXIT.unreachable
        : EXIT.ok;
  } finally {
    await session.close();
  }
}
