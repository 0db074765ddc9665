/**
 * An inventory built in memory: one of the example inventories parsed with `yaml` (or any
 * inventory object), changed through small typed setters, and handed back as an object or as
 * YAML text. For tests that change the shape of an inventory; tests that assert a finding's line
 * keep editing the example's text (`edit` in helpers.ts), since the builder does not keep the
 * layout or the comments.
 *
 *   const text = InventoryBuilder.example('cosmos').setHost('val-fra', { ssh: { port: 2222 } }).text();
 */
import { parse, stringify } from 'yaml';
import type { Host, Inventory, SignerGroup, Validator } from '../../src/inventory/schema.js';
import { example } from './helpers.js';

export type ExampleName = 'cosmos' | 'ethereum' | 'cardano';
export type ClientSettings = NonNullable<Inventory['clients']>[string];

export class InventoryBuilder {
  private constructor(private readonly inv: Inventory) {}

  /** One of inventories/<name>.yaml, parsed. */
  static example(name: ExampleName): InventoryBuilder {
    return new InventoryBuilder(parse(example(name)) as Inventory);
  }

  /** A copy of any inventory object. */
  static of(inventory: Inventory): InventoryBuilder {
    return new InventoryBuilder(structuredClone(inventory));
  }

  /** Adds a host (or replaces one of that name), at the end of `hosts:` or just before another host. */
  addHost(name: string, host: Host, options: { before?: string } = {}): this {
    const entries = Object.entries(this.inv.hosts).filter(([n]) => n !== name);
    const at = options.before === undefined ? entries.length : entries.findIndex(([n]) => n === options.before);
    if (at < 0) throw new Error(`addHost: no host ${options.before} to add ${name} before`);
    entries.splice(at, 0, [name, host]);
    this.inv.hosts = Object.fromEntries(entries);
    return this;
  }

  /** Sets some keys of an existing host; the others stay. */
  setHost(name: string, fields: Partial<Host>): this {
    Object.assign(this.host(name), fields);
    return this;
  }

  removeHost(name: string): this {
    this.host(name);
    delete this.inv.hosts[name];
    return this;
  }

  /** Sets `clients.<name>` (a pinned version, a binary, a source...). */
  setClient(name: string, settings: ClientSettings): this {
    this.inv.clients = { ...this.inv.clients, [name]: settings };
    return this;
  }

  /** Sets some keys of an existing identity (under `validators:`); the others stay. */
  setIdentity(name: string, fields: Partial<Validator>): this {
    Object.assign(this.identity(name), fields);
    return this;
  }

  /** The identity's active host and its standbys. */
  setActive(identity: string, active: string, standby?: string[]): this {
    return this.setIdentity(identity, standby === undefined ? { active } : { active, standby });
  }

  /** The identity's remote signer group, or none (`undefined`). */
  setSigner(identity: string, signer: SignerGroup | undefined): this {
    const id = this.identity(identity);
    if (signer === undefined) delete id.signer;
    else id.signer = signer;
    return this;
  }

  /** A deep copy of the inventory as it stands. */
  build(): Inventory {
    return structuredClone(this.inv);
  }

  /** The inventory as YAML text, for validateText or a file given to bin/stake. */
  text(): string {
    return stringify(this.inv);
  }

  private host(name: string): Host {
    const host = this.inv.hosts[name];
    if (!host) throw new Error(`no host ${name} in the inventory`);
    return host;
  }

  private identity(name: string): Validator {
    const id = this.inv.validators[name];
    if (!id) throw new Error(`no identity ${name} in the inventory`);
    return id;
  }
}
