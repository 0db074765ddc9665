/**
 * The validation pipeline, pure: bytes -> YAML -> schema -> topology rules. Each stage
 * collects every finding it can; a stage runs only when the one before produced data it
 * can trust (rules need schema-valid input), which the result says in `stage`.
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { checkSchema } from './check-schema.js';
import { controlCharacters } from './control-chars.js';
import { checkFields } from './check-fields.js';
import { makeLocator } from './locate.js';
import { parseInventory, type ParsedInventory } from './parse.js';
import { makeContext } from './rules/context.js';
import { ALL_RULES } from './rules/index.js';
import type { Inventory } from './schema.js';

export interface ValidationResult {
  /** How far validation got: a file that fails to parse has no schema findings yet. */
  stage: 'parse' | 'schema' | 'rules';
  diagnostics: Diagnostic[];
  /** Present when the schema passed: the typed inventory, findings or not. */
  inventory?: Inventory;
  parsed?: ParsedInventory;
}

export function validateInventory(file: string, bytes: Uint8Array): ValidationResult {
  const parse = parseInventory(file, bytes);
  if (!parse.ok) return { stage: 'parse', diagnostics: parse.diagnostics };

  const locate = makeLocator(parse.parsed);
  const schema = checkSchema(parse.parsed.data, locate);
  // Control characters are refused in every string, keys included, in one walk of the document.
  const strings = controlCharacters(parse.parsed.doc, parse.parsed.linePos, file);
  const fields = schema.inventory ? checkFields(schema.inventory, locate) : [];
  if (!schema.inventory || strings.length || fields.length)
    return {
      stage: 'schema',
      diagnostics: sortDiagnostics([...schema.diagnostics, ...strings, ...fields]),
      parsed: parse.parsed,
    };

  const diagnostics: Diagnostic[] = [];
  const ctx = makeContext(schema.inventory, locate, diagnostics);
  for (const rule of ALL_RULES) rule(ctx);
  return {
    stage: 'rules',
    diagnostics: sortDiagnostics(diagnostics),
    inventory: schema.inventory,
    parsed: parse.parsed,
  };
}
