/**
 * What the real client refuses at start, by its reference table: a flag its command lacks, a
 * value of the wrong kind, and, where the client refuses them (teku), a config-file key it does
 * not know. The lab's simulated clients exit with the real client's code and words on any of
 * them, so a lab deploy fails wherever a real one would. Pure: reading files is passed in.
 */
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import type { ClientReference } from '../../reference/client-reference.js';
import { checkArgs, failureMessage, keyPaths, unknownConfigKeys } from '../../reference/check-args.js';

export interface Refusal {
  exitCode: number;
  stream: 'stderr' | 'stdout';
  message: string;
}

const parsers: Record<string, (text: string) => unknown> = {
  yaml: (t) => parseYaml(t),
  json: (t) => JSON.parse(t),
  toml: (t) => parseToml(t),
};

export function refusal(
  table: ClientReference,
  argv: readonly string[],
  read: (path: string) => string,
): Refusal | undefined {
  const verdict = checkArgs(table, argv);
  if (verdict.failure) {
    const { exitCode, stream, message } = verdict.failure;
    return { exitCode, stream, message };
  }
  for (const file of table.configFiles ?? []) {
    if (file.command !== verdict.command || typeof file.unknownKey === 'string') continue;
    const flag = /^flag:([\w.-]+)/.exec(file.locatedBy)?.[1];
    const path = flag ? verdict.flags.get(flag)?.[0] : undefined;
    const parse = parsers[file.format];
    if (!path || !parse) continue;
    let keys: string[];
    try {
      keys = keyPaths(parse(read(path)));
    } catch {
      continue; // unreadable or not parseable: the client's own reading of it decides, later
    }
    const unknown = unknownConfigKeys(table, verdict.command, keys);
    if (unknown.length)
      return {
        exitCode: file.unknownKey.exitCode,
        stream: file.unknownKey.stream,
        message: failureMessage(file.unknownKey, { flag: flag!, raw: path, key: unknown.join(', ') }),
      };
  }
  return undefined;
}
