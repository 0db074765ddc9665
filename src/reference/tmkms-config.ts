/**
 * What tmkms v0.15.0 refuses in tmkms.toml, in its own words (docs/reference/tmkms.md, each rule
 * with its source file and line): every struct is `#[serde(deny_unknown_fields)]` except
 * key_format's, the providers exist only under their cargo features, and `start` checks the
 * validators' chains, addresses and secret keys. The tests hold stake's render to it; the lab's
 * simulated tmkms refuses the same. Pure.
 */
import { parse as parseToml } from 'smol-toml';
import { isObject } from '../observe/json-fields.js';

/** How tmkms reports a config it cannot use (abscissa: `error: tmkms fatal error: config error: …`, exit 1). */
export const TMKMS_CONFIG_ERROR = 'error: tmkms fatal error: config error: ';

/** The keys of each struct (src/config.rs, src/config/*.rs at v0.15.0). */
const FIELDS = {
  top: ['chain', 'providers', 'validator'],
  chain: ['id', 'key_format', 'sign_extensions', 'state_file', 'state_hook'],
  hook: ['cmd', 'timeout_secs', 'fail_closed'],
  validator: ['addr', 'chain_id', 'reconnect', 'timeout', 'secret_key', 'max_height', 'protocol_version'],
  providers: ['softsign', 'yubihsm', 'ledgertm', 'fortanixdsm'],
  softsign: ['chain_ids', 'key_type', 'key_format', 'path'],
  yubihsm: ['adapter', 'auth', 'keys', 'serial_number', 'connector_server'],
} as const;

/** serde's words for a field it does not know (serde::de::Error::unknown_field, its OneOf list). */
function unknownField(key: string, expected: readonly string[]): string {
  const list = expected.map((k) => `\`${k}\``);
  const one =
    list.length === 0
      ? 'there are no fields'
      : list.length === 1
        ? `expected ${list[0]}`
        : list.length === 2
          ? `expected ${list[0]} or ${list[1]}`
          : `expected one of ${list.join(', ')}`;
  return `unknown field \`${key}\`, ${one}`;
}

export interface TmkmsVerdict {
  /** The message tmkms would print, or undefined when it would start. */
  refusal?: string;
  /** The chains it registers, the validators it dials (for a simulated tmkms). */
  chains: { id: string; stateFile?: string }[];
  validators: { chainId: string; addr: string; secretKey?: string; reconnect: boolean }[];
  softsign: { chainIds: string[]; path: string; keyFormat: 'base64' | 'json' }[];
}

/**
 * Checks a tmkms.toml as `tmkms start` reads it, built with these cargo features (the release
 * stake pins is built with softsign and yubihsm; a provider table without its feature is an
 * unknown field).
 */
export function checkTmkmsConfig(text: string, features: readonly string[] = ['softsign', 'yubihsm']): TmkmsVerdict {
  const verdict: TmkmsVerdict = { chains: [], validators: [], softsign: [] };
  const refuse = (why: string): TmkmsVerdict => ({ ...verdict, refusal: `${TMKMS_CONFIG_ERROR}${why}` });
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch (err) {
    return refuse(`parse error: ${(err as Error).message.split('\n')[0]}`);
  }
  const strict = (table: Record<string, unknown>, fields: readonly string[]) =>
    Object.keys(table).find((k) => !fields.includes(k));
  const root = doc as Record<string, unknown>;
  let bad = strict(root, FIELDS.top);
  if (bad) return refuse(unknownField(bad, FIELDS.top));
  if (!isObject(root.providers)) return refuse('missing field `providers`');
  const providers = FIELDS.providers.filter((p) => features.includes(p === 'ledgertm' ? 'ledger' : p));
  bad = strict(root.providers, providers);
  if (bad) return refuse(unknownField(bad, providers));

  for (const c of (root.chain as unknown[] | undefined) ?? []) {
    if (!isObject(c)) return refuse('invalid type: expected struct ChainConfig');
    bad = strict(c, FIELDS.chain);
    if (bad) return refuse(unknownField(bad, FIELDS.chain));
    if (typeof c.id !== 'string') return refuse('missing field `id`');
    if (!/^[A-Za-z0-9._-]{1,50}$/.test(c.id)) return refuse(`invalid chain ID: ${c.id}`);
    if (!isObject(c.key_format)) return refuse('missing field `key_format`');
    const kf = c.key_format;
    if (!['bech32', 'cosmos-json', 'hex'].includes(String(kf.type)))
      return refuse(`unknown variant \`${String(kf.type)}\`, expected one of \`bech32\`, \`cosmos-json\`, \`hex\``);
    if (kf.type === 'bech32')
      for (const f of ['account_key_prefix', 'consensus_key_prefix'])
        if (typeof kf[f] !== 'string') return refuse(`missing field \`${f}\``);
    if (c.state_hook !== undefined) {
      if (!isObject(c.state_hook)) return refuse('invalid type: expected struct HookConfig');
      bad = strict(c.state_hook, FIELDS.hook);
      if (bad) return refuse(unknownField(bad, FIELDS.hook));
    }
    if (verdict.chains.some((x) => x.id === c.id)) return refuse(`chain ID already registered: ${c.id}`);
    verdict.chains.push({ id: c.id, ...(typeof c.state_file === 'string' ? { stateFile: c.state_file } : {}) });
  }

  let consensusKeys = 0;
  for (const s of (root.providers.softsign as unknown[] | undefined) ?? []) {
    if (!isObject(s)) return refuse('invalid type: expected struct SoftsignConfig');
    bad = strict(s, FIELDS.softsign);
    if (bad) return refuse(unknownField(bad, FIELDS.softsign));
    if (!Array.isArray(s.chain_ids)) return refuse('missing field `chain_ids`');
    if (typeof s.path !== 'string') return refuse('missing field `path`');
    const keyType = s.key_type ?? 'consensus';
    if (keyType !== 'consensus' && keyType !== 'account')
      return refuse(`unknown variant \`${String(keyType)}\`, expected \`account\` or \`consensus\``);
    const keyFormat = s.key_format ?? 'base64';
    if (keyFormat !== 'base64' && keyFormat !== 'json')
      return refuse(`unknown variant \`${String(keyFormat)}\`, expected \`base64\` or \`json\``);
    if (keyType === 'account' && keyFormat !== 'base64')
      return refuse('[[providers.softsign]] account keys must be `base64` encoded');
    if (keyType === 'consensus' && ++consensusKeys > 1)
      return refuse('only one [[providers.softsign]] consensus key allowed');
    for (const id of s.chain_ids)
      if (!verdict.chains.some((c) => c.id === id))
        return refuse(`can't add Ed25519 signer softsign to unregistered chain: ${String(id)}`);
    if (keyType === 'consensus') verdict.softsign.push({ chainIds: s.chain_ids.map(String), path: s.path, keyFormat });
  }
  for (const y of (root.providers.yubihsm as unknown[] | undefined) ?? []) {
    if (!isObject(y)) return refuse('invalid type: expected struct YubihsmConfig');
    bad = strict(y, FIELDS.yubihsm);
    if (bad) return refuse(unknownField(bad, FIELDS.yubihsm));
  }

  for (const v of (root.validator as unknown[] | undefined) ?? []) {
    if (!isObject(v)) return refuse('invalid type: expected struct ValidatorConfig');
    bad = strict(v, FIELDS.validator);
    if (bad) return refuse(unknownField(bad, FIELDS.validator));
    if (typeof v.addr !== 'string') return refuse('missing field `addr`');
    if (typeof v.chain_id !== 'string') return refuse('missing field `chain_id`');
    if (v.max_height !== undefined && typeof v.max_height !== 'string')
      return refuse(`invalid type: ${typeof v.max_height}, expected a string`);
    if (v.protocol_version !== undefined && !['v0.38', 'v0.34'].includes(String(v.protocol_version)))
      return refuse(`unknown variant \`${String(v.protocol_version)}\`, expected \`v0.34\` or \`v0.38\``);
    const tcp = /^(tcp:\/\/)?(?:([0-9A-Fa-f]{40})@)?([^/@]+)$/.exec(v.addr);
    const unix = /^unix:\/\/.+/.test(v.addr);
    if (!unix && !tcp) return refuse(`invalid validator address: ${v.addr}`);
    if (tcp && !/:\d+$/.test(tcp[3]!)) return refuse(`invalid TCP address (missing port): ${v.addr}`);
    if (tcp && typeof v.secret_key !== 'string') return refuse(`no \`secret_key\` for validator: ${tcp[3]}`);
    if (!verdict.chains.some((c) => c.id === v.chain_id))
      return {
        ...verdict,
        refusal: `error: unregistered chain: ${v.chain_id} (add it to tmkms.toml's [[chain]] section)`,
      };
    verdict.validators.push({
      chainId: v.chain_id,
      addr: v.addr,
      ...(typeof v.secret_key === 'string' ? { secretKey: v.secret_key } : {}),
      reconnect: v.reconnect !== false,
    });
  }
  return verdict;
}
