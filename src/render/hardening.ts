/** The host hardening profile (CIS-style): sshd drop-in, kernel network sysctls, unattended security upgrades. */
import { isIP } from 'node:net';
import { baseData, type HostContext } from './context.js';
import type { RenderedFile } from './types.js';
import { flowsInto, sourceLabel } from '../topology/graph.js';

function file(ctx: HostContext, template: string, path: string, restarts: string[]): RenderedFile {
  return {
    path,
    mode: '0644',
    owner: 'root:root',
    format: 'text',
    content: ctx.engine.render(template, baseData(ctx)),
    restarts,
    template: ctx.engine.origin(template),
  };
}

/** stake's network sysctls on every host whose hardening renders them. */
export const SYSCTL_PATH = '/etc/sysctl.d/60-stake.conf';

export function renderHardening(ctx: HostContext): RenderedFile[] {
  const { host, inv, graph } = ctx;
  const files: RenderedFile[] = [];
  if (host.hardening.sshd) {
    // The same sources the firewall lets in on the SSH port.
    const sources = flowsInto(graph, host.name)
      .filter((f) => f.service === 'ssh')
      .map((f) => (f.from.kind === 'host' ? inv.host(f.from.host).privateAddress : sourceLabel(f.from)))
      .filter((a) => isIP(a.split('/')[0] ?? '') !== 0);
    const user = host.ssh.user;
    const template = 'hardening/sshd.conf.liquid';
    files.push({
      path: '/etc/ssh/sshd_config.d/50-stake.conf',
      mode: '0644',
      owner: 'root:root',
      format: 'text',
      content: ctx.engine.render(template, {
        ...baseData(ctx),
        permit_root_login: user === 'root' ? 'prohibit-password' : 'no',
        allow_users: sources.length ? [...new Set(sources)].sort().map((s) => `${user}@${s}`) : [user],
        jump_host: inv.hosts.some((h) => h.ssh.jump === host.name) || host.tier === 'bastion',
      }),
      restarts: ['sshd'],
      template: ctx.engine.origin(template),
    });
  }
  if (host.hardening.sysctl) files.push(file(ctx, 'hardening/sysctl.conf.liquid', SYSCTL_PATH, ['sysctl']));
  if (host.hardening.unattendedUpgrades) {
    files.push(file(ctx, 'hardening/20auto-upgrades.liquid', '/etc/apt/apt.conf.d/20auto-upgrades', []));
    files.push(
      file(ctx, 'hardening/52stake-unattended-upgrades.liquid', '/etc/apt/apt.conf.d/52stake-unattended-upgrades', []),
    );
  }
  return files;
}
