/**
 * What stake's chain observer reports, for every family: per source (an upstream host's client,
 * asked through its own API) what it showed, and the chain's word judged across the sources. The
 * chain names keys, never hosts: which host signed is stake's own knowledge (the fence, the
 * generation), and this model never pretends otherwise. Sources that disagree are listed, never
 * averaged away.
 */

/** Two signatures of one key for one height (and round) that conflict: what the chain slashes. */
export interface Equivocation {
  identity: string;
  /** The height or slot signed twice. */
  height: number;
  round?: number;
  /** What the chain shows: "duplicate-vote evidence in block 1234", "attester slashing in the pool". */
  what: string;
  /** The sources that showed it. */
  sources: string[];
}

/** One height or slot of one identity, as one source read it. */
export interface HeightRecord {
  /** The identities whose key signed it (cosmos: precommitted it; ethereum: live in the epoch; cardano: issued the block). */
  signed: Set<string>;
  /** When the chain recorded the signature (CometBFT's commit timestamps), by identity. */
  at: Map<string, string>;
  /** The block's hash, to see two sources on two forks. */
  hash?: string;
}

/** What one source showed. */
export interface SourceView {
  /** The upstream host asked. */
  source: string;
  client: string;
  /** Why nothing from it can be used, when so. */
  error?: string;
  head?: number;
  /** Its head's time (ISO), to tell a stalled node from a slow chain. */
  headTime?: string;
  finalized?: number;
  syncing?: boolean;
  /** The heights it was read for, and what each showed. */
  heights: Map<number, HeightRecord>;
  /** Block times it showed (ISO), by height: the chain's pace. */
  blockTimes: Map<number, string>;
  /** The chain's pace per height when the node says it outright (a beacon node's slot length times its epoch). */
  paceMs?: number;
  equivocations: Equivocation[];
  /** Identities the source shows slashed (ethereum) or out of the validator set (cosmos), with why. */
  flags: Map<string, string>;
  /** cardano: the highest operational-certificate counter among each identity's blocks it showed. */
  counters?: Map<string, number>;
  /** Problems with single answers (a height it could not give). */
  notes: string[];
}

export interface IdentityOnChain {
  identity: string;
  /** The highest height its key signed, as any source showed it. */
  lastHeight?: number;
  /** The heights judged (those every answering source had read), and in them: */
  window?: { from: number; to: number };
  signed: number;
  /** Heights in the window no source showed its signature at: how many, and which (when the source lists them). */
  missed: number;
  missedHeights?: number[];
  equivocations: Equivocation[];
  /** Slashed, jailed or out of the set, as a source said it. */
  flags: string[];
  /** cardano: the highest operational-certificate counter its blocks carried, as any source showed them. */
  opcertCounter?: number;
}

export interface SourceSummary {
  source: string;
  client: string;
  head?: number;
  syncing?: boolean;
  error?: string;
}

export interface ChainReading {
  /** The highest head a usable source showed. */
  head: number;
  /** The highest height the chain calls final (cosmos: every committed height is). */
  finalized?: number;
  /** Milliseconds per height, as the blocks' times show it (undefined before two blocks were read). */
  observedBlockMs?: number;
  sources: SourceSummary[];
  /** Where sources disagree: heads far apart, a height signed in one and not the other, two forks. */
  disagreements: string[];
  /**
   * false where a height without an identity's signature says nothing (cardano: a pool forges only
   * in its own leader slots, known only to its VRF key, so no block of it for a while is no miss).
   */
  showsMisses?: false;
  identity(name: string): IdentityOnChain | undefined;
}
