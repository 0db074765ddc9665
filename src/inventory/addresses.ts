/**
 * IP addresses and CIDR networks, parsed strictly and written in one canonical form, so that
 * the rules that compare or dedupe them and the renderers that match on them all see the same
 * spelling: IPv4 as four decimal octets without leading zeros, IPv6 as RFC 5952 (lowercase,
 * the longest run of zero groups as `::`), an IPv4-mapped IPv6 address (`::ffff:10.1.0.10`)
 * as the IPv4 address it is. DNS names compare case-insensitively. Pure.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
interface Ip {
  family: IpFamily;
  bytes: number[];
}

/** A parsed CIDR network: the canonical network, its prefix, and whether host bits were set. */
export interface Cidr {
  family: IpFamily;
  /** The network address with host bits cleared, canonical. */
  network: string;
  prefix: number;
  /** `network/prefix`: what every rule and renderer uses. */
  canonical: string;
  /** The address as written had bits set below the prefix (`10.1.0.10/24` means 10.1.0.0/24). */
  hostBitsSet: boolean;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; why: string; fix: string };

const WIDTH: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** Dotted quad with each octet 0-255; leading zeros are read as decimal (010 is ten), never octal. */
function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

function parseIPv6(text: string): number[] | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let hex = text.toLowerCase();
  const lastColon = hex.lastIndexOf(':');
  if (hex.slice(lastColon + 1).includes('.')) {
    // a dotted IPv4 tail stands for the last two groups
    const v4 = parseIPv4(hex.slice(lastColon + 1));
    if (!v4) return undefined;
    hex = `${hex.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const [left = '', right] = hex.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const fill = right === undefined ? 0 : 8 - l.length - r.length;
  if (fill < 0 || l.length + r.length + fill !== 8 || [...l, ...r].some((g) => !(g >= 0 && g <= 0xffff)))
    return undefined;
  return [...l, ...Array<number>(fill).fill(0), ...r].flatMap((g) => [g >> 8, g & 255]);
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255];
const isMapped = (bytes: number[]) => bytes.length === 16 && MAPPED_PREFIX.every((b, i) => bytes[i] === b);

function parseIp(text: string): Ip | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(text);
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

function formatIp(ip: Ip): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!);
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes ::
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

/** An IPv4-mapped IPv6 address is the IPv4 address it maps: one host, one spelling. */
const unmapped = (ip: Ip): Ip =>
  ip.family === 6 && isMapped(ip.bytes) ? { family: 4, bytes: ip.bytes.slice(12) } : ip;

/** The IP family of a string, when it is an IP address in any spelling this module reads. */
export function ipFamily(text: string): IpFamily | undefined {
  const ip = parseIp(text);
  return ip ? unmapped(ip).family : undefined;
}

/** The canonical spelling of an address: an IP in its one form, a DNS name in lowercase. */
export function canonicalAddress(text: string): string {
  const ip = parseIp(text);
  return ip ? formatIp(unmapped(ip)) : text.toLowerCase();
}

/** True when an address is written as stake would write it (so nothing is reinterpreted). */
export const isCanonicalAddress = (text: string) => canonicalAddress(text) === text || ipFamily(text) === undefined;

/** True for names a resolver reads as a number (`10.1`, `0x0a.1.0.10`, `010.1.0.010`), which are not DNS names. */
export const looksNumeric = (text: string) =>
  /^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*\.?$/i.test(text) && parseIPv4(text) === undefined;

/** Parses `address/prefix` strictly: a prefix within the family's width, no zone, no missing part. */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  if (slash < 0)
    return {
      ok: false,
      why: `"${text}" has no prefix length`,
      fix: `write the network with its prefix, e.g. ${text}/32`,
    };
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  let ip = parseIp(address);
  if (!ip)
    return {
      ok: false,
      why: `"${address}" is not an IPv4 or IPv6 address`,
      fix: 'write an IP network such as 198.51.100.0/24 or 2001:db8::/48',
    };
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText))
    return {
      ok: false,
      why: `"/${prefixText}" is not a prefix length`,
      fix: `a prefix is 0-${WIDTH[ip.family]} without leading zeros`,
    };
  let prefix = Number(prefixText);
  if (prefix > WIDTH[ip.family])
    return {
      ok: false,
      why: `/${prefix} is longer than an IPv${ip.family} address (${WIDTH[ip.family]} bits)`,
      fix: `use a prefix of 0-${WIDTH[ip.family]}`,
    };
  // ::ffff:a.b.c.d/n with n >= 96 is an IPv4 network; written shorter it reaches outside the mapped range
  if (ip.family === 6 && isMapped(ip.bytes) && prefix >= 96) {
    ip = unmapped(ip);
    prefix -= 96;
  }
  const masked = ip.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  const network = formatIp({ family: ip.family, bytes: masked });
  return {
    ok: true,
    cidr: {
      family: ip.family,
      network,
      prefix,
      canonical: `${network}/${prefix}`,
      hostBitsSet: masked.some((b, i) => b !== ip.bytes[i]),
    },
  };
}

/** The canonical form of a CIDR (`010.1.0.10/24` -> `10.1.0.0/24`), or the text itself when it does not parse. */
export function canonicalCidr(text: string): string {
  const parsed = parseCidr(text);
  return parsed.ok ? parsed.cidr.canonical : text;
}

/**
 * The widest network an admin source or any source into a signing host may be. IPv4: a /8 is
 * the largest block any single organisation ever held (the legacy class A); anything wider is
 * a slice of the internet. IPv6: a /32 is the smallest allocation an RIR gives a whole ISP;
 * an admin network is a site (/48) or a few, never more than an ISP.
 */
export const WIDEST_PREFIX: Record<IpFamily, number> = { 4: 8, 6: 32 };

/** How many addresses a network spans, as a power of two. */
export const spanBits = (c: Cidr) => WIDTH[c.family] - c.prefix;

/** True when a network is wider than WIDEST_PREFIX: the world, or a large slice of it. */
export const isWorldWide = (c: Cidr) => c.prefix < WIDEST_PREFIX[c.family];

/** True when network `outer` contains network `inner`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const reparsed = parseCidr(`${inner.network}/${outer.prefix}`);
  return reparsed.ok && reparsed.cidr.network === outer.network;
}

/** The address count of the union of networks of one family, as a bigint (nested ones counted once). */
export function unionSize(cidrs: readonly Cidr[]): bigint {
  const outermost = cidrs.filter(
    (c, i) => !cidrs.some((o, j) => j !== i && contains(o, c) && (o.prefix < c.prefix || j < i)),
  );
  return outermost.reduce((sum, c) => sum + (1n << BigInt(spanBits(c))), 0n);
}

export { isIPv4, isIPv6 };
