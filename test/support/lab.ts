/** The example inventories as the lab unit tests use them: resolved, and moved into a lab as `stake lab up` writes them. */
import assert from 'node:assert/strict';
import { resolveInventory, type ResolvedInventory } from '../../src/inventory/resolve.js';
import { planAddresses } from '../../src/lab/addressing.js';
import { clientsOf, labInventoryText } from '../../src/lab/lab-inventory.js';
import { example, validateText } from './helpers.js';

export const FAMILIES = ['cosmos', 'ethereum', 'cardano'] as const;

export const resolved = (text: string): ResolvedInventory => {
  const r = validateText(text);
  assert.ok(r.inventory, JSON.stringify(r.diagnostics.filter((d) => d.severity === 'error')));
  return resolveInventory(r.inventory);
};

/** A family's example moved into a lab, as `lab up` writes it. */
export function labOf(
  family: (typeof FAMILIES)[number],
  mode: 'netns' | 'loopback',
  slot: number,
  hostMode: 'systemd' | 'process' = 'process',
) {
  const text = example(family);
  const inv = resolved(text);
  const a = planAddresses(inv, mode, slot);
  const out = labInventoryText({
    text,
    origin: `/x/${family}.yaml`,
    inv,
    addressing: a,
    hosts: Object.fromEntries(
      inv.hosts.map((h, i) => [
        h.name,
        { root: `/lab/hosts/${h.name}/root`, sshPort: mode === 'netns' ? 22 : 40000 + i },
      ]),
    ),
    user: 'root',
    knownHosts: 'known_hosts',
    identity: 'client_ed25519',
    operatorKeys: {
      alice: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGW8oy2Mqx1zzWmPA3bEl/cmOShCz0XV4h1qQ8tSsOlS alice@stake-lab',
    },
    clients: Object.fromEntries(clientsOf(inv).map((c) => [c, { source: `bin/${c}`, sha256: 'a'.repeat(64) }])),
    schema: '/p/schema/inventory.schema.json',
    hostMode,
  });
  return { text, inv, a, out };
}
