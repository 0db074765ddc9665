import { closest } from 'fastest-levenshtein';
import { CLIENTS, EXECUTION_CLIENTS, COMPANION_CLIENTS } from '../clients.js';
import type { DataPath } from '../locate.js';
import type { Rule } from './context.js';

/** `unknown-reference`: every name that points at a datacenter, a host or a client exists. */
export const checkReferences: Rule = (ctx) => {
  const { inv } = ctx;
  const hostNames = Object.keys(inv.hosts);
  const dcNames = Object.keys(inv.datacenters);

  const expectHost = (name: string | undefined, path: DataPath, what: string) => {
    if (name === undefined || ctx.host(name)) return;
    ctx.report(
      'unknown-reference',
      path,
      `${what} "${name}" is not a host of this inventory`,
      suggest(name, hostNames, 'hosts'),
    );
  };

  for (const [name, host] of Object.entries(inv.hosts)) {
    if (!Object.hasOwn(inv.datacenters, host.dc)) {
      ctx.report(
        'unknown-reference',
        ['hosts', name, 'dc'],
        `host "${name}" is in datacenter "${host.dc}", which is not defined`,
        suggest(host.dc, dcNames, 'datacenters'),
      );
    }
    expectHost(host.ssh?.jump, ['hosts', name, 'ssh', 'jump'], `jump host of "${name}"`);
  }
  expectHost(inv.ssh?.jump, ['ssh', 'jump'], 'default jump host');
  expectHost(inv.access?.monitor, ['access', 'monitor'], 'monitor');

  for (const [id, v] of Object.entries(inv.validators)) {
    const base = ['validators', id];
    expectHost(v.active, [...base, 'active'], `active host of "${id}"`);
    (v.standby ?? []).forEach((h, i) => expectHost(h, [...base, 'standby', i], `standby of "${id}"`));
    v.upstream.forEach((h, i) => expectHost(h, [...base, 'upstream', i], `upstream of "${id}"`));
    expectHost(v.witness, [...base, 'witness'], `witness of "${id}"`);
    v.signer?.hosts.forEach((h, i) => expectHost(h, [...base, 'signer', 'hosts', i], `signer host of "${id}"`));
  }

  const known = [...Object.keys(CLIENTS), ...EXECUTION_CLIENTS, ...COMPANION_CLIENTS];
  for (const client of Object.keys(inv.clients ?? {})) {
    if (!known.includes(client)) {
      ctx.report(
        'unknown-reference',
        ['clients', client],
        `clients.${client} names no client stake knows`,
        suggest(client, known, 'the client catalog'),
        'key',
      );
    }
  }
};

/** `jump-cycle`: following `ssh.jump` from any host must end at a host that connects directly. */
export const checkJumpCycles: Rule = (ctx) => {
  const reported = new Set<string>();
  for (const start of Object.keys(ctx.inv.hosts)) {
    const chain: string[] = [start];
    let current = start;
    for (;;) {
      const next = ctx.ssh(current).jump;
      if (next === undefined || !ctx.host(next)) break;
      if (chain.includes(next)) {
        const loop = [...chain.slice(chain.indexOf(next)), next];
        const key = [...loop].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          // A host's own jump is the likelier mistake than the default every host shares.
          const own = loop.find((h) => ctx.inv.hosts[h]?.ssh?.jump !== undefined);
          ctx.report(
            'jump-cycle',
            own ? ['hosts', own, 'ssh', 'jump'] : ['ssh', 'jump'],
            `ssh jump chain loops: ${loop.join(' -> ')}`,
            'make one host of the loop connect directly (no jump), usually the bastion',
          );
        }
        break;
      }
      chain.push(next);
      current = next;
    }
  }
};

function suggest(name: string, candidates: string[], where: string): string {
  if (candidates.length === 0) return `define it under ${where}`;
  const guess = closest(name, candidates);
  return `did you mean "${guess}"? Otherwise define "${name}" under ${where}`;
}
