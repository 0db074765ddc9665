/**
 * The template engine: liquidjs (Jinja-like syntax, as in Ansible), strict about undefined
 * variables and filters so a template typo fails the render instead of writing an empty value.
 * Filters that quote values for each target format live here, so templates never hand-quote.
 */
import { Liquid, type Template } from 'liquidjs';
import { TemplateError } from './errors.js';

/** Template sources by relative path (`cometbft/config.toml.liquid`), after user overrides. */
export type TemplateSources = ReadonlyMap<string, { source: string; origin: string }>;

const tomlString = (v: unknown) => JSON.stringify(String(v ?? '')); // JSON strings are TOML basic strings
const shellWord = (v: unknown) => {
  const s = String(v ?? '');
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
};

export class TemplateEngine {
  private readonly liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    jsTruthy: true,
  });
  private readonly cache = new Map<string, Template[]>();

  constructor(private readonly sources: TemplateSources) {
    this.liquid.registerFilter('toml', tomlString);
    this.liquid.registerFilter('toml_list', (xs: unknown[]) => `[${(xs ?? []).map(tomlString).join(', ')}]`);
    this.liquid.registerFilter('json', (v: unknown) => JSON.stringify(v));
    this.liquid.registerFilter('json_pretty', (v: unknown) => JSON.stringify(v, null, 2));
    this.liquid.registerFilter('shell', shellWord);
    this.liquid.registerFilter('shell_words', (xs: unknown[]) => (xs ?? []).map(shellWord).join(' '));
    // systemd ExecStart: quote words with spaces; escape % (a specifier) and $ (a variable).
    this.liquid.registerFilter('systemd_words', (xs: unknown[]) =>
      (xs ?? [])
        .map((x) => {
          const s = String(x).replace(/%/g, '%%').replace(/\$/g, '$$$$');
          return /[\s"'\\]/.test(s) ? JSON.stringify(s) : s;
        })
        .join(' '),
    );
  }

  /** Renders one template; an unknown template or variable is a TemplateError naming it. */
  render(name: string, data: Record<string, unknown>): string {
    const source = this.sources.get(name);
    if (!source)
      throw new TemplateError(
        `no template "${name}"`,
        'templates live in templates/<client>/; check the name and any --templates override',
      );
    try {
      let parsed = this.cache.get(name);
      if (!parsed) {
        parsed = this.liquid.parse(source.source, source.origin);
        this.cache.set(name, parsed);
      }
      return this.liquid.renderSync(parsed, data) as string;
    } catch (err) {
      throw new TemplateError(
        `template ${source.origin} failed: ${(err as Error).message.split('\n')[0]}`,
        'fix the template (or remove your override of it)',
      );
    }
  }

  origin(name: string): string {
    return this.sources.get(name)?.origin ?? name;
  }
}
