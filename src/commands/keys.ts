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
import { readLive, signingServices } from '../failover/live.js';
import { loadInventory } from '../inventory/load.js';
import { initialSignState, sealedPath, validatorKeyFiles, type KeyFile } from '../keys/layout.js';
import { keysPushScript, pushOutcome, type KeyPlacement, type PushOutcome } from '../keys/push-script.js';
import type { ResolvedHost, ResolvedIdentity, ResolvedInventory } from '../inventory/resolve.js';
import { formatTable } from '../output/table.js';
import type { Terminal } from '../output/terminal.js';
import { liveActive } from '../quorum/live.js';
import { identityNamed } from '../inventory/lookup.js';
import { printable } from '../output/untrusted.js';
import { horcruxMaterial } from '../keys/horcrux-material.js';
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

/** A signer's key is its user's where stake manages owners (root /): tmkms and horcrux run as their own users. */
const ownedBy = (host: ResolvedHost, user: string) => (host.root === '/' ? { owner: `${user}:${user}` } : {});

/** One host's part of a push: its key files where its client reads them, and how it holds them. */
interface HostPlacement {
  host: ResolvedHost;
  as: string;
  keys: KeyPlacement[];
  initial?: Omit<KeyPlacement, 'name'>;
}

/**
 * Where an identity's keys go, checked before any host is reached: on the live active host at the
 * client's path and sealed on each standby; with a tmkms signer, on the signer and on no
 * validator; with horcrux, each cosigner its own shard and ECIES key (docs/signers.md).
 */
function placementsOf(
  inv: ResolvedInventory,
  identity: ResolvedIdentity,
  options: { inventory: string; files: string[]; dir?: string },
): (live: string) => HostPlacement[] {
  if (identity.signer?.client === 'horcrux') {
    if (!options.dir || options.files.length)
      throw new UsageError(
        `${identity.name} signs through horcrux: its keys are one folder per cosigner`,
        `give --dir holding cosigner_1/ … cosigner_${identity.signer.hosts.length}/, as horcrux create-ed25519-shards and create-ecies-shards write them`,
      );
    const hosts = identity.signer.hosts;
    const material = horcruxMaterial(
      options.dir,
      inv.chain.network,
      hosts.map((h) => h.name),
    );
    // each file the horcrux user's, where stake manages owners: horcrux runs as its own user
    return () =>
      hosts.map((host, i) => ({
        host,
        as: `cosigner ${i + 1}`,
        keys: material.get(host.name)!.map((k) => ({ ...k, ...ownedBy(host, 'horcrux') })),
      }));
  }
  const keys = validatorKeyFiles(inv.family);
  const material = keyMaterial(keys, options.files, options.dir);
  const placed = (path: (k: KeyFile) => string, mode: string) =>
    keys.map((k) => ({ name: k.name, path: path(k), content: material.get(k.name)!, mode }));
  // with a tmkms signer the key is the signer's, and no validator host holds it
  if (identity.signer?.client === 'tmkms') {
    const hosts = identity.signer.hosts;
    return () =>
      hosts.map((host) => ({
        host,
        as: 'signer',
        keys: placed(() => tmkmsKeyPath(identity.name), '0600').map((k) => ({ ...k, ...ownedBy(host, 'tmkms') })),
      }));
  }
  const initial = initialSignState(inv.family);
  const initialState = initial && {
    path: initial.path,
    content: new TextEncoder().encode(initial.content),
    mode: initial.mode,
  };
  // the active key and its state are the signing client's, as a failover's activation leaves them
  // (where stake manages owners: a host that is its whole machine); sealed ones stay root's
  const users = signingServices(options.inventory, inv, identity);
  const clientOf = (host: ResolvedHost) => {
    const user = host.root === '/' ? users.get(host.name)?.[0]?.user : undefined;
    return user ? { owner: `${user}:${user}` } : {};
  };
  return (live) =>
    [identity.active, ...identity.standby].map((host) =>
      host.name === live
        ? {
            host,
            as: 'active',
            keys: placed((k) => k.path, '0600').map((k) => ({ ...k, ...clientOf(host) })),
            ...(initialState ? { initial: { ...initialState, ...clientOf(host) } } : {}),
          }
        : { host, as: 'sealed', keys: placed((k) => sealedPath(identity.name, k), '0400') },
    );
}

export async function keysPushCommand(
  options: { inventory: string; identity: string; files: string[]; dir?: string },
  term: Terminal,
): Promise<ExitCode> {
  const loaded = await loadInventory(options.inventory);
  const identity = identityNamed(loaded.resolved, options.identity, options.inventory);
  const placements = placementsOf(loaded.resolved, identity, options);
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
    for (const { host, as, keys, initial } of placements(live)) {
      const script = keysPushScript(host.root, identity.name, keys, initial);
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
      // a cosmos remote signer holds the key: a validator's own (CometBFT makes one) is no signer's
      const signerTier = loaded.resolved.family === 'cosmos' ? identity.signer : undefined;
      for (const host of [identity.active, ...identity.standby]) {
        const view = quorum.views.find((v) => v.host === host.name);
        if (signerTier) {
          rows.push({
            identity: identity.name,
            host: host.name,
            role: host.name === recordedLive ? 'live active' : 'standby',
            key: view?.probe
              ? `on its ${signerTier.client} signers (${signerTier.hosts.map((h) => h.name).join(', ')})`
              : `unreachable (${view?.error ?? '?'})`,
          });
          continue;
        }
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
