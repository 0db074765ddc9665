/**
 * The shared setup of the signer rule tests (test/inventory/rules/signer*.test.ts): the ethereum
 * example with its signer group replaced, and the signer rules' findings as one line each.
 */
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { Host, Inventory, SignerGroup } from '../../src/inventory/schema.js';
import { validateText } from './helpers.js';
import { InventoryBuilder } from './inventory-builder.js';

export const ID = 'mainnet-pool';
const signerHost = (dc: string, n: number, client = 'dirk'): Host => ({
  tier: 'signer',
  dc,
  address: `10.${n}.0.50`,
  client,
});

/** The ethereum example with a fourth datacenter (waw1) and signer hosts placed as given (name → dc). */
export function withSigners(
  placed: Record<string, string>,
  signer: Omit<SignerGroup, 'hosts'>,
  client = 'dirk',
): Inventory {
  const builder = InventoryBuilder.example('ethereum');
  for (const name of ['signer-fra', 'signer-lon', 'signer-ams']) builder.removeHost(name);
  Object.entries(placed).forEach(([name, dc], i) => builder.addHost(name, signerHost(dc, 11 + i, client)));
  builder.setSigner(ID, { ...signer, hosts: Object.keys(placed) } as SignerGroup);
  const inv = builder.build();
  inv.datacenters = { ...inv.datacenters, waw1: { provider: 'ovh', country: 'PL' } };
  if (client !== 'dirk') inv.clients = { ...inv.clients, [client]: { version: '1.0.0' } };
  return inv;
}

export const FOUR_SITES = { 'signer-fra': 'fra1', 'signer-lon': 'lon1', 'signer-ams': 'ams1', 'signer-waw': 'waw1' };

export const findingText = (d: Diagnostic) => `${d.id}: ${d.summary} | ${d.hint}`;

/** The signer rules' findings on an inventory (schema-valid, or the test fails), in order. */
export function signerDiagnostics(inv: Inventory): { text: string; found: Diagnostic[] } {
  const text = InventoryBuilder.of(inv).text();
  const { diagnostics, stage } = validateText(text);
  assert.equal(stage, 'rules', `schema errors: ${JSON.stringify(diagnostics)}`);
  return { text, found: diagnostics.filter((d) => /^(signer-|tier-client-mismatch)/.test(d.id)) };
}

/** The signer rules' findings as `id: summary | hint`. */
export const signerFindings = (inv: Inventory): string[] => signerDiagnostics(inv).found.map(findingText);

/** What a finding points at: its line of the inventory's text, from its column on. */
export function pointsAt(text: string, d: Diagnostic): string {
  return (text.split('\n')[d.location.line - 1] ?? '').slice(d.location.column - 1);
}
