/**
 * Class 6 of issue 15: addresses and networks parsed strictly and compared in one canonical
 * form; no inventory opens SSH, or any flow into a validator or signer, to the world.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAddress, canonicalCidr, isWorldWide, parseCidr } from '../../src/inventory/addresses.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { example, lineOf, validateText } from '../support/helpers.js';
import { edit } from '../support/helpers.js';
import { promoteWarnings, hasErrors } from '../../src/diagnostics.js';

const ADMIN = 'admin_cidrs: [198.51.100.0/24]';
const withAdmin = (list: string) => edit(example('cosmos'), ADMIN, `admin_cidrs: [${list}]`);
const ids = (text: string) => validateText(text).diagnostics.map((d) => d.id);

describe('addresses: one canonical spelling', () => {
  test('IPv4 without leading zeros (read as decimal), IPv6 per RFC 5952, IPv4-mapped IPv6 as IPv4, DNS lowercase', () => {
    assert.equal(canonicalAddress('010.1.0.10'), '10.1.0.10');
    assert.equal(canonicalAddress('::ffff:10.1.0.10'), '10.1.0.10');
    assert.equal(canonicalAddress('0:0:0:0:0:FFFF:0A01:000A'), '10.1.0.10');
    assert.equal(canonicalAddress('FD00:0000:0:0::1'), 'fd00::1');
    assert.equal(canonicalAddress('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalAddress('2001:0db8::0001'), '2001:db8::1');
    assert.equal(canonicalAddress('Sentry1.FRA.example.net'), 'sentry1.fra.example.net');
  });

  test('a CIDR is refused unless its prefix fits its family', () => {
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/999',
      '2001:db8::/129',
      '10.0.0.0/-1',
      '10.0.0.0',
      '10.0.0.0/',
      '10.0.0.0/08',
      'fe80::1%eth0/64',
      '10/8',
      '256.0.0.0/8',
    ])
      assert.equal(parseCidr(bad).ok, false, bad);
    for (const good of ['0.0.0.0/0', '10.0.0.0/32', '::/0', '2001:db8::/128'])
      assert.equal(parseCidr(good).ok, true, good);
  });

  test('host bits are cleared in the canonical form, and said', () => {
    const r = parseCidr('010.1.0.10/24');
    assert.ok(r.ok);
    assert.equal(r.cidr.canonical, '10.1.0.0/24');
    assert.equal(r.cidr.hostBitsSet, true);
    assert.equal(canonicalCidr('2001:DB8::1/48'), '2001:db8::/48');
    assert.equal(canonicalCidr('::ffff:198.51.100.0/120'), '198.51.100.0/24');
  });

  test('world-wide: /0 of either family, wider than /8 (IPv4) or /32 (IPv6), the mapped IPv4 world', () => {
    const wide = (t: string) => {
      const r = parseCidr(t);
      assert.ok(r.ok, t);
      return isWorldWide(r.cidr);
    };
    for (const t of [
      '0.0.0.0/0',
      '::/0',
      '128.0.0.0/1',
      '10.0.0.0/7',
      '2000::/3',
      '2001:db8::/31',
      '::ffff:0.0.0.0/96',
    ])
      assert.equal(wide(t), true, t);
    for (const t of ['10.0.0.0/8', '198.51.100.0/24', '2001:db8::/32', '2001:db8:100::/48'])
      assert.equal(wide(t), false, t);
  });
});

describe('inventory rules on addresses and networks', () => {
  test("the issue's example: admin_cidrs [0.0.0.0/0, ::/0] is an error, with --strict or without, at its line", () => {
    const text = withAdmin('0.0.0.0/0, "::/0"');
    const { diagnostics } = validateText(text);
    const found = diagnostics.filter((d) => d.id === 'world-open-ssh');
    assert.equal(found.length, 2);
    assert.ok(found.every((d) => d.severity === 'error' && d.location.line === lineOf(text, 'admin_cidrs:')));
    assert.ok(hasErrors(diagnostics) && hasErrors(promoteWarnings(diagnostics)));
    assert.match(found[0]!.summary, /validators/);
  });

  test('narrow networks that add up to more than a /8 are world-open too; nested ones count once', () => {
    const halves = Array.from({ length: 3 }, (_, i) => `${10 + i}.0.0.0/8`).join(', ');
    assert.ok(ids(withAdmin(halves)).includes('world-open-ssh'));
    assert.ok(!ids(withAdmin('10.0.0.0/8, 10.1.0.0/16, 10.1.2.0/24')).includes('world-open-ssh'));
  });

  test('/33, /999 and a bad address are invalid-cidr; host bits a warning naming the network', () => {
    assert.ok(ids(withAdmin('198.51.100.0/33')).includes('invalid-cidr'));
    assert.ok(ids(withAdmin('"2001:db8::/999"')).includes('invalid-cidr'));
    const { diagnostics } = validateText(withAdmin('198.51.100.7/24'));
    const d = diagnostics.find((x) => x.id === 'cidr-host-bits');
    assert.equal(d?.severity, 'warning');
    assert.match(d!.summary, /198\.51\.100\.0\/24/);
  });

  test('duplicate-address sees through leading zeros, IPv4-mapped IPv6 and letter case', () => {
    const base = example('cosmos');
    for (const spelling of ['010.1.0.10', '0:0:0:0:0:ffff:10.1.0.10', '0::FFFF:a01:a'])
      assert.ok(
        ids(edit(base, '    address: 10.2.0.10\n', `    address: "${spelling}"\n`)).includes('duplicate-address'),
        spelling,
      );
    const named = edit(
      edit(base, '    address: 10.1.0.10\n', '    address: val.fra.example.net\n'),
      '    address: 10.2.0.10\n',
      '    address: VAL.Fra.example.NET\n',
    );
    assert.ok(ids(named).includes('duplicate-address'));
  });

  test('a non-canonical spelling is a warning, and the resolved model holds the canonical form', () => {
    const text = edit(example('cosmos'), '    address: 10.1.0.10\n', '    address: 010.1.0.10\n');
    const { diagnostics, inventory } = validateText(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.id, d.severity]),
      [['non-canonical-address', 'warning']],
    );
    assert.equal(resolveInventory(inventory!).host('val-fra').address, '10.1.0.10');
    assert.ok(
      ids(edit(example('cosmos'), '    address: 10.1.0.10\n', '    address: "10.1"\n')).includes(
        'non-canonical-address',
      ),
    );
  });
});
