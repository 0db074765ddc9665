/**
 * How the chain observer finds an identity: `consensus_address` (cosmos), `validator_indices`
 * (ethereum), `pool_id` (cardano). Each is refused in another family's inventory, at its key; a pool
 * id must be bech32 with a matching checksum (one wrong character would match no pool).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { validateInventory } from '../../src/inventory/validate.js';
import { poolIdOf } from '../../src/observe/ogmios.js';
import { edit, example, lineOf, validateText } from '../support/helpers.js';

const POOL_ID = poolIdOf('5a'.repeat(32));
const cardano = example('cardano');
const withPoolId = (id: string) => edit(cardano, '    active: bp-fra\n', `    active: bp-fra\n    pool_id: ${id}\n`);
const errors = (text: string) => validateText(text).diagnostics.filter((d) => d.severity === 'error');

describe("the chain's name for an identity, in the inventory", () => {
  test('a cardano pool_id is read as written', () => {
    const text = withPoolId(POOL_ID);
    assert.deepEqual(errors(text), []);
    const inv = resolveInventory(validateInventory('inventory.yaml', Buffer.from(text)).inventory!);
    assert.equal(inv.identities.find((v) => v.name === 'pool')?.poolId, POOL_ID);
  });

  test('a pool id with one character changed fails its checksum, at the value', () => {
    const last = POOL_ID.at(-1) === 'q' ? 'p' : 'q';
    const typo = POOL_ID.slice(0, -1) + last;
    const text = withPoolId(typo);
    const found = errors(text);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.match(found[0]!.summary, /bech32 checksum does not match/);
    assert.equal(found[0]!.location.line, lineOf(text, typo));
    // not bech32 at all, or another prefix: refused by the schema's pattern
    for (const bad of ['pool1' + 'b'.repeat(51), 'stake1' + 'q'.repeat(51), POOL_ID.toUpperCase()])
      assert.ok(
        errors(withPoolId(bad)).some((d) => d.location.line === lineOf(withPoolId(bad), bad)),
        bad,
      );
  });

  test("another family's key is refused at the key, naming the one this chain uses", () => {
    const cases: [string, string, RegExp][] = [
      [cardano, `    consensus_address: ${'AB'.repeat(20)}\n`, /for a cosmos chain; this one is cardano.*pool_id/s],
      [example('cosmos'), `    pool_id: ${POOL_ID}\n`, /for a cardano chain; this one is cosmos.*consensus_address/s],
      [
        example('ethereum'),
        `    pool_id: ${POOL_ID}\n`,
        /for a cardano chain; this one is ethereum.*validator_indices/s,
      ],
      [cardano, '    validator_indices: [1, 2]\n', /for a ethereum chain; this one is cardano/],
    ];
    for (const [base, line, words] of cases) {
      const at = base.indexOf('    active: ');
      const text = base.slice(0, at) + line + base.slice(at);
      const found = errors(text);
      assert.equal(found.length, 1, `${line}: ${JSON.stringify(found.map((d) => d.summary))}`);
      assert.match(`${found[0]!.summary} ${found[0]!.hint}`, words);
      assert.equal(found[0]!.location.line, lineOf(text, line.trim()));
      assert.equal(found[0]!.location.column, 5);
    }
  });
});
