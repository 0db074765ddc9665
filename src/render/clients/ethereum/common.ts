/** What the Ethereum renderers share: paths, argument lists from templates, config files, services. */
import { parse as parseYaml } from 'yaml';
import type { ResolvedHost } from '../../../inventory/resolve.js';
import { baseData, binaryPath, onHost, type HostContext } from '../../context.js';
import { TemplateError } from '../../errors.js';
import type { RenderedFile, Service } from '../../types.js';

/** The engine API's shared secret: created on the host by deploy, never rendered (it is a secret). */
export const JWT_PATH = '/etc/stake/ethereum/jwt.hex';
export const CERTS = '/etc/stake/ethereum/certs';
/** Where a Dirk signer finds the passphrase of an identity's share (placed with the share, never rendered). */
export const dirkPassphrasePath = (identity: string) => `/var/lib/dirk/passphrases/${identity}`;
export const EXECUTION_NETWORKS = ['mainnet', 'holesky', 'sepolia', 'hoodi'];

export type Rendered = { files: RenderedFile[]; services: Service[] };

export const port = (h: ResolvedHost, name: string, fallback: number) => h.ports[name]?.port ?? fallback;

/** Renders a template whose output is a YAML list of command-line arguments. */
export function renderArgs(ctx: HostContext, template: string, data: Record<string, unknown>): string[] {
  const text = ctx.engine.render(template, { ...baseData(ctx), ...data });
  let args: unknown;
  try {
    args = parseYaml(text, { strict: true });
  } catch (err) {
    throw new TemplateError(
      `template ${ctx.engine.origin(template)} produced invalid YAML: ${(err as Error).message.split('\n')[0]}`,
      'fix the template (or remove your override of it)',
    );
  }
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string' || typeof a === 'number')) {
    throw new TemplateError(
      `template ${ctx.engine.origin(template)} must produce a YAML list of arguments`,
      'one argument per "- " item',
    );
  }
  return args.map(String);
}

export function configFile(
  ctx: HostContext,
  template: string,
  path: string,
  owner: string,
  restarts: string,
  data: Record<string, unknown>,
): RenderedFile {
  return {
    path,
    mode: '0640',
    owner: `${owner}:${owner}`,
    format: 'yaml',
    content: ctx.engine.render(template, { ...baseData(ctx), ...data }),
    restarts: [restarts],
    template: ctx.engine.origin(template),
  };
}

export const service = (s: Omit<Service, 'after' | 'jit'> & Partial<Pick<Service, 'after' | 'jit'>>): Service => ({
  after: [],
  jit: false,
  ...s,
});
export const binaryOf = (ctx: HostContext, client: string) => onHost(ctx.host, binaryPath(ctx.inv, client));
export const extraArgs = (ctx: HostContext, client: string) => ctx.inv.clients[client]?.args ?? [];
