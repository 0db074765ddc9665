import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileDiff, maskSecrets, MASK } from '../../src/plan/diff.js';

describe('plan diffs', () => {
  test('secret values are masked in TOML, YAML, JSON and key=value files; other values stay', () => {
    const text = [
      'db_password = "hunter2"',
      'slashing-protection-db-password: s3cret',
      '  "client_identity_password": "password",',
      'API_TOKEN=abc123',
      'priv_validator_key_file = "config/priv_validator_key.json"',
      'moniker = "val-fra"',
      '# the password goes in the vault',
    ].join('\n');
    const masked = maskSecrets(text).split('\n');
    assert.equal(masked[0], `db_password = ${MASK}`);
    assert.equal(masked[1], `slashing-protection-db-password: ${MASK}`);
    assert.equal(masked[2], `  "client_identity_password": ${MASK}`);
    assert.equal(masked[3], `API_TOKEN=${MASK}`);
    assert.equal(
      masked[4],
      'priv_validator_key_file = "config/priv_validator_key.json"',
      'a path to a key file is not a secret',
    );
    assert.equal(masked[5], 'moniker = "val-fra"');
    assert.equal(masked[6], '# the password goes in the vault');
    assert.doesNotMatch(maskSecrets(text), /hunter2|s3cret|abc123/);
  });

  test('a unified diff shows the change and never the secret', () => {
    const d = fileDiff(
      '/etc/x.toml',
      'pex = true\npassword = "old-secret"\n',
      'pex = false\npassword = "new-secret"\n',
    );
    assert.match(d, /^-pex = true$/m);
    assert.match(d, /^\+pex = false$/m);
    assert.doesNotMatch(d, /old-secret|new-secret/);
    assert.equal(fileDiff('/etc/x.toml', 'password = "a"\n', 'password = "b"\n'), '', 'only a masked value differs');
  });
});
