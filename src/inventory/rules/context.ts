import type { Diagnostic } from '../../diagnostics.js';
import type { DataPath, Locate, Part } from '../locate.js';
import type { Host, Inventory, SshSettings } from '../schema.js';
import { effectiveSsh } from '../ssh-settings.js';
import { RULES, type RuleId } from './registry.js';

/** What every rule gets: the schema-valid inventory, lookups, and a way to report. */
export interface RuleContext {
  readonly inv: Inventory;
  /** The host of that name, or undefined (unknown-reference reports the name itself). */
  host(name: string | undefined): Host | undefined;
  /** SSH settings of a host: the top-level defaults under the host's own. */
  ssh(name: string): SshSettings;
  report(id: RuleId, path: DataPath, summary: string, hint: string, part?: Part): void;
}

/** A topology rule: reads the inventory, reports findings, returns nothing. */
export type Rule = (ctx: RuleContext) => void;

export function makeContext(inv: Inventory, locate: Locate, out: Diagnostic[]): RuleContext {
  return {
    inv,
    host: (name) => (name !== undefined && Object.hasOwn(inv.hosts, name) ? inv.hosts[name] : undefined),
    ssh: (name) => effectiveSsh(inv, name),
    report(id, path, summary, hint, part = 'value') {
      out.push({ id, severity: RULES[id].severity, summary, hint, location: locate(path, part) });
    },
  };
}
