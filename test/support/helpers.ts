/** Shared test helpers: run the real bin/stake, read example inventories, validate text in memory. */
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { validateInventory, type ValidationResult } from '../../src/inventory/validate.js';

export const STAKE = projectPath('bin', 'stake');
/** The compiled ./faulty-stake.ts beside this file. */
const FAULTY_STAKE = fileURLToPath(new URL('./faulty-stake.js', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/stake with a clean colour environment; bounded in time. */
export function runStake(
  args: string[],
  options: {
    env?: Record<string, string>;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
    /** Faults at failover step boundaries (./faults.ts): runs the command line through ./faulty-stake.ts. */
    faults?: string;
  } = {},
): RunResult {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    STAKE_DEBUG: undefined,
    STAKE_INVENTORY: undefined,
    ...options.env,
  };
  const [command, argv] =
    options.faults === undefined ? [STAKE, args] : [process.execPath, [FAULTY_STAKE, options.faults, ...args]];
  const r = spawnSync(command, argv, {
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    input: options.input ?? '',
    cwd: options.cwd,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const example = (name: 'cosmos' | 'ethereum' | 'cardano' | 'cosmos-horcrux') =>
  readFileSync(projectPath('inventories', `${name}.yaml`), 'utf8');

/** The horcrux example with its signer group turned into one tmkms host (kms-fra). */
export const cosmosWithTmkms = () =>
  example('cosmos-horcrux')
    .replace('horcrux: { version: v3.3.2 }', 'tmkms: { version: v0.15.0 }')
    .replace(
      /  signer-fra: .*\n  signer-waw: .*\n  signer-ams: .*\n/,
      '  kms-fra: { tier: signer, dc: fra1, address: 10.1.0.50, client: tmkms }\n',
    )
    .replace(
      /client: horcrux\n\s+threshold: 2\n\s+hosts: \[signer-fra, signer-waw, signer-ams\]/,
      'client: tmkms\n      hosts: [kms-fra]',
    );

export const validateText = (text: string, file = 'inventory.yaml'): ValidationResult =>
  validateInventory(file, Buffer.from(text, 'utf8'));

/** 1-based number of the first line containing `needle`. */
export function lineOf(text: string, needle: string, from = 0): number {
  const index = text.indexOf(needle, from);
  if (index < 0) throw new Error(`lineOf: "${needle}" not in text`);
  return text.slice(0, index).split('\n').length;
}

/** Replaces exactly one occurrence; fails loudly when the anchor text is missing or ambiguous. */
export function edit(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first < 0) throw new Error(`edit: "${from}" not found`);
  if (text.indexOf(from, first + 1) >= 0) throw new Error(`edit: "${from}" occurs more than once`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

/** A copy of the built-in templates with one edit, as a user's --templates folder. */
export function templatesWith(dir: string, file: string, from: string, to: string): string {
  cpSync(projectPath('templates'), dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, edit(readFileSync(path, 'utf8'), from, to));
  return dir;
}
