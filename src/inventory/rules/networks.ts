import {
  canonicalAddress,
  ipFamily,
  isWorldWide,
  looksNumeric,
  parseCidr,
  unionSize,
  WIDEST_PREFIX,
  type Cidr,
  type IpFamily,
} from '../addresses.js';
import type { Rule } from './context.js';

/**
 * `invalid-cidr`, `cidr-host-bits` and `world-open-ssh`: every admin network parses strictly,
 * means what it says, and is not the world. admin_cidrs reach SSH on every host, validators
 * and signers included, so a world-wide source here opens the signing hosts too.
 */
export const checkAdminCidrs: Rule = (ctx) => {
  const cidrs = ctx.inv.access?.admin_cidrs ?? [];
  const parsed: { cidr: Cidr; index: number }[] = [];
  for (const [index, text] of cidrs.entries()) {
    const at = ['access', 'admin_cidrs', index];
    const result = parseCidr(text);
    if (!result.ok) {
      ctx.report('invalid-cidr', at, `admin network ${text}: ${result.why}`, result.fix);
      continue;
    }
    const { cidr } = result;
    if (cidr.hostBitsSet)
      ctx.report(
        'cidr-host-bits',
        at,
        `admin network ${text} has host bits set: it means the network ${cidr.canonical}`,
        `write ${cidr.canonical} (or ${text.split('/')[0]}/${cidr.family === 4 ? 32 : 128} for one host)`,
      );
    if (isWorldWide(cidr)) {
      ctx.report(
        'world-open-ssh',
        at,
        `admin network ${text} lets ${cidr.prefix === 0 ? 'the whole internet' : `a /${cidr.prefix}, a slice of the internet,`} reach SSH on every host, validators and signers included`,
        `list the networks administrators really come from (an office, a VPN), each /${WIDEST_PREFIX[cidr.family]} or narrower for IPv${cidr.family}; reach the rest through a bastion`,
      );
      continue;
    }
    parsed.push({ cidr, index });
  }
  // many narrow networks can add up to the world as surely as one /0 does
  for (const family of [4, 6] as IpFamily[]) {
    const mine = parsed.filter((p) => p.cidr.family === family);
    const limit = 1n << BigInt((family === 4 ? 32 : 128) - WIDEST_PREFIX[family]);
    for (let n = 1; n <= mine.length; n++) {
      if (unionSize(mine.slice(0, n).map((p) => p.cidr)) <= limit) continue;
      ctx.report(
        'world-open-ssh',
        ['access', 'admin_cidrs', mine[n - 1]!.index],
        `admin networks up to ${cidrs[mine[n - 1]!.index]} together span more IPv${family} addresses than a /${WIDEST_PREFIX[family]}: SSH on every host, validators included, is open to a slice of the internet`,
        `list only the networks administrators really come from; together at most a /${WIDEST_PREFIX[family]}`,
      );
      break;
    }
  }
};

/** `non-canonical-address`: an address is written as the one thing every tool reads it as. */
export const checkAddressSpelling: Rule = (ctx) => {
  for (const [name, host] of Object.entries(ctx.inv.hosts)) {
    for (const key of ['address', 'private_address'] as const) {
      const written = host[key];
      if (written === undefined) continue;
      const at = ['hosts', name, key];
      if (ipFamily(written) !== undefined && canonicalAddress(written) !== written) {
        ctx.report(
          'non-canonical-address',
          at,
          `host "${name}" ${key} ${written} is read by stake as ${canonicalAddress(written)}`,
          `write ${canonicalAddress(written)}${/(^|\.)0[0-9]/.test(written) ? ' (other tools read a leading 0 as octal)' : ''}`,
        );
      } else if (looksNumeric(written)) {
        ctx.report(
          'non-canonical-address',
          at,
          `host "${name}" ${key} ${written} is neither a dotted-quad IP nor a DNS name: resolvers read it as a number`,
          'write the full IPv4 address as four decimal octets, e.g. 10.1.0.10',
        );
      }
    }
  }
};
