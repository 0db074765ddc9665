/**
 * Every string field of the inventory schema, for the property test in field-strings.test.ts:
 * where it stands in an example (a concrete path), a distinctive valid marker to render the
 * baseline with (so the value can be followed into every file), plausible values that often
 * pass validation (to reach the renderers, not only the schema), and how a value is rendered
 * when not as written (a URL's canonical serialisation). A test asserts this list covers the
 * schema, so a new string field cannot skip the property.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { canonicalAddress } from '../../src/inventory/addresses.js';
import { canonicalUrl } from '../../src/inventory/check-fields.js';

export type ExampleName = 'cosmos' | 'ethereum' | 'cardano';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- example data, walked by known paths
type Data = Record<string, any>;
type Path = (string | number)[];

export interface FieldCase {
  /** The schema pattern: `hosts.*.root`, `chain.seeds[]`. */
  path: string;
  /** Cases are drawn per group (CI cost is bounded per group, not per field). */
  group: string;
  /** The concrete place in an example and the baseline's value there; undefined: not in this example. */
  at(data: Data, example: ExampleName): { path: Path; marker: string } | undefined;
  plausible?: fc.Arbitrary<string>;
  /** Other keys the baseline needs for the marker to validate (a source needs its sha256). */
  extra?: (data: Data) => [Path, unknown][];
  /** False when a valid value is rendered in another form than the baseline's (an IPv6 address for an IPv4 one): parsed, not compared. */
  comparable?: (value: string) => boolean;
  /** The part of a value the renderers write, when not the value as given (applied to the marker and the value). */
  rendered?: (value: string) => string;
}

/** Units that pass many formats, with the ones that break quoting in each format. */
const tricky = (alphabet: string, maxLength = 10) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength });
const WORDY = 'abz09.-_';
const QUOTY = 'ab09 %$\\"\';#&|*`=@:/,{}[]!<>~';

const firstHost = (d: Data, tier: string) => Object.entries(d.hosts).find(([, h]) => (h as Data).tier === tier)?.[0];
const firstClient = (d: Data) => firstHost(d, 'validator') && (d.hosts[firstHost(d, 'validator')!] as Data).client;
const firstKey = (d: Data, key: string) => Object.keys(d[key] ?? {})[0];
const firstId = (d: Data) => firstKey(d, 'validators')!;

/** An existing value as its own marker: references and enums (a marker would have to be valid too). */
const existing = (path: (d: Data) => Path | undefined) => (d: Data) => {
  const p = path(d);
  if (!p) return undefined;
  const value = p.reduce<unknown>((node, k) => (node as Data | undefined)?.[k], d);
  return typeof value === 'string' ? { path: p, marker: value } : undefined;
};
/** A fixed marker at a path (the key is created when the example has none). */
const marked = (marker: string, path: (d: Data, e: ExampleName) => Path | undefined) => (d: Data, e: ExampleName) => {
  const p = path(d, e);
  return p ? { path: p, marker } : undefined;
};
const validatorHost = (d: Data) => firstHost(d, 'validator')!;
const hostPath =
  (...rest: Path) =>
  (d: Data) => ['hosts', validatorHost(d), ...rest];

export const FIELDS: FieldCase[] = [
  { path: 'name', group: 'names', at: marked('zqx-deploy', () => ['name']), plausible: tricky('abz09-') },
  { path: 'chain.family', group: 'enums', at: existing(() => ['chain', 'family']) },
  {
    path: 'chain.network',
    group: 'network',
    at: marked('zqxnet-1', (d) => (d.chain.family === 'ethereum' ? undefined : ['chain', 'network'])),
    plausible: fc.oneof(tricky(WORDY), tricky(QUOTY)),
  },
  {
    path: 'chain.network',
    group: 'network',
    // geth and nethermind know their networks by name: the example's own is the marker.
    // (holesky, not the example's mainnet: "mainnet" is also part of its deployment and identity names)
    at: (d) => (d.chain.family === 'ethereum' ? { path: ['chain', 'network'], marker: 'holesky' } : undefined),
    plausible: fc.constantFrom('sepolia', 'hoodi', 'hoodi%', 'hoo di', 'hoodi\n'),
  },
  ...(['seeds', 'persistent_peers'] as const).map((key): FieldCase => ({
    path: `chain.${key}[]`,
    group: 'peers',
    at: marked(`${'ab'.repeat(20)}@zqx.example:26656`, (d) =>
      d.chain.family === 'cosmos' ? ['chain', key, 0] : undefined,
    ),
    plausible: tricky('ab09@:.[]-', 50).map((s) => `${'cd'.repeat(20)}@${s}`),
  })),
  {
    path: 'chain.bootstrap_peers[]',
    group: 'peers',
    at: marked('zqx.example:3001', (d) => (d.chain.family === 'cardano' ? ['chain', 'bootstrap_peers', 0] : undefined)),
    plausible: tricky('ab09:.[]-"', 20).map((s) => `${s}:3001`),
    // The topology holds the host (without IPv6 brackets) and the port apart; plausible values keep port 3001.
    rendered: (v) => v.slice(0, v.lastIndexOf(':')).replace(/^\[|\]$/g, ''),
  },
  {
    path: 'chain.checkpoint_sync_url',
    group: 'urls',
    at: marked('https://zqx.example/cp', (d) =>
      d.chain.family === 'ethereum' ? ['chain', 'checkpoint_sync_url'] : undefined,
    ),
    plausible: tricky('ab09/:?#%@[] \\"\'$;', 16).map((s) => `https://cp.example/${s}`),
    rendered: canonicalUrl,
  },
  {
    path: 'chain.fee_recipient',
    group: 'free',
    at: marked(`0x${'ab'.repeat(20)}`, (d) => (d.chain.family === 'ethereum' ? ['chain', 'fee_recipient'] : undefined)),
  },
  {
    path: 'clients.*.version',
    group: 'free',
    at: marked('zqx1.0', (d) => ['clients', firstClient(d), 'version']),
    plausible: tricky(WORDY + '+ ;$'),
  },
  {
    path: 'clients.*.binary',
    group: 'paths',
    at: marked('/zqx/bin/tool', (d) => ['clients', firstClient(d), 'binary']),
    plausible: fc.oneof(tricky('ab09/._-+ %$;"\'\\', 14), tricky('ab09/._-+', 14)).map((s) => `/${s}`),
  },
  {
    path: 'clients.*.args[]',
    group: 'args',
    at: marked('--zqx-arg', (d) => ['clients', firstClient(d), 'args', 0]),
    plausible: fc.oneof(tricky(QUOTY), fc.constantFrom(';', '\\;', '$$', '%%', '${X}', '"', "'", '%n', '\\', ' ')),
  },
  {
    path: 'clients.*.source',
    group: 'free',
    at: marked('./bin/zqx', (d) => ['clients', firstClient(d), 'source']),
    extra: (d) => [[['clients', firstClient(d), 'sha256'], 'ab'.repeat(32)]],
    plausible: fc.oneof(
      tricky('ab09/.-'),
      tricky('ab09/%?').map((s) => `https://dl.example/${s}`),
    ),
  },
  {
    path: 'clients.*.sha256',
    group: 'free',
    at: marked('ab'.repeat(32), (d) => ['clients', firstClient(d), 'sha256']),
  },
  {
    path: 'datacenters.*.provider',
    group: 'free',
    at: marked('zqx-provider', (d) => ['datacenters', firstKey(d, 'datacenters')!, 'provider']),
    plausible: tricky(QUOTY),
  },
  {
    path: 'datacenters.*.country',
    group: 'free',
    at: existing((d) => ['datacenters', firstKey(d, 'datacenters')!, 'country']),
  },
  ...['ssh', 'hosts.*.ssh'].flatMap((prefix): FieldCase[] => {
    const at = (d: Data): Path => (prefix === 'ssh' ? ['ssh'] : hostPath('ssh')(d));
    return [
      {
        path: `${prefix}.user`,
        group: 'users',
        at: marked('zqxuser', (d) => [...at(d), 'user']),
        plausible: fc.oneof(tricky(WORDY), tricky('ab *@,!?"\'#')),
      },
      {
        path: `${prefix}.identity`,
        group: 'free',
        at: marked('./keys/zqx', (d) => [...at(d), 'identity']),
        plausible: tricky('ab/.~ '),
      },
      {
        path: `${prefix}.known_hosts`,
        group: 'free',
        at: marked('./zqx_known_hosts', (d) => [...at(d), 'known_hosts']),
        plausible: tricky('ab/.~ '),
      },
      {
        path: `${prefix}.jump`,
        group: 'references',
        at: existing((d) => (prefix === 'ssh' ? ['ssh', 'jump'] : undefined)),
      },
      {
        path: `${prefix}.become`,
        group: 'enums',
        at: existing((d) => (prefix === 'ssh' ? ['ssh', 'become'] : undefined)),
      },
    ];
  }),
  {
    path: 'access.admin_cidrs[]',
    group: 'addresses',
    at: existing(() => ['access', 'admin_cidrs', 0]),
    plausible: tricky('0129./:af', 18),
  },
  { path: 'access.monitor', group: 'references', at: existing(() => ['access', 'monitor']) },
  // a duration the failover reads, never rendered: refused unless it parses, else it changes no file
  { path: 'policy.max_approval_validity', group: 'free', at: marked('4h', () => ['policy', 'max_approval_validity']) },
  {
    path: 'operators.*.key',
    group: 'free',
    at: existing((d) => ['operators', firstKey(d, 'operators')!, 'key']),
    plausible: tricky(QUOTY).map((s) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFp ${s}`),
  },
  { path: 'hosts.*.tier', group: 'enums', at: existing(hostPath('tier')) },
  { path: 'hosts.*.dc', group: 'references', at: existing(hostPath('dc')) },
  {
    path: 'hosts.*.address',
    group: 'addresses',
    // An IP, not a name: the ethereum beacons' firewall needs the VC's IP, and a baseline that does not
    // render would make every IP value look like a field that escaped (a hostname value is refused at render).
    at: marked('192.0.2.77', hostPath('address')),
    rendered: canonicalAddress, // a DNS name is written in lowercase
    comparable: (v) => isIP(v) !== 6,
    plausible: fc.oneof(tricky('abz09.-:'), fc.ipV4(), fc.ipV6()),
  },
  {
    path: 'hosts.*.private_address',
    group: 'addresses',
    at: marked('10.77.0.9', hostPath('private_address')),
    rendered: canonicalAddress,
    comparable: (v) => isIP(v) !== 6,
    plausible: tricky('0129.'),
  },
  { path: 'hosts.*.client', group: 'enums', at: existing(hostPath('client')) },
  {
    path: 'hosts.*.node_id',
    group: 'free',
    at: marked('ef'.repeat(20), (d) => (d.chain.family === 'cosmos' ? hostPath('node_id')(d) : undefined)),
  },
  {
    path: 'hosts.*.execution',
    group: 'enums',
    at: existing((d) => (firstHost(d, 'beacon') ? ['hosts', firstHost(d, 'beacon')!, 'execution'] : undefined)),
  },
  {
    path: 'hosts.*.root',
    group: 'paths',
    at: marked('/zqx/root', hostPath('root')),
    plausible: fc.oneof(tricky('ab09/._-+ %$;"\'\\', 14), tricky('ab09/._-+', 14)).map((s) => `/${s}`),
  },
  { path: 'hosts.*.init', group: 'enums', at: marked('systemd', hostPath('init')) },
  { path: 'hosts.*.firewall', group: 'enums', at: marked('enforce', hostPath('firewall')) },
  {
    path: 'hosts.*.labels.*',
    group: 'free',
    at: marked('zqx-label', hostPath('labels', 'team')),
    plausible: tricky(QUOTY),
  },
  { path: 'validators.*.active', group: 'references', at: existing((d) => ['validators', firstId(d), 'active']) },
  {
    path: 'validators.*.standby[]',
    group: 'references',
    at: existing((d) => ['validators', firstId(d), 'standby', 0]),
  },
  {
    path: 'validators.*.upstream[]',
    group: 'references',
    at: existing((d) => ['validators', firstId(d), 'upstream', 0]),
  },
  { path: 'validators.*.witness', group: 'references', at: existing((d) => ['validators', firstId(d), 'witness']) },
  {
    path: 'validators.*.signer.client',
    group: 'enums',
    at: existing((d) => {
      const id = Object.keys(d.validators).find((k) => d.validators[k].signer);
      return id ? ['validators', id, 'signer', 'client'] : undefined;
    }),
  },
  {
    path: 'validators.*.signer.hosts[]',
    group: 'references',
    at: existing((d) => {
      const id = Object.keys(d.validators).find((k) => d.validators[k].signer);
      return id ? ['validators', id, 'signer', 'hosts', 0] : undefined;
    }),
  },
  {
    path: 'validators.*.consensus_address',
    group: 'free',
    at: marked('C0'.repeat(20), (d) =>
      d.chain.family === 'cosmos' ? ['validators', firstId(d), 'consensus_address'] : undefined,
    ),
  },
  {
    path: 'validators.*.pool_id',
    group: 'free',
    // a real checksum: a hostile value then fails the pattern or the checksum, at the value
    at: marked('pool1dzagkh9tu5phlyzv07cjyppdj5expqqg00gfcaw9u05rz2a0hrs', (d) =>
      d.chain.family === 'cardano' ? ['validators', firstId(d), 'pool_id'] : undefined,
    ),
  },
  { path: 'x-note', group: 'free', at: marked('zqx-note', () => ['x-note']), plausible: tricky(QUOTY) },
];
