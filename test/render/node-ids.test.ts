import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { nodeIdFromNodeKey } from '../../src/render/node-ids.js';

/** A node_key.json as CometBFT writes it: base64 of the 32-byte seed followed by the 32-byte public key. */
function nodeKey(): { json: string; publicKey: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return {
    json: JSON.stringify({
      priv_key: { type: 'tendermint/PrivKeyEd25519', value: Buffer.concat([seed, pub]).toString('base64') },
    }),
    publicKey: pub,
  };
}

describe('cometbft node ids', () => {
  test('the id is the first 20 bytes of SHA-256 of the public key half of node_key.json', () => {
    const { json, publicKey } = nodeKey();
    const id = nodeIdFromNodeKey(json);
    assert.match(id, /^[0-9a-f]{40}$/);
    assert.equal(id, createHash('sha256').update(publicKey).digest('hex').slice(0, 40));
  });

  test('other key types and truncated keys are refused', () => {
    assert.throws(
      () => nodeIdFromNodeKey(JSON.stringify({ priv_key: { type: 'tendermint/PrivKeySecp256k1', value: 'AAAA' } })),
      /not an ed25519/,
    );
    assert.throws(
      () =>
        nodeIdFromNodeKey(
          JSON.stringify({
            priv_key: { type: 'tendermint/PrivKeyEd25519', value: Buffer.alloc(32).toString('base64') },
          }),
        ),
      /32 bytes, expected 64/,
    );
  });
});
