/** Untrusted text on its way to a terminal: values made printable, whole lines neutralized, JSON escaped. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { jsonText, neutralize, printable } from '../../src/output/untrusted.js';
import { propertySeeds, seedNote } from '../support/seeds.js';

const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

describe('printable', () => {
  test('every control character becomes a visible escape; the rest is untouched', () => {
    assert.equal(printable('a\nb\r\tc'), 'a\\nb\\r\\tc');
    assert.equal(printable('\u001b[2J\u001b]0;t\u0007'), '\\x1b[2J\\x1b]0;t\\x07');
    assert.equal(printable('\u009b31m \u202eevil \u2028'), '\\x9b31m \\u202eevil \\u2028');
    assert.equal(printable('plain ✓ text, ünïcode'), 'plain ✓ text, ünïcode');
  });

  for (const { seed, label } of propertySeeds(20261201))
    test(`the result never holds a control character (random strings, ${label})`, (t) => {
      t.diagnostic(seedNote(seed));
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
          assert.doesNotMatch(printable(s), /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
        }),
        { seed, numRuns: 300 },
      );
    });
});

describe('neutralize', () => {
  test('keeps our colours and line breaks, shows everything else', () => {
    const style = new Chalk({ level: 1 });
    const ours = `${style.green('✓ ok')}\n${style.red.bold('✗ refused')}`;
    assert.equal(neutralize(ours), ours);
    assert.equal(neutralize('a\u001b[2Jb'), 'a\\x1b[2Jb');
    assert.equal(neutralize('title\u001b]0;owned\u0007'), 'title\\x1b]0;owned\\x07');
    assert.equal(neutralize('back\bspace\rreturn'), 'back\\x08space\\rreturn');
    assert.equal(neutralize('\u001b'), '\\x1b');
  });

  for (const { seed, label } of propertySeeds(20261201))
    test(`no control character but a line break or an SGR sequence survives (random strings, ${label})`, (t) => {
      t.diagnostic(seedNote(seed));
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
          const out = neutralize(s).replace(/\u001b\[[0-9;]*m/g, '');
          assert.doesNotMatch(out, CONTROLS);
        }),
        { seed, numRuns: 300 },
      );
    });
});

describe('jsonText', () => {
  for (const { seed, label } of propertySeeds(20261201))
    test(`parses back to the same value, with no raw C1, separator or bidi character (${label})`, (t) => {
      t.diagnostic(seedNote(seed));
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
          for (const indent of [undefined, 2]) {
            const text = jsonText({ s, list: [s] }, indent);
            assert.deepEqual(JSON.parse(text), { s, list: [s] });
            assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
          }
        }),
        { seed, numRuns: 300 },
      );
    });
});
