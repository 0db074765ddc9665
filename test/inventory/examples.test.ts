/** The spec's own example inventory, and inventories at scale. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateInventory } from '../../bench/generate-inventory.js';
import { resolveInventory } from '../../src/inventory/resolve.js';
import { projectPath } from '../../src/paths.js';
import { edit, validateText } from '../support/helpers.js';

const SPEC_EXAMPLE = readFileSync(projectPath('test', 'fixtures', 'spec-example.yaml'), 'utf8');

describe('inventory examples', () => {
  test("the spec's example: its two truncated operator keys are one and the same key", () => {
    // Both read "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI..." and differ only in the comment, so one
    // person could approve twice: stake compares keys, not comments.
    const ids = validateText(SPEC_EXAMPLE)
      .diagnostics.map((d) => d.id)
      .sort();
    assert.deepEqual(ids, ['operator-key', 'operator-key', 'operators-two-person']);
  });

  test("the spec's example with whole keys validates clean", () => {
    let text = edit(
      SPEC_EXAMPLE,
      '"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@ops"',
      '"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFp/dwi4kLVqOyCVJxxvw1Z4InS/KQPLMqzCY2szNnpu alice@ops"',
    );
    text = edit(
      text,
      '"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... bob@ops"',
      '"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILOOKOC4ODm9xHdFYUi6vULnd9zSSONQlkAuy7gifOhu bob@ops"',
    );
    assert.deepEqual(validateText(text).diagnostics, []);
  });

  test('a generated inventory of 1,000 hosts and 300 identities is valid and resolves', () => {
    const result = validateText(generateInventory({ hosts: 1000, identities: 300 }));
    assert.deepEqual(result.diagnostics, []);
    const resolved = resolveInventory(result.inventory!);
    assert.equal(resolved.hosts.length, 1000);
    assert.equal(resolved.identities.length, 300);
    const id = resolved.identities[7]!;
    assert.notEqual(id.active.dc, id.standby[0]!.dc);
    assert.equal(id.active.roles[0]!.role, 'active');
  });
});
