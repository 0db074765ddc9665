/**
 * Ogmios's own JSON schemas (CardanoSolutions/ogmios at v6.13.0, docs/static/api/v6.13/, MPL-2.0;
 * test/fixtures/reference/ogmios/) as a validator of answers: `ogmios.json` refers to
 * `cardano.json` by that name, so both are loaded under their own ids.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { projectPath } from '../../src/paths.js';

const load = (name: string) => {
  const schema = JSON.parse(
    readFileSync(projectPath('test', 'fixtures', 'reference', 'ogmios', `${name}.v6.13.0.json`), 'utf8'),
  ) as Record<string, unknown>;
  // draft-07 written as "https://json-schema.org/draft-07/schema" (no "#"), which ajv's draft-07 is, by another name
  delete schema.$schema;
  return schema;
};

/**
 * Where the published schema contradicts its own example and what Ogmios sends: each correction
 * names the place. RpcError's `error` requires a property "string", which it does not define
 * (additionalProperties is false, so no error could pass); its example and the server send `message`.
 * Still so at v7.0.0.
 */
export const ERRATA = ['ogmios.json#/properties/RpcError/properties/error/required: "string" read as "message"'];

function corrected(ogmios: Record<string, unknown>): Record<string, unknown> {
  const error = (ogmios.properties as Record<string, { properties: { error: { required: string[] } } }>).RpcError!
    .properties.error;
  error.required = error.required.map((r) => (r === 'string' ? 'message' : r));
  return ogmios;
}

/** `validate(message)(answer)`: the errors of an answer to `ogmios.json#/properties/<message>`, empty when it conforms. */
export function ogmiosSchemas(): (message: string) => (value: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(load('cardano'));
  ajv.addSchema(corrected(load('ogmios')));
  return (message) => {
    const validate = ajv.getSchema(`ogmios.json#/properties/${message}`);
    if (!validate) throw new Error(`no message ${message} in ogmios.json`);
    return (value) =>
      validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}
