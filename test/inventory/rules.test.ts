/**
 * One failing and one passing inventory per rule id. Each case starts from a clean example
 * inventory, makes it wrong with one realistic edit (the failing inventory: the finding must
 * carry the rule id and point at the edited line), then applies the fix the hint suggests
 * (the passing inventory: that finding is gone, and nothing else is wrong).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasErrors } from '../../src/diagnostics.js';
import { RULES, type RuleId } from '../../src/inventory/rules/registry.js';
import { example, lineOf, validateText } from '../support/helpers.js';
import { CASES, applyEdits as apply } from '../support/rule-cases.js';

describe('topology rules', () => {
  for (const [i, c] of CASES.entries()) {
    const bad = apply(example(c.base), c.breakIt);
    test(`${c.rule} (#${i}): the broken ${c.base} inventory is flagged at the edited line`, () => {
      const { diagnostics, stage } = validateText(bad);
      assert.equal(stage, 'rules', `schema errors: ${JSON.stringify(diagnostics)}`);
      const found = diagnostics.filter((d) => d.id === c.rule);
      assert.ok(found.length > 0, `expected ${c.rule}, got ${diagnostics.map((d) => d.id).join(', ') || 'nothing'}`);
      assert.equal(found[0]!.severity, RULES[c.rule].severity);
      assert.equal(found[0]!.location.line, lineOf(bad, c.at), `${c.rule} should point at "${c.at}"`);
      assert.ok(found[0]!.hint && found[0]!.hint.length > 10, 'every finding has a hint');
    });
    test(`${c.rule} (#${i}): the fixed inventory passes`, () => {
      const { diagnostics } = validateText(apply(bad, c.fix));
      assert.deepEqual(
        diagnostics.filter((d) => d.id === c.rule),
        [],
      );
      assert.equal(hasErrors(diagnostics), false, JSON.stringify(diagnostics));
    });
  }

  test('every rule id has a case', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    assert.deepEqual(
      Object.keys(RULES).filter((id) => !covered.has(id as RuleId)),
      [],
    );
  });

  for (const base of ['cosmos', 'ethereum', 'cardano'] as const) {
    test(`the ${base} example has no findings at all`, () => {
      assert.deepEqual(validateText(example(base)).diagnostics, []);
    });
  }
});
