/**
 * The chain observer of a cardano inventory: the Ogmios beside every upstream relay's node
 * (rendered by stake, on the relay's loopback), read round after round (./cardano-source.ts):
 * `GET /health` for the tip (with, until known, the network's start and eras: when each slot
 * began), then chain-sync over one WebSocket for the blocks since, judged
 * across the relays (./judge.ts). Heights are slots. What it cannot show, it does not count: a
 * pool's leader slots are known only to whoever holds its VRF key, so a missed slot is invisible
 * to anyone watching the chain, and no missed count is given. A block producer runs no API: its own
 * head (the target of a failover) is its node's Prometheus slot number.
 */
import { metricsPathOf } from '../inventory/client-metrics.js';
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import type { HostSession } from '../ssh/session.js';
import { parseMetrics, readingOf } from '../status/metrics.js';
import { ask, converse, freshView, readRound, signaturesIn } from './ask.js';
import {
  absorbClock,
  absorbHealth,
  absorbSync,
  clockRequests,
  freshCardanoState,
  syncMessages,
  type CardanoSourceState,
} from './cardano-source.js';
import { USUAL_BLOCK_MS } from './limits.js';
import type { ChainObserver } from './observer.js';
import { OGMIOS_PORT, ogmiosHealthRequest } from './ogmios.js';

/** Seconds a chain-sync conversation may take on the host: it asks only for blocks the tip says exist. */
const SYNC_SECONDS = 5;
/**
 * Slots between two relays' tips before it is a disagreement worth printing: on mainnet a block
 * comes every 20 slots or so (active slot coefficient 0.05), so one relay a block ahead of another
 * is that far; three blocks.
 */
const CARDANO_LAG_SLOTS = 60;

interface Source extends CardanoSourceState {
  host: ResolvedHost;
  port: number;
}

/** The Ogmios sources: every upstream relay of the identities (each runs Ogmios beside its node). */
function ogmiosSources(inv: ResolvedInventory): ResolvedHost[] {
  const seen = new Map<string, ResolvedHost>();
  for (const id of inv.identities)
    for (const h of id.upstream) if (h.client === 'cardano-node' && h.tier === 'relay') seen.set(h.name, h);
  return [...seen.values()];
}

export function cardanoObserver(inv: ResolvedInventory, session: HostSession): ChainObserver | undefined {
  const hosts = ogmiosSources(inv);
  if (hosts.length === 0) return undefined;
  const book = new Map(inv.identities.flatMap((id) => (id.poolId ? [[id.poolId, id.name] as const] : [])));
  const judged = inv.identities.filter((id) => id.poolId).map((id) => id.name);
  const unjudged = inv.identities
    .filter((id) => !id.poolId)
    .map((id) => ({
      identity: id.name,
      why: `no pool_id in the inventory (validators.${id.name}.pool_id: cardano-cli stake-pool id prints it)`,
    }));
  const sources: Source[] = hosts.map((host) => ({
    host,
    port: host.ports.ogmios?.port ?? OGMIOS_PORT,
    ...freshCardanoState(freshView(host)),
    view: { ...freshView(host), client: 'ogmios' },
  }));

  const round = async (s: Source) => {
    const clock = clockRequests(s, s.port);
    const health = await ask(session, s.host, [ogmiosHealthRequest('health', s.port), ...clock]);
    if ('error' in health) {
      s.view.error = `unreachable: ${health.error}`;
      return;
    }
    absorbHealth(s, health.get('health'));
    if (clock.length && !s.view.error) absorbClock(s, health.get('startTime'), health.get('eras'));
    if (s.view.error) return;
    // the first round starts at the tip; a second one at once reads what came meanwhile
    for (let i = 0; i < 2; i++) {
      const messages = syncMessages(s);
      if (!messages) return;
      const talk = await converse(session, s.host, s.port, messages, SYNC_SECONDS);
      if ('error' in talk) {
        s.view.notes.push(`chain-sync: ${talk.error}`);
        return;
      }
      absorbSync(s, talk.answers, book);
    }
  };

  return {
    what: `the chain (Ogmios on ${hosts.map((h) => h.name).join(', ')})`,
    // heights are slots: the newest era's slot length as a source's eras say it (a lab's 200 ms),
    // else mainnet's second; the waits bounded by it (dead-host silence, look-back) scale with it
    get blockTimeMs() {
      return sources.find((s) => s.clock)?.clock!.eras.at(-1)?.slotMs ?? USUAL_BLOCK_MS.cardano;
    },
    unjudged,
    read: () => readRound(sources, round, judged, { countsMissed: false, lagLimit: CARDANO_LAG_SLOTS }),
    async headOf(host) {
      // a block producer serves no API: its node's own slot number, from its Prometheus endpoint
      const port = host.ports.metrics?.port ?? 12798;
      const answers = await ask(session, host, [
        { tag: 'metrics', port, method: 'GET', path: metricsPathOf('cardano-node') },
      ]);
      if ('error' in answers) return { error: `unreachable: ${answers.error}` };
      const answer = answers.get('metrics');
      if (!answer || 'error' in answer) return { error: `its node's metrics: ${answer?.error ?? 'no answer'}` };
      if (answer.status !== 200) return { error: `its node's metrics answered HTTP ${answer.status}` };
      const reading = readingOf('cardano-node', parseMetrics(answer.body));
      if (reading.height === undefined) return { error: "its node's metrics give no slot number" };
      return { head: reading.height, syncing: reading.peers === 0 };
    },
    signatures: (identity, fromHeight) =>
      signaturesIn(
        sources.map((s) => s.view),
        identity,
        fromHeight,
      ),
  };
}
