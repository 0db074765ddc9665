/**
 * How a service is launched on its host: a hardened systemd unit (init: systemd), or a launch
 * script with a pid file (init: direct, for containers and test hosts).
 */
import { baseData, onHost, type HostContext } from './context.js';
import type { RenderedFile, Service } from './types.js';

export const unitPath = (name: string) => `/etc/systemd/system/stake-${name}.service`;
export const launchScriptPath = (name: string) => `/var/lib/stake/bin/${name}.sh`;
export const pidFilePath = (name: string) => `/var/lib/stake/run/${name}.pid`;
export const logFilePath = (name: string) => `/var/log/stake/${name}.log`;

export function renderServiceFiles(ctx: HostContext, declared: Service): RenderedFile {
  // the templates are strict about names: an optional field is there, empty
  const service = { ...declared, environmentFile: declared.environmentFile ?? '' };
  if (ctx.host.init === 'systemd') {
    const template = 'systemd/service.liquid';
    return {
      path: unitPath(service.name),
      mode: '0644',
      owner: 'root:root',
      format: 'systemd',
      content: ctx.engine.render(template, { ...baseData(ctx), service }),
      restarts: [service.name],
      template: ctx.engine.origin(template),
    };
  }
  const template = 'direct/launch.sh.liquid';
  const pidfile = onHost(ctx.host, pidFilePath(service.name));
  const logfile = onHost(ctx.host, logFilePath(service.name));
  return {
    path: launchScriptPath(service.name),
    mode: '0755',
    owner: 'root:root',
    format: 'shell',
    content: ctx.engine.render(template, {
      ...baseData(ctx),
      service,
      pidfile,
      logfile,
      dirs: [
        ...new Set([onHost(ctx.host, '/var/lib/stake/run'), onHost(ctx.host, '/var/log/stake'), ...service.writable]),
      ].sort(),
      stop_timeout: 30,
    }),
    restarts: [service.name],
    template: ctx.engine.origin(template),
  };
}
