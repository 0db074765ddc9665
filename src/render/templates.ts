/**
 * Loading templates (an edge: it reads folders). The project's templates/ come first; a file at
 * the same relative path in the user's folder wins: `--templates DIR`, else a `templates/`
 * folder next to the inventory.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { projectPath } from '../paths.js';
import type { TemplateSources } from './engine.js';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.liquid') ? [join(dir, e.name)] : [],
  );
}

export function loadTemplates(options: { inventory: string; templates?: string }): {
  sources: TemplateSources;
  overrides: string[];
} {
  const sources = new Map<string, { source: string; origin: string }>();
  const builtin = projectPath('templates');
  for (const file of walk(builtin))
    sources.set(relative(builtin, file), {
      source: readFileSync(file, 'utf8'),
      origin: `templates/${relative(builtin, file)}`,
    });

  const userDir = resolve(options.templates ?? join(dirname(options.inventory), 'templates'));
  if (options.templates && !(existsSync(userDir) && statSync(userDir).isDirectory())) {
    throw new UsageError(
      `--templates ${options.templates} is not a folder`,
      "pass a folder laid out like stake's templates/ (e.g. DIR/cometbft/config.toml.liquid)",
    );
  }
  const overrides: string[] = [];
  if (existsSync(userDir) && statSync(userDir).isDirectory() && userDir !== resolve(builtin)) {
    for (const file of walk(userDir)) {
      const rel = relative(userDir, file);
      sources.set(rel, { source: readFileSync(file, 'utf8'), origin: file });
      overrides.push(rel);
    }
  }
  return { sources, overrides: overrides.sort() };
}
