/**
 * The reference tables of the real clients (reference/clients/<client>-<version>.json, read from
 * each client's own source at the pinned version; reference/clients/FORMAT.md): the flags each
 * command accepts, the config files it reads and their keys, the metrics it serves. The checks
 * (./check-args.ts) hold stake's renders and the lab's simulated clients to them. Loading is the
 * only I/O here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';

export interface SourcePlace {
  file: string;
  line: number;
  repository?: string;
}

export interface FlagReference {
  name: string;
  kind: string;
  repeatable?: boolean;
  aliases?: string[];
  values?: string[];
  at: SourcePlace;
}

/** How the real binary fails: its exit code, stream and message ({flag}, {value}, {key}, {raw} filled in). */
export interface FailureReference {
  exitCode: number;
  stream: 'stderr' | 'stdout';
  message: string;
  at?: SourcePlace;
}

export interface CommandReference {
  flags: FlagReference[];
  unknownFlag: FailureReference;
  badValue?: FailureReference;
}

export interface ConfigFileReference {
  command: string;
  locatedBy: string;
  format: string;
  keys: { path: string; type?: string; at?: SourcePlace }[];
  dynamicKeys?: { pattern: string }[];
  unknownKey: string | FailureReference;
}

export interface MetricsReference {
  path: string;
  names: { name: string; type?: string; at?: SourcePlace }[];
}

export interface ClientReference {
  client: string;
  version: string;
  source: { repository: string; tag: string; commit: string; licence?: string };
  commands: Record<string, CommandReference>;
  configFiles?: ConfigFileReference[];
  metrics?: MetricsReference[];
}

export const REFERENCE_DIR = projectPath('reference', 'clients');

export const referenceFile = (client: string, version: string) => `${REFERENCE_DIR}/${client}-${version}.json`;

const cache = new Map<string, ClientReference | null>();

/** The table of a client at a version, or undefined when the project has none. */
export function clientReference(client: string, version: string): ClientReference | undefined {
  const key = `${client}@${version}`;
  if (!cache.has(key)) {
    const file = referenceFile(client, version);
    cache.set(key, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClientReference) : null);
  }
  return cache.get(key) ?? undefined;
}

/** Every table the project has, as client@version. */
export function referenceVersions(): string[] {
  return readdirSync(REFERENCE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const t = JSON.parse(readFileSync(`${REFERENCE_DIR}/${f}`, 'utf8')) as ClientReference;
      return `${t.client}@${t.version}`;
    })
    .sort();
}
