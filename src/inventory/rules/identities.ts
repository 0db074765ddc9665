import { UPSTREAM_TIER } from '../clients.js';
import type { DataPath } from '../locate.js';
import type { Rule } from './context.js';

/** `wrong-tier`: each role of an identity is filled by a host of the tier that role needs. */
export const checkRoleTiers: Rule = (ctx) => {
  const upstreamTier = UPSTREAM_TIER[ctx.inv.chain.family];
  const expect = (name: string | undefined, tier: string, path: DataPath, role: string) => {
    const host = ctx.host(name);
    if (host && host.tier !== tier) {
      ctx.report(
        'wrong-tier',
        path,
        `${role} "${name}" is a ${host.tier} host, not a ${tier}`,
        `name a ${tier} host here, or change the tier of "${name}"`,
      );
    }
  };
  for (const [id, v] of Object.entries(ctx.inv.validators)) {
    const base = ['validators', id];
    expect(v.active, 'validator', [...base, 'active'], `active host of "${id}"`);
    (v.standby ?? []).forEach((h, i) => expect(h, 'validator', [...base, 'standby', i], `standby of "${id}"`));
    v.upstream.forEach((h, i) => expect(h, upstreamTier, [...base, 'upstream', i], `upstream of "${id}"`));
    expect(v.witness, 'witness', [...base, 'witness'], `witness of "${id}"`);
    v.signer?.hosts.forEach((h, i) => expect(h, 'signer', [...base, 'signer', 'hosts', i], `signer host of "${id}"`));
  }
  expect(ctx.inv.access?.monitor, 'monitor', ['access', 'monitor'], 'access.monitor');
};

/** `double-active`: a validator host belongs to one identity, in one role. Two roles could mean two signers. */
export const checkDoubleActive: Rule = (ctx) => {
  const seen = new Map<string, string>();
  for (const [id, v] of Object.entries(ctx.inv.validators)) {
    const members: [string, DataPath, string][] = [
      [v.active, ['validators', id, 'active'], 'active'],
      ...(v.standby ?? []).map((h, i): [string, DataPath, string] => [h, ['validators', id, 'standby', i], 'standby']),
    ];
    for (const [host, path, role] of members) {
      const first = seen.get(host);
      if (first !== undefined) {
        ctx.report(
          'double-active',
          path,
          `host "${host}" is ${role} of "${id}" and already ${first}`,
          'a host serves one identity in one role: pick another host (two roles can end as two signers with one key)',
        );
      } else {
        seen.set(host, `${role} of "${id}"`);
      }
    }
  }
};

/** `no-standby`, `standby-same-dc`, `no-witness`, `witness-dc`: failover has somewhere to go and a tie-breaker elsewhere. */
export const checkFailoverShape: Rule = (ctx) => {
  for (const [id, v] of Object.entries(ctx.inv.validators)) {
    const base = ['validators', id];
    const standby = v.standby ?? [];
    const active = ctx.host(v.active);
    if (standby.length === 0) {
      ctx.report(
        'no-standby',
        base,
        `identity "${id}" has no standby host: if ${v.active} fails, nothing can take over`,
        'add standby: [a validator host in another datacenter]',
        'key',
      );
      continue;
    }
    const standbyHosts = standby.map((h) => ctx.host(h)).filter((h) => h !== undefined);
    if (active && standbyHosts.length === standby.length && standbyHosts.every((h) => h.dc === active.dc)) {
      ctx.report(
        'standby-same-dc',
        [...base, 'standby'],
        `every standby of "${id}" is in ${active.dc}, like its active host`,
        'put a standby in another datacenter so losing one site does not stop signing',
        'key',
      );
    }
    if (v.witness === undefined) {
      ctx.report(
        'no-witness',
        base,
        `identity "${id}" has a standby but no witness`,
        'add witness: a witness host in a third datacenter, to break a split brain',
        'key',
      );
      continue;
    }
    const witness = ctx.host(v.witness);
    if (!witness) continue;
    const clash = [active, ...standbyHosts].find((h) => h && h.dc === witness.dc);
    if (clash) {
      ctx.report(
        'witness-dc',
        [...base, 'witness'],
        `witness "${v.witness}" is in ${witness.dc}, with a signing host of "${id}"`,
        'place the witness in a third datacenter: next to one side it cannot break a split brain',
      );
    }
  }
};

/** `single-upstream`, `upstream-single-dc`: a validator is reachable through more than one upstream and site. */
export const checkUpstream: Rule = (ctx) => {
  for (const [id, v] of Object.entries(ctx.inv.validators)) {
    const path = ['validators', id, 'upstream'];
    const kind = UPSTREAM_TIER[ctx.inv.chain.family];
    if (v.upstream.length < 2) {
      ctx.report(
        'single-upstream',
        path,
        `identity "${id}" has ${v.upstream.length} upstream host${v.upstream.length === 1 ? '' : 's'}; one failure would cut it off`,
        `list at least two ${kind} hosts`,
        'key',
      );
      continue;
    }
    const dcs = new Set(v.upstream.map((h) => ctx.host(h)?.dc));
    if (dcs.size === 1 && !dcs.has(undefined)) {
      ctx.report(
        'upstream-single-dc',
        path,
        `every upstream of "${id}" is in ${[...dcs][0]}`,
        `add a ${kind} in another datacenter`,
        'key',
      );
    }
  }
};
