/**
 * Ogmios's own JSON schemas (CardanoSolutions/ogmios at v6.13.0, docs/static/api/v6.13/, MPL-2.0;
 * test/fixtures/reference/ogmios/) as a validator of answers: `ogmios.json` refers to
 * `cardano.json` by that name, so both are loaded under their own ids.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
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

/**
 * The `Health` object of `GET /health` from Ogmios's HTTP description (docs/static/openapi.yaml at
 * v6.13.0), with the corrections where it and the server (Data/Health.hs, Data/Json.hs encodeTip,
 * Ogmios.Version) disagree, each named here (README §7 says why).
 */
export const HEALTH_ERRATA: [string, (health: Record<string, any>) => void][] = [
  ['lastKnownTip: typed object, yet "origin" is one of its forms', (h) => delete h.properties.lastKnownTip.type],
  [
    'lastKnownTip id: the pattern /^[a-f0-9]{32}$/ (slashes included) for a 64-digit blake2b-256',
    (h) => (h.properties.lastKnownTip.oneOf[0].properties.id.pattern = '^[a-f0-9]{64}$'),
  ],
  [
    '`type: null` is a YAML null, not the JSON Schema type "null"',
    (h) => {
      for (const p of Object.values(h.properties) as { oneOf?: { type: unknown }[] }[])
        for (const alt of p.oneOf ?? []) if (alt.type === null) alt.type = 'null';
    },
  ],
  [
    'lastTipUpdate: a Maybe UTCTime, null before the first tip',
    (h) => (h.properties.lastTipUpdate = { oneOf: [{ type: 'string' }, { type: 'null' }] }),
  ],
  [
    'version: "v6.13.0 (1603f7e8)" fits neither pattern',
    (h) => (h.properties.version.oneOf[0].pattern = '^v[0-9]+\\.[0-9]+\\.[0-9]+( \\([a-f0-9]{8}\\))?$'),
  ],
];

/**
 * `validateHealth(body)`: the errors of a /health body against Health, empty when it conforms;
 * `corrected: false` as published, `leaveOut` every correction but that one.
 */
export function healthSchema(corrected = true, leaveOut?: string): (value: unknown) => string[] {
  const spec = parseYaml(
    readFileSync(projectPath('test', 'fixtures', 'reference', 'ogmios', 'openapi.v6.13.0.yaml'), 'utf8'),
  ) as { components: { schemas: Record<string, Record<string, any>> } };
  const health = spec.components.schemas.Health!;
  // the date-time schema is referenced within the document
  const text = JSON.stringify(health).replaceAll('"#/components/schemas/iso8601DateTime"', '"#/definitions/time"');
  const schema = JSON.parse(text) as Record<string, any>;
  if (corrected) for (const [name, fix] of HEALTH_ERRATA) if (name !== leaveOut) fix(schema);
  schema.definitions = { time: spec.components.schemas.iso8601DateTime };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return (value) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
