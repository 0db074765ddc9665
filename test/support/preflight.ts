/**
 * The shared setup of the preflight tests (test/failover/checks-*.test.ts): the cosmos example's
 * identity, a healthy quorum's probes, a chain reading, and the checks as they are expected.
 */
import type { Check, HostView, PreflightInput } from '../../src/failover/checks.js';
import { preflightChecks } from '../../src/failover/checks.js';
import type { ChainReading } from '../../src/failover/observer.js';
import { parseProbe } from '../../src/failover/scripts.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { validatorKeyFiles } from '../../src/keys/layout.js';
import { plan } from './failover-plan.js';
import { example, validateText } from './helpers.js';

export const inventory = (name: 'cosmos' | 'cardano') => resolveInventory(validateText(example(name)).inventory!);
export const cosmos = inventory('cosmos').identities[0]!;
export const NOW = new Date('2026-11-02T00:00:00.000Z');
export const KEY = 'priv_validator_key.json';

/** A generation record naming `active`, as a quorum host keeps it. */
export const record = (active: string, generation = 3) =>
  JSON.stringify({ generation, active, since: '2026-11-01T00:00:00Z', approvers: [], plan: 'p' });

/** A host's answer to the probe, from its lines (K key, S service, L port, G generation, X lock, F file). */
export const view = (host: string, lines: string[]): HostView => ({
  host,
  probe: parseProbe(`${lines.join('\n')}\n`),
});

/** The cosmos quorum before a failover from val-fra to val-waw: everything as it should be. */
export const healthy = (): HostView[] => [
  view('val-fra', [`K\t${KEY}\tactive`, 'S\tcometbft\trunning', 'L\t26656\tyes', `G\t${record('val-fra')}`]),
  view('val-waw', [`K\t${KEY}\tsealed`, 'S\tcometbft\trunning', 'L\t26656\tyes', `G\t${record('val-fra')}`]),
  view('witness-ams', [`G\t${record('val-fra')}`]),
];

export const replace = (views: HostView[], next: HostView) => views.map((v) => (v.host === next.host ? next : v));

/** The preflight of the cosmos plan over these views, as of NOW. */
export function checks(views: HostView[], over: Partial<PreflightInput> = {}): Check[] {
  return preflightChecks({
    plan,
    identity: cosmos,
    views,
    keys: validatorKeyFiles('cosmos'),
    services: [{ name: 'cometbft', port: 26656 }],
    now: NOW,
    ...over,
  });
}

export const named = (all: Check[], name: string) => all.filter((c) => c.name === name);
export const ok = (name: string, detail: string): Check => ({ name, ok: true, detail, refuses: true });
export const fail = (name: string, detail: string, hint: string): Check => ({
  name,
  ok: false,
  detail,
  refuses: true,
  hint,
});

/** A chain reading at head 1000 (no identity judged), as the observer gives it. */
export function reading(head = 1000): ChainReading {
  return {
    head,
    sources: [{ source: 'sentry-fra-1', client: 'cometbft', head }],
    disagreements: [],
    identity: () => undefined,
  };
}
