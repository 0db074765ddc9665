/**
 * The cosmos signer tier (tmkms, horcrux) renders and deploys (the serving config and the active
 * validator's privval laddr are rendered files), but failing it over is the next step of issue
 * 12: the fence, carry and activation that move those files (docs/signers.md). Until it is, a
 * failover would try to move a key the validators do not hold, so it refuses before it touches a
 * host. Pure.
 */
import type { ResolvedInventory } from '../inventory/resolve.js';
import { StakeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

export function refuseCosmosSignerTier(inv: ResolvedInventory, command: 'failover'): void {
  if (inv.family !== 'cosmos') return;
  const grouped = inv.identities.filter((id) => id.signer);
  if (grouped.length === 0) return;
  throw new StakeError(
    `${grouped.map((id) => `${id.name} signs through ${id.signer!.client} (${id.signer!.hosts.map((h) => h.name).join(', ')})`).join('; ')}: stake ${command} does not handle a cosmos remote signer tier yet`,
    {
      exitCode: EXIT.refused,
      hint: 'docs/signers.md says what is built and what is next; until then move the signer tier by hand, or use an inventory without validators.<identity>.signer',
    },
  );
}
