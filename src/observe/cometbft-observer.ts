/**
 * The chain observer of a cosmos inventory: every upstream sentry's CometBFT RPC, read round after
 * round (./cometbft-source.ts), judged across the sources (./judge.ts).
 */
import type { ResolvedHost, ResolvedInventory } from '../inventory/resolve.js';
import type { HostSession } from '../ssh/session.js';
import { ask, freshView, readRound, signaturesIn } from './ask.js';
import { cometbftRequests, parseStatus, type AddressBook } from './cometbft.js';
import { absorbCometbft, type SourceState } from './cometbft-source.js';
import { jsonOf, type ApiAnswer } from './http-on-host.js';
import { OBSERVED_WINDOW, USUAL_BLOCK_MS } from './limits.js';
import type { ChainObserver } from './observer.js';

/** Heights read per source per round at most: a source further behind catches up over rounds. */
const BLOCKS_PER_ROUND = 32;
/** How often the validator set is asked again within one command (a watch). */
const SET_EVERY_MS = 30_000;

interface Source extends SourceState {
  host: ResolvedHost;
  port: number;
  /** When its last round ended, and when it last gave the validator set (ms). */
  readAt?: number;
  setAt?: number;
}

/** The CometBFT sources: every upstream host of the identities that runs cometbft. */
function cometbftSources(inv: ResolvedInventory): ResolvedHost[] {
  const seen = new Map<string, ResolvedHost>();
  for (const id of inv.identities) for (const h of id.upstream) if (h.client === 'cometbft') seen.set(h.name, h);
  return [...seen.values()];
}

/** The observer of a cosmos inventory: every sentry's CometBFT RPC. */
export function cometbftObserver(inv: ResolvedInventory, session: HostSession): ChainObserver | undefined {
  const hosts = cometbftSources(inv);
  if (hosts.length === 0) return undefined;
  const book: AddressBook = new Map(
    inv.identities.flatMap((id) => (id.consensusAddress ? [[id.consensusAddress, id.name] as const] : [])),
  );
  const judged = inv.identities.filter((id) => id.consensusAddress).map((id) => id.name);
  const unjudged = inv.identities
    .filter((id) => !id.consensusAddress)
    .map((id) => ({
      identity: id.name,
      why: `no consensus_address in the inventory (validators.${id.name}.consensus_address: the address in its priv_validator_key.json)`,
    }));
  const sources: Source[] = hosts.map((host) => ({ host, port: host.ports.rpc?.port ?? 26657, view: freshView(host) }));
  let pace: number | undefined;

  const absorb = (s: Source, answers: ReadonlyMap<string, ApiAnswer>) =>
    absorbCometbft(s, answers, { book, network: inv.chain.network, window: OBSERVED_WINDOW });

  // How many blocks to ask a source for: what the chain made since it was last read, and two
  // more; all a round may carry when it did not reach its head last time (it is catching up).
  // Each request costs the host a few processes, and a warm round should cost about a height.
  const blocksToAsk = (s: Source) => {
    if (s.next === undefined) return [];
    const caughtUp = s.view.head !== undefined && s.next > s.view.head;
    const made = Math.ceil((Date.now() - (s.readAt ?? 0)) / (pace ?? USUAL_BLOCK_MS.cosmos));
    const count = caughtUp ? Math.min(BLOCKS_PER_ROUND, Math.max(0, made) + 2) : BLOCKS_PER_ROUND;
    return Array.from({ length: count }, (_, i) => s.next! + i);
  };
  // the validator set changes rarely: asked on the first round and then every SET_EVERY_MS
  const wantsSet = (s: Source) => s.setAt === undefined || Date.now() - s.setAt >= SET_EVERY_MS;

  const round = async (s: Source) => {
    const withSet = wantsSet(s);
    const answers = await ask(session, s.host, cometbftRequests(s.port, blocksToAsk(s), withSet), 'pipelined');
    if ('error' in answers) {
      s.view.error = `unreachable: ${answers.error}`;
      return;
    }
    const first = s.next === undefined;
    absorb(s, answers);
    s.readAt = Date.now();
    if (withSet && !s.view.error) s.setAt = s.readAt;
    // the first round learned the head: read the window's blocks now rather than at the next read
    if (first && s.next !== undefined && !s.view.error) {
      const again = await ask(
        session,
        s.host,
        cometbftRequests(
          s.port,
          Array.from({ length: BLOCKS_PER_ROUND * 2 }, (_, i) => s.next! + i),
          false,
        ),
        'pipelined',
      );
      if (!('error' in again)) absorb(s, again);
    }
  };

  return {
    what: `the chain (CometBFT RPC on ${hosts.map((h) => h.name).join(', ')})`,
    get blockTimeMs() {
      return pace ?? USUAL_BLOCK_MS.cosmos;
    },
    unjudged,
    async read() {
      const reading = await readRound(sources, round, judged);
      if (reading.observedBlockMs) pace = reading.observedBlockMs;
      return reading;
    },
    async headOf(host) {
      const answers = await ask(session, host, cometbftRequests(host.ports.rpc?.port ?? 26657, [], false), 'pipelined');
      if ('error' in answers) return { error: `unreachable: ${answers.error}` };
      const json = jsonOf(answers.get('status'));
      const status = 'error' in json ? json : parseStatus(json.value);
      if ('error' in status) return { error: `its RPC: ${status.error}` };
      if (status.network !== inv.chain.network)
        return { error: `its node is on ${status.network}, not ${inv.chain.network}` };
      return { head: status.head, syncing: status.catchingUp };
    },
    signatures: (identity, fromHeight) =>
      signaturesIn(
        sources.map((s) => s.view),
        identity,
        fromHeight,
      ),
  };
}
