/**
 * Read, validate and resolve an inventory: what every command that acts on a deployment
 * starts with. Throws InvalidInventoryError (exit 3) on any error-level finding.
 */
import { hasErrors, promoteWarnings, type Diagnostic } from '../diagnostics.js';
import { InvalidInventoryError } from '../errors.js';
import { makeLocator, type Locate } from './locate.js';
import { readInventoryFile } from './read.js';
import { resolveInventory, type ResolvedInventory } from './resolve.js';
import type { Inventory } from './schema.js';
import { validateInventory, type ValidationResult } from './validate.js';

export interface CheckedInventory {
  file: string;
  text: string;
  result: ValidationResult;
}

/** Reads and validates; never throws for bad input (the result carries the findings). */
export async function checkInventoryFile(file: string, options: { strict?: boolean } = {}): Promise<CheckedInventory> {
  const read = await readInventoryFile(file);
  if (!read.ok) return { file, text: '', result: { stage: 'parse', diagnostics: [read.diagnostic] } };
  const result = validateInventory(file, read.bytes);
  if (options.strict) result.diagnostics = promoteWarnings(result.diagnostics);
  return { file, text: Buffer.from(read.bytes).toString('utf8'), result };
}

export interface LoadedInventory {
  file: string;
  text: string;
  inventory: Inventory;
  resolved: ResolvedInventory;
  warnings: Diagnostic[];
  /** Positions of inventory paths, for messages that cite the inventory. */
  locate: Locate;
}

export async function loadInventory(file: string): Promise<LoadedInventory> {
  const checked = await checkInventoryFile(file);
  const { result } = checked;
  if (!result.inventory || hasErrors(result.diagnostics)) {
    throw new InvalidInventoryError(file, result.diagnostics, checked.text);
  }
  return {
    file,
    text: checked.text,
    inventory: result.inventory,
    resolved: resolveInventory(result.inventory),
    warnings: result.diagnostics,
    locate: makeLocator(result.parsed!),
  };
}
