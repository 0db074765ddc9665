/**
 * The template engine: liquidjs (Jinja-like syntax, as in Ansible), strict about undefined
 * variables and filters so a template typo fails the render instead of writing an empty value.
 * Filters that quote values for each target format live here, so templates never hand-quote.
 */
import { Liquid, type Template } from 'liquidjs';
import { TemplateError } from './errors.js';
import { jsonValue, shellWord, sshdToken, systemdText, systemdWord, tomlString, yamlString } from './quote.js';

/** Template sources by relative path (`cometbft/config.toml.liquid`), after user overrides. */
export type TemplateSources = ReadonlyMap<string, { source: string; origin: string }>;

export class TemplateEngine {
  private readonly liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    jsTruthy: true,
  });
  private readonly cache = new Map<string, Template[]>();

  constructor(private readonly sources: TemplateSources) {
    // Every inventory-derived string goes through one of these, for the format it lands in.
    this.liquid.registerFilter('toml', tomlString);
    this.liquid.registerFilter('toml_string', tomlString);
    this.liquid.registerFilter('toml_list', (xs: unknown[]) => `[${(xs ?? []).map(tomlString).join(', ')}]`);
    this.liquid.registerFilter('yaml_string', yamlString);
    this.liquid.registerFilter('json', jsonValue);
    this.liquid.registerFilter('json_pretty', (v: unknown) => JSON.stringify(v, null, 2));
    this.liquid.registerFilter('shell', shellWord);
    this.liquid.registerFilter('shell_words', (xs: unknown[]) => (xs ?? []).map(shellWord).join(' '));
    this.liquid.registerFilter('systemd_words', (xs: unknown[]) =>
      (xs ?? []).map((x) => systemdWord(x, true)).join(' '),
    );
    this.liquid.registerFilter('systemd_paths', (xs: unknown[]) =>
      (xs ?? []).map((x) => systemdWord(x, false)).join(' '),
    );
    this.liquid.registerFilter('systemd_path', (x: unknown) => systemdWord(x, false));
    this.liquid.registerFilter('systemd_text', systemdText);
    this.liquid.registerFilter('sshd_tokens', (xs: unknown[]) => (xs ?? []).map(sshdToken).join(' '));
    this.liquid.registerFilter('sshd_token', sshdToken);
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

  /** Whether a template of this name exists (built-in or the user's). */
  has(name: string): boolean {
    return this.sources.has(name);
  }

  origin(name: string): string {
    return this.sources.get(name)?.origin ?? name;
  }
}
