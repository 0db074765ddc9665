/**
 * The formats a JSON Schema pattern cannot say, checked on the schema-valid inventory, pure:
 * URLs are parsed with the WHATWG parser (the one the renderers re-serialise with), and the
 * operator-side paths must be normalised. Findings are `schema/value`, at the value.
 */
import { isIP } from 'node:net';
import { posix } from 'node:path';
import { bech32 } from '@scure/base';
import type { Diagnostic } from '../diagnostics.js';
import type { DataPath, Locate } from './locate.js';
import type { Inventory } from './schema.js';

/** Why a URL cannot be rendered as given, or undefined when it can (as its canonical serialisation). */
export function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'it does not parse as a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `its scheme is ${url.protocol}, not http or https`;
  if (url.username || url.password)
    return 'it carries credentials (user:password@), which would land in rendered files';
  if (/\s/.test(value)) return 'it holds whitespace';
  return undefined;
}

/** The form a URL is rendered in. */
export const canonicalUrl = (value: string) => new URL(value).href;

/** Why an operator-side path is not normalised, or undefined. Leading `../` is fine: it is relative to the inventory. */
export function pathProblem(value: string): string | undefined {
  const body = value.startsWith('./') ? value.slice(2) : value;
  const normal = posix.normalize(body);
  if (normal !== body || (body.endsWith('/') && body !== '/'))
    return `it is not normalised (write it as ${JSON.stringify(normal.replace(/(.)\/$/, '$1'))})`;
  if (/(^|\/)\.\.(\/|$)/.test(normal.replace(/^(\.\.\/)+/, ''))) return 'it has a .. segment after the start';
  return undefined;
}

/** The key by which each family's chain names an identity (the observer's way in). */
const IDENTITY_KEY = { cosmos: 'consensus_address', ethereum: 'validator_indices', cardano: 'pool_id' } as const;

/** True when `text` is bech32 with this prefix and a matching checksum. */
function bech32Valid(text: string, prefix: string): boolean {
  try {
    return bech32.decode(text as `${string}1${string}`).prefix === prefix;
  } catch {
    return false;
  }
}

export function checkFields(inv: Inventory, locate: Locate): Diagnostic[] {
  const found: Diagnostic[] = [];
  const refuse = (path: DataPath, value: string, why: string, hint: string) =>
    found.push({
      id: 'schema/value',
      severity: 'error',
      summary: `${path.join('.')} is ${JSON.stringify(value)}: ${why}`,
      hint,
      location: locate(path, 'value'),
    });
  const url = (path: DataPath, value: string | undefined) => {
    const why = value === undefined ? undefined : urlProblem(value);
    if (value !== undefined && why)
      refuse(path, value, why, 'write a plain http:// or https:// URL, e.g. https://beaconstate.example/');
  };
  const path = (at: DataPath, value: string | undefined) => {
    const why = value === undefined ? undefined : pathProblem(value);
    if (value !== undefined && why) refuse(at, value, why, 'write the path without //, ./ or .. in the middle');
  };

  url(['chain', 'checkpoint_sync_url'], inv.chain.checkpoint_sync_url);
  // A colon makes renderers treat an address as IPv6 ([addr]:port, ip6 saddr): it must be one.
  for (const [name, h] of Object.entries(inv.hosts))
    for (const key of ['address', 'private_address'] as const) {
      const value = h[key];
      if (value?.includes(':') && isIP(value) !== 6)
        refuse(
          ['hosts', name, key],
          value,
          'it has a colon but is not an IPv6 address',
          'write an IPv4 or IPv6 address or a DNS name',
        );
    }
  for (const [name, c] of Object.entries(inv.clients ?? {})) {
    if (c.source === undefined) continue;
    if (/^[a-z][a-z0-9+.-]*:/i.test(c.source)) url(['clients', name, 'source'], c.source);
    else path(['clients', name, 'source'], c.source);
  }
  const ssh = (at: DataPath, s: Inventory['ssh']) => {
    path([...at, 'identity'], s?.identity);
    path([...at, 'known_hosts'], s?.known_hosts);
  };
  ssh(['ssh'], inv.ssh);
  for (const [name, h] of Object.entries(inv.hosts)) ssh(['hosts', name, 'ssh'], h.ssh);
  for (const [name, v] of Object.entries(inv.validators)) {
    // a pool id mistyped by one character would match no pool: the observer would say "never signed"
    if (v.pool_id !== undefined && !bech32Valid(v.pool_id, 'pool'))
      refuse(
        ['validators', name, 'pool_id'],
        v.pool_id,
        'its bech32 checksum does not match (a character is wrong)',
        'copy the id from `cardano-cli stake-pool id --cold-verification-key-file cold.vkey` or from your pool registration',
      );
    // each chain's identity key belongs to its family only: another family's would never be asked
    for (const [family, key] of Object.entries(IDENTITY_KEY))
      if (v[key] !== undefined && inv.chain.family !== family)
        found.push({
          id: 'schema/value',
          severity: 'error',
          summary: `validators.${name}.${key} is for a ${family} chain; this one is ${inv.chain.family}`,
          hint: `remove it, or use the ${inv.chain.family} key (${IDENTITY_KEY[inv.chain.family]})`,
          location: locate(['validators', name, key], 'key'),
        });
  }
  return found;
}
