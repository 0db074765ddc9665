/**
 * The cosmos signer tier (tmkms, horcrux) renders, but deploying and failing it over is the next
 * step of issue 12: the serving config a failover places on the signers, and the
 * priv_validator_laddr it writes on the live validator (docs/signers.md), are not written by any
 * command yet. Until they are, a deploy would start signers that serve nobody and a failover would
 * move a key the validators do not hold, so both refuse before they touch a host. Pure.
 */
import type { ResolvedInventory } from '../inventory/resolve.js';
import { StakeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

export function refuseCosmosSignerTier(inv: ResolvedInventory, command: 'deploy' | 'failover'): void {
  if (inv.family !== 'cosmos') return;
  const grouped = inv.identities.filter((id) => id.signer);
  if (grouped.length === 0) return;
  throw new StakeError(
    `${grouped.map((id) => `${id.name} signs through ${id.signer!.client} (${id.signer!.hosts.map((h) => h.name).join(', ')})`).join('; ')}: stake ${command} does not handle a cosmos remote signer tier yet`,
    {
      exitCode: EXIT.refused,
      hint: 'stake render and stake plan show every file it would deploy (docs/signers.md says what is built and what is next); until then deploy the signer tier by hand, or use an inventory without validators.<identity>.signer',
    },
  );
}
