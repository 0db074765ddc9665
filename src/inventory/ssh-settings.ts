import type { Inventory, SshSettings } from './schema.js';

/**
 * A host's SSH settings: the top-level defaults under its own. The default jump never applies to
 * the jump host itself (it would jump through itself). One definition, for the rules and the
 * resolved model alike.
 */
export function effectiveSsh(inv: Inventory, name: string): SshSettings {
  const defaults = { ...inv.ssh };
  if (defaults.jump === name) delete defaults.jump;
  return { ...defaults, ...inv.hosts[name]?.ssh };
}
