/**
 * Deploy's gate for tmkms: a tmkms started without its state file makes a new one at height 0
 * and signs anything above it (src/chain/state.rs; the lab's tmkms does the same), so before
 * stake starts one it reads the state on the host and the identity's last signature on the
 * chain. A state below the chain (or none) is raised to the chain's last signature, every round,
 * as a failover's carry raises a watermark: tmkms then signs from the next height on and never
 * below. It is never lowered. When the chain cannot be read and the state is missing or
 * unreadable, the start is refused (exit 4): stake cannot know how high the floor must be.
 */
import type { ResolvedIdentity, ResolvedInventory } from '../inventory/resolve.js';
import type { GenerationVerdict } from '../quorum/generation.js';
import { parseTmkmsState, serializeTmkmsState } from '../chain/remote-signer-state.js';
import { STEP } from '../chain/cometbft-sign-state.js';
import { StakeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { chainObserverFor, type ChainObserver } from '../observe/observer.js';
import { tmkmsStatePath } from '../render/clients/cosmos-signer.js';
import type { HostSession } from '../ssh/session.js';
import { base64Heredoc, hostPath, rootShell, writeFromLines } from '../ssh/shell.js';
import type { ApplyOptions } from './host.js';
import { printable } from '../output/untrusted.js';

/** The state file is a few hundred bytes: more is no tmkms state. */
const MAX_STATE_BYTES = 4096;

/** The round a carried floor stands for: every round of its height (tmkms reads a u32; CometBFT's rounds are int32). */
const EVERY_ROUND = 2147483647;

export function signerStateGate(
  inv: ResolvedInventory,
  session: HostSession,
  verdicts: ReadonlyMap<ResolvedIdentity, GenerationVerdict>,
): ApplyOptions['startGate'] {
  if (inv.family !== 'cosmos') return undefined;
  const identityOf = new Map<string, string>();
  const firstDeploy = new Set<string>();
  for (const id of inv.identities) {
    if (id.signer?.client === 'tmkms') for (const h of id.signer.hosts) identityOf.set(h.name, id.name);
    if (verdicts.get(id)?.kind === 'first') firstDeploy.add(id.name);
  }
  if (identityOf.size === 0) return undefined;
  let observer: ChainObserver | undefined;
  const file = tmkmsStatePath(inv.chain.network);
  return (host, service) => {
    const identity = identityOf.get(host.name);
    if (!identity || service !== 'tmkms') return undefined;
    return async () => {
      const exec = async (script: string) => {
        const [o] = await session.each([host], (conn) =>
          conn.exec(rootShell(host), { stdin: script, timeoutMs: 30_000 }),
        );
        if (!o!.ok) throw new StakeError(`${host.name}: ${o!.error.detail}`, { exitCode: EXIT.unreachable });
        if (o!.value.code !== 0)
          throw new StakeError(`${host.name}: tmkms's state: ${printable(o!.value.stderr.trim()).slice(0, 300)}`, {
            exitCode: EXIT.failed,
          });
        return o!.value.stdout;
      };
      const at = hostPath(host.root, file);
      const out = await exec(
        `set -eu\nif [ -f ${at} ] && [ ! -L ${at} ]; then printf 'S\\t'; head -c ${MAX_STATE_BYTES + 1} ${at} | base64 -w0; printf '\\n'; else printf 'S\\t-\\n'; fi\n`,
      );
      const b64 = /^S\t(\S*)$/m.exec(out)?.[1];
      const text = b64 && b64 !== '-' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
      let height: bigint | undefined;
      let why = 'missing';
      if (text !== undefined)
        try {
          if (text.length > MAX_STATE_BYTES) throw new Error('larger than any tmkms state');
          height = parseTmkmsState(text, file).height;
        } catch (err) {
          why = `unreadable (${(err as Error).message.slice(0, 200)})`;
        }
      observer ??= chainObserverFor(inv, session);
      const reading = observer ? await observer.read().catch(() => undefined) : undefined;
      const last = reading?.identity(identity)?.lastHeight;
      // The floor is the head, not only the last signature seen: the precommits of the head are
      // only in the next block (and a vote may be in flight), so a floor at the last signature
      // alone would reopen heights the key has most likely signed. A fresh key loses nothing by it.
      const head = reading && reading.head > 0 ? reading.head : undefined;
      if (head === undefined) {
        if (height !== undefined) return undefined;
        // a first deploy rolls the signers out before the sentries the chain is read through
        if (firstDeploy.has(identity))
          return `first deploy: tmkms's state is ${why} and the chain cannot be read yet (its sentries come after the signers): if this key ever signed before, stop tmkms now and restore its state`;
        throw new StakeError(
          `${host.name}: tmkms's state file ${file} is ${why}, and the chain could not be read: started so, tmkms would sign from height 0`,
          {
            exitCode: EXIT.refused,
            hint: `restore ${file} from a backup (or write the chain's head into it), then deploy again; stake raises it by itself when the chain can be read`,
          },
        );
      }
      const floorHeight = Math.max(head, last ?? 0);
      if (height !== undefined && height >= BigInt(floorHeight)) return undefined;
      const floor = { height: BigInt(floorHeight), round: EVERY_ROUND, step: STEP.precommit };
      await exec(['set -eu', ...asTmkms(host.root, writeFloorLines(host.root, file, floor)), ''].join('\n'));
      const seen =
        last !== undefined ? `${identity}'s last signature on the chain (${last})` : `no signature of ${identity} seen`;
      return `tmkms's state was ${height !== undefined ? `at height ${height}` : why}, below the chain's head ${head} (${seen}): raised to it, every round, before the start (tmkms signs from ${floorHeight + 1})`;
    };
  };
}

/** The floor written as tmkms writes its state: through a temp beside it, renamed over it. */
const writeFloorLines = (root: string, file: string, floor: Parameters<typeof serializeTmkmsState>[0]) =>
  writeFromLines(root, file, '0600', (t) => base64Heredoc(serializeTmkmsState(floor), { into: t }), 'stake_tmp');

/**
 * On a host that is its whole machine (root /) tmkms's folders are the tmkms user's, so the write
 * runs as that user: a folder swapped for a link then leads nowhere tmkms could not write itself
 * (as root it could lead anywhere). Elsewhere (a root prefix, the lab's process hosts) as is.
 */
function asTmkms(root: string, lines: string[]): string[] {
  if (root !== '/') return lines;
  return ["runuser -u tmkms -- sh -s <<'STAKE_AS_TMKMS'", 'set -eu', ...lines, 'STAKE_AS_TMKMS'];
}

/** Both gates of a service, one after the other (a service has at most one of them today). */
export function bothGates(a: ApplyOptions['startGate'], b: ApplyOptions['startGate']): ApplyOptions['startGate'] {
  if (!a || !b) return a ?? b;
  return (host, service) => {
    const first = a(host, service);
    const second = b(host, service);
    if (!first || !second) return first ?? second;
    return async () => {
      const said = [await first(), await second()].filter(Boolean);
      return said.length ? said.join('; ') : undefined;
    };
  };
}
