/**
 * What failover needs from the world before deciding: the identity's quorum hosts probed over
 * SSH (keys, services, generation, lock, signing state), the signing services of its validator
 * hosts (from the same render deploy uses), and the chain when an observer exists.
 */
import { OUTPUT_LIMITS } from '../ssh/host-records.js';
import type { HostSession } from '../ssh/session.js';
import { rootShell } from '../ssh/shell.js';
import { quorumOf, type GenerationVerdict } from '../quorum/generation.js';
import type { Family } from '../inventory/clients.js';
import type { ResolvedIdentity, ResolvedInventory } from '../inventory/resolve.js';
import { COMETBFT_SIGN_STATE, validatorKeyFiles, type KeyFile } from '../keys/layout.js';
import { liveVerdict, type HostView } from './checks.js';
import { stateFiles } from './protection.js';
import { parseProbe, probeScript, type SigningService } from './scripts.js';
import { renderDeployment } from '../render/deployment.js';
import { healthPort } from '../render/types.js';

export type RenderedService = SigningService & { user: string };

/** The signing services of each validator host of the identity, as deploy renders them. */
export function signingServices(
  inventory: string,
  inv: ResolvedInventory,
  identity: ResolvedIdentity,
): Map<string, RenderedService[]> {
  const hosts = [identity.active, ...identity.standby].map((h) => h.name);
  const { renders } = renderDeployment(inv, { inventory, selection: { hosts } });
  return new Map(
    // a validator host's services all listen (cometbft, the ethereum clients, cardano-node)
    renders.map((r) => [
      r.host,
      r.manifest.services.flatMap((s) => {
        const port = healthPort(s);
        return port === undefined ? [] : [{ name: s.name, port, user: s.user }];
      }),
    ]),
  );
}

/** The state files worth reading on every quorum host: the signing state where it lives, and the witness's copy. */
export function probedFiles(family: Family, identity: string): string[] {
  const certActive =
    family === 'cardano' ? [validatorKeyFiles('cardano').find((k) => k.name === 'node.cert')!.path] : [];
  return [
    ...new Set([
      ...(family === 'cosmos' ? [COMETBFT_SIGN_STATE] : []),
      ...certActive,
      ...stateFiles(family, identity, 'old'),
      ...stateFiles(family, identity, 'witness'),
    ]),
  ];
}

export interface Quorum {
  views: HostView[];
  keys: KeyFile[];
}

/** Probes every quorum host at once; a host that cannot be reached is a view with its error. */
export async function probeQuorum(
  session: HostSession,
  inv: ResolvedInventory,
  identity: ResolvedIdentity,
  services: Map<string, RenderedService[]>,
): Promise<Quorum> {
  const keys = validatorKeyFiles(inv.family);
  const files = probedFiles(inv.family, identity.name);
  const outcomes = await session.each(quorumOf(identity), async (conn, host) => {
    const isValidator = services.has(host.name);
    const script = probeScript(host, identity.name, isValidator ? keys : [], services.get(host.name) ?? [], files);
    return parseProbe(
      await conn.run(rootShell(host), { stdin: script, timeoutMs: 30_000, maxOutputBytes: OUTPUT_LIMITS.probe }),
      files,
    );
  });
  return {
    keys,
    views: outcomes.map((o) => (o.ok ? { host: o.host, probe: o.value } : { host: o.host, error: o.error.detail })),
  };
}

/** The quorum probed once and the verdict on who is live: what keys and the drill read before they act. */
export async function readLive(
  session: HostSession,
  inv: ResolvedInventory,
  inventory: string,
  identity: ResolvedIdentity,
): Promise<{ quorum: Quorum; verdict: GenerationVerdict }> {
  const quorum = await probeQuorum(session, inv, identity, signingServices(inventory, inv, identity));
  return { quorum, verdict: liveVerdict(identity, quorum.views) };
}
