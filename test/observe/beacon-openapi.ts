/**
 * The Beacon API's own description (ethereum/beacon-APIs at v2.5.0, the Deneb release the pinned
 * lighthouse v5.3.0 and teku 24.10.3 serve; test/fixtures/reference/beacon-apis/, CC0) as a
 * validator of answers: every YAML file of it is loaded under its own path, so its relative
 * `$ref`s resolve as in the repository, and an answer is checked against the schema of one
 * operation's response.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { projectPath } from '../../src/paths.js';

const ROOT = projectPath('test', 'fixtures', 'reference', 'beacon-apis');
const BASE = 'https://beacon-apis.invalid/';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith('.yaml') ? [path] : [];
  });
}

/**
 * `validate(apiFile, method, status)(answer)`: the errors of an answer, empty when it conforms.
 * `validate.type(file, pointer)(value)`: the same against one type of the description (a fork's
 * block: an answer's `anyOf` of every fork would let one fork's shape pass for another's).
 */
export function beaconSchemas(): ((
  apiFile: string,
  method: 'get' | 'post',
  status?: string,
) => (value: unknown) => string[]) & { type: (file: string, pointer: string) => (value: unknown) => string[] } {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  for (const file of yamlFiles(ROOT)) {
    const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    ajv.addSchema({ ...doc, $id: `${BASE}${relative(ROOT, file)}` });
  }
  const against = (ref: string) => {
    const validate = ajv.compile({ $ref: ref });
    return (value: unknown) =>
      validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
  const answers = (apiFile: string, method: 'get' | 'post', status = '200') =>
    against(`${BASE}${apiFile}#/${method}/responses/${status}/content/application~1json/schema`);
  return Object.assign(answers, { type: (file: string, pointer: string) => against(`${BASE}${file}#${pointer}`) });
}
