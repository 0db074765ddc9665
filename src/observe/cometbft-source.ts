/**
 * One CometBFT source over a command's rounds: what each round's answers add to what it showed
 * before (its head, the validator set, each block's commit and evidence), reading blocks one
 * after another and stopping at the first it could not give. Pure: the answers come in, the
 * source's view changes.
 */
import {
  equivocationsIn,
  heightOf,
  outOfSet,
  parseBlock,
  parseStatus,
  parseValidators,
  VALIDATOR_PAGES,
  type AddressBook,
} from './cometbft.js';
import { jsonOf, type ApiAnswer } from './http-on-host.js';
import type { SourceView } from './model.js';

export interface SourceState {
  view: SourceView;
  /** The next block to read (block H judges height H-1); undefined before its head is known. */
  next?: number;
}

export interface CometbftReading {
  book: AddressBook;
  /** The inventory's chain.network: a node on another chain is no source. */
  network: string;
  /** How far back the first round reads, and how far a source far behind skips. */
  window: number;
}

export function absorbCometbft(s: SourceState, answers: ReadonlyMap<string, ApiAnswer>, how: CometbftReading): void {
  const status = jsonOf(answers.get('status'));
  const parsed = 'error' in status ? status : parseStatus(status.value);
  if ('error' in parsed) {
    s.view.error = `its RPC: ${parsed.error}`;
    return;
  }
  if (parsed.network !== how.network) {
    s.view.error = `its node is on ${parsed.network}, not ${how.network}`;
    return;
  }
  delete s.view.error;
  s.view.head = parsed.head;
  s.view.headTime = parsed.headTime;
  s.view.finalized = parsed.head; // CometBFT: a committed block is final
  s.view.syncing = parsed.catchingUp;
  s.next ??= Math.max(parsed.earliest + 1, parsed.head - how.window + 1, 2);
  if (answers.has('validators/1')) {
    const pages = Array.from({ length: VALIDATOR_PAGES }, (_, i) => {
      const page = jsonOf(answers.get(`validators/${i + 1}`));
      return 'error' in page ? page : parseValidators(page.value);
    });
    const flags = outOfSet(pages, how.book);
    if (flags) s.view.flags = flags;
  }
  for (;;) {
    const answer = answers.get(`block/${s.next}`);
    if (!answer) break;
    const json = jsonOf(answer);
    const block = 'error' in json ? json : parseBlock(json.value);
    if ('error' in block) {
      // above its head is the end of what it has; below it, something is wrong with this source
      if (s.next <= parsed.head) s.view.notes.push(`block ${s.next}: ${block.error}`);
      break;
    }
    if (block.height !== s.next) {
      s.view.notes.push(`asked for block ${s.next}, it gave ${block.height}`);
      break;
    }
    const { height, record } = heightOf(block, how.book);
    record.hash = block.hash;
    s.view.heights.set(height, record);
    s.view.blockTimes.set(block.height, block.time);
    for (const e of equivocationsIn(block, how.book, s.view.source))
      if (!s.view.equivocations.some((x) => x.identity === e.identity && x.height === e.height && x.round === e.round))
        s.view.equivocations.push(e);
    s.next++;
  }
  // blocks read after its status answered are its head too: a head below them would look behind
  s.view.head = Math.max(parsed.head, s.next - 1);
  s.view.finalized = s.view.head;
  // a source far behind what was read skips to the window: the past beyond it is not asked again
  if (s.next < parsed.head - how.window) s.next = parsed.head - how.window + 1;
  trim(s.view, how.window);
}

/** Keeps a source's memory bounded over a long watch: the heights well behind the window go. */
function trim(view: SourceView, window: number): void {
  const keep = window * 20;
  if (view.heights.size <= keep * 1.5) return;
  const heights = [...view.heights.keys()].sort((a, b) => a - b);
  for (const h of heights.slice(0, heights.length - keep)) {
    view.heights.delete(h);
    view.blockTimes.delete(h + 1);
  }
}
