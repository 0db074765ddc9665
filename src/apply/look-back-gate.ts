/**
 * Deploy's gate for a CometBFT validator that signs: a restart is a stop, the look-back waited for
 * (observe/look-back.ts), then the start. Restarted at once, CometBFT would find its own signature
 * in the last blocks it holds and panic (and, under systemd, restart until the chain moved on; on
 * a host without systemd, stay down). Only the live active host of an identity with a recorded
 * generation signs; a standby holds no key, so its restart has nothing to look back at.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedIdentity, ResolvedInventory } from '../inventory/resolve.js';
import { waitForLookBack } from '../observe/look-back.js';
import { chainObserverFor, type ChainObserver } from '../observe/observer.js';
import type { GenerationVerdict } from '../quorum/generation.js';
import { liveActive } from '../quorum/live.js';
import type { HostSession } from '../ssh/session.js';
import type { ApplyOptions } from './host.js';

export function lookBackGate(
  inv: ResolvedInventory,
  session: HostSession,
  verdicts: ReadonlyMap<ResolvedIdentity, GenerationVerdict>,
  note: (host: string, text: string) => void,
): ApplyOptions['startGate'] {
  if (inv.family !== 'cosmos') return undefined;
  const signer = new Map<string, string>(); // host -> the identity it signs for
  for (const [id, v] of verdicts) if (v.kind === 'live') signer.set(liveActive(v, id)!.host, id.name);
  if (signer.size === 0) return undefined;
  let observer: ChainObserver | undefined; // made on first use: most deploys restart no signer
  return (host, service) => {
    const identity = signer.get(host.name);
    if (!identity || service !== 'cometbft' || host.tier !== 'validator') return undefined;
    return async () => {
      observer ??= chainObserverFor(inv, session);
      if (!observer) return undefined;
      return waitForLookBack({
        observer,
        identity,
        note: (t) => note(host.name, `cometbft: ${t}`),
        sleep,
      });
    };
  };
}
