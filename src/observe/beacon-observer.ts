/**
 * The chain observer of an ethereum inventory: every upstream beacon node's Beacon API, read round
 * after round (./beacon-source.ts), judged across the sources (./judge.ts). Heights are epochs:
 * liveness is known per epoch, so the safety window of `--old-host-dead` counts epochs here. The
 * chain names validators by index: the inventory's `validator_indices` say which are the
 * identity's.
 */
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import type { HostSession } from '../ssh/session.js';
import { ask, freshView, readRound, signaturesIn } from './ask.js';
import { beaconRequests, parseProposerDuties, parseSyncing, type IndexBook } from './beacon.js';
import { absorbBeacon, BLOCK_LOOKBACK_SLOTS, type BeaconSourceState } from './beacon-source.js';
import { jsonOf } from './http-on-host.js';
import { OBSERVED_WINDOW, USUAL_BLOCK_MS, USUAL_SLOT_MS } from './limits.js';
import type { ChainObserver } from './observer.js';

/** Epochs asked per source per round at most (each is one liveness request). */
const EPOCHS_PER_ROUND = 16;
/** Blocks asked per source per round at most (a round is seconds; a slot is 12 s on mainnet). */
const BLOCKS_PER_ROUND = 12;
/**
 * A round's requests go pipelined on one connection (./http-on-host.ts): a first round asks
 * liveness for every epoch of the window, 60 requests and more, which one by one cost the host
 * four processes each. HTTP/1.1 servers answer pipelined requests in order (RFC 9112 §9.3.2):
 * lighthouse's (hyper) and teku's (Jetty) do. The RFC advises against pipelining after a POST
 * because a client might retry it after a broken connection; stake never retries a batch (what
 * did not come back is an error of that request this round), and the liveness POST is a query.
 */
const PIPELINED = 'pipelined' as const;
/** The Beacon API port of a beacon node: lighthouse 5052, teku 5051 (../inventory/clients.ts). */
const portOf = (h: ResolvedHost) => h.ports.http?.port ?? 5052;

interface Source extends BeaconSourceState {
  host: ResolvedHost;
  /** When its blocks were last asked for. */
  blocksAt?: number;
}

function beaconSources(inv: ResolvedInventory): ResolvedHost[] {
  const seen = new Map<string, ResolvedHost>();
  for (const id of inv.identities) for (const h of id.upstream) if (h.tier === 'beacon') seen.set(h.name, h);
  return [...seen.values()];
}

export function beaconObserver(inv: ResolvedInventory, session: HostSession): ChainObserver | undefined {
  const hosts = beaconSources(inv);
  if (hosts.length === 0) return undefined;
  const book: IndexBook = new Map(
    inv.identities.flatMap((id) => (id.validatorIndices ?? []).map((i) => [i, id.name] as const)),
  );
  const indices = [...book.keys()].sort((a, b) => a - b);
  const judged = inv.identities.filter((id) => id.validatorIndices?.length).map((id) => id.name);
  const unjudged = inv.identities
    .filter((id) => !id.validatorIndices?.length)
    .map((id) => ({
      identity: id.name,
      why: `no validator_indices in the inventory (validators.${id.name}.validator_indices: its validators' indices on the beacon chain)`,
    }));
  const sources: Source[] = hosts.map((host) => ({ host, view: freshView(host) }));
  let pace: number | undefined;
  const how = { book, window: OBSERVED_WINDOW };

  const epochsToAsk = (s: Source) =>
    s.next === undefined ? [] : Array.from({ length: EPOCHS_PER_ROUND }, (_, i) => s.next! + i);

  // the slots the chain made since the source was last asked, and two more; the first time, the
  // look-back's (./beacon-source.ts)
  const slotsToAsk = (s: Source) => {
    if (s.nextSlot === undefined) return [];
    const slotMs = s.preset?.slotMs ?? USUAL_SLOT_MS;
    const made = s.blocksAt === undefined ? BLOCK_LOOKBACK_SLOTS : Math.ceil((Date.now() - s.blocksAt) / slotMs);
    s.blocksAt = Date.now();
    return Array.from({ length: Math.min(BLOCKS_PER_ROUND, made + 2) }, (_, i) => s.nextSlot! + i);
  };

  const round = async (s: Source) => {
    const answers = await ask(
      session,
      s.host,
      beaconRequests(portOf(s.host), indices, epochsToAsk(s), !s.preset, slotsToAsk(s)),
      PIPELINED,
    );
    if ('error' in answers) {
      s.view.error = `unreachable: ${answers.error}`;
      return;
    }
    const first = s.next === undefined;
    absorbBeacon(s, answers, how);
    // the first round learned the head: read the window's epochs now rather than at the next read
    if (first && s.next !== undefined && !s.view.error) {
      const again = await ask(
        session,
        s.host,
        beaconRequests(
          portOf(s.host),
          indices,
          Array.from({ length: OBSERVED_WINDOW + 1 }, (_, i) => s.next! + i),
          false,
          slotsToAsk(s),
        ),
        PIPELINED,
      );
      if (!('error' in again)) absorbBeacon(s, again, how);
    }
  };

  return {
    what: `the chain (Beacon API on ${hosts.map((h) => h.name).join(', ')})`,
    get blockTimeMs() {
      return pace ?? USUAL_BLOCK_MS.ethereum;
    },
    unjudged,
    async read() {
      const reading = await readRound(sources, round, judged);
      if (reading.observedBlockMs) pace = reading.observedBlockMs;
      return reading;
    },
    // A validator client has no head of its own: a beacon node's is its; the target's beacon
    // nodes are the identity's upstreams, so the best of them stands for it.
    async headOf(host) {
      const own =
        host.tier === 'beacon'
          ? [host]
          : // by name: the host may come from another resolution of the inventory (a drill's round)
            (inv.identities.find((id) => [id.active, ...id.standby].some((h) => h.name === host.name))?.upstream ?? []);
      const heads: { head: number; syncing: boolean }[] = [];
      const errors: string[] = [];
      for (const h of own.filter((x) => x.tier === 'beacon')) {
        const answers = await ask(session, h, beaconRequests(portOf(h), [], [], false));
        if ('error' in answers) {
          errors.push(`${h.name}: unreachable: ${answers.error}`);
          continue;
        }
        const json = jsonOf(answers.get('syncing'));
        const sync = 'error' in json ? json : parseSyncing(json.value);
        if ('error' in sync) errors.push(`${h.name}: ${sync.error}`);
        else {
          const spe =
            sources.find((s) => s.host.name === h.name)?.preset?.slotsPerEpoch ??
            sources.find((s) => s.preset)?.preset?.slotsPerEpoch ??
            32;
          heads.push({ head: Math.floor(sync.headSlot / spe), syncing: sync.syncing });
        }
      }
      const best = heads.filter((x) => !x.syncing).sort((a, b) => b.head - a.head)[0] ?? heads[0];
      return best ?? { error: errors.join('; ') || 'it has no beacon node to ask' };
    },
    signatures: (identity, fromHeight) =>
      signaturesIn(
        sources.map((s) => s.view),
        identity,
        fromHeight,
      ),
    async proposals(identity) {
      const mine = new Set(inv.identities.find((id) => id.name === identity)?.validatorIndices ?? []);
      const s = sources.find((x) => !x.view.error && x.view.head !== undefined && x.preset);
      if (!s || mine.size === 0) return undefined;
      const epoch = s.view.head!;
      const port = portOf(s.host);
      const requests = [
        { tag: 'syncing', port, method: 'GET' as const, path: '/eth/v1/node/syncing' },
        ...[epoch, epoch + 1].map((e) => ({
          tag: `proposer/${e}`,
          port,
          method: 'GET' as const,
          path: `/eth/v1/validator/duties/proposer/${e}`,
        })),
      ];
      const answers = await ask(session, s.host, requests);
      if ('error' in answers) return undefined;
      const syncJson = jsonOf(answers.get('syncing'));
      const sync = 'error' in syncJson ? syncJson : parseSyncing(syncJson.value);
      if ('error' in sync) return undefined;
      const duties: { slot: number; index: number }[] = [];
      for (const r of requests.slice(1)) {
        const json = jsonOf(answers.get(r.tag));
        const parsed = 'error' in json ? json : parseProposerDuties(json.value);
        if ('error' in parsed) return undefined;
        duties.push(...parsed.filter((d) => mine.has(d.index)));
      }
      return { headSlot: sync.headSlot, ...(s.preset!.slotMs ? { slotMs: s.preset!.slotMs } : {}), duties };
    },
  };
}
