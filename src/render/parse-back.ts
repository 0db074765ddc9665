/**
 * Every rendered TOML, JSON and YAML file is parsed back before it is written: a template that
 * yields an invalid file is a bug, and it stops the render with the template's name.
 */
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { TemplateError } from './errors.js';
import type { RenderedFile } from './types.js';

export function parseBack(file: RenderedFile, origin: string): void {
  try {
    if (file.format === 'toml') parseToml(file.content);
    else if (file.format === 'json') JSON.parse(file.content);
    else if (file.format === 'yaml') parseYaml(file.content, { strict: true, uniqueKeys: true });
  } catch (err) {
    throw new TemplateError(
      `template ${origin} produced invalid ${file.format.toUpperCase()} for ${file.path}: ${(err as Error).message.split('\n')[0]}`,
      'fix the template (or remove your override of it); nothing was written',
    );
  }
}
