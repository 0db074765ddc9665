/** Finding an identity a user named on the command line, with the one error that lists the choices. */
import { UsageError } from '../errors.js';
import type { ResolvedIdentity, ResolvedInventory } from './resolve.js';

/** The identity called `name`; a usage error (exit 2) naming `where` and every identity otherwise. */
export function identityNamed(
  inv: Pick<ResolvedInventory, 'identities'>,
  name: string,
  where: string,
): ResolvedIdentity {
  const identity = inv.identities.find((i) => i.name === name);
  if (!identity)
    throw new UsageError(
      `no identity "${name}" in ${where}`,
      `identities: ${inv.identities.map((i) => i.name).join(', ')}`,
    );
  return identity;
}
