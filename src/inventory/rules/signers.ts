import { CLIENTS } from '../clients.js';
import type { Rule } from './context.js';

/** Signer clients that hold the whole key on every host: each host alone is a signer. */
const WHOLE_KEY_SIGNERS = new Set(['web3signer', 'tmkms']);

/** Validator clients able to use each remote signer (Lighthouse and Teku speak web3signer's API; Vouch speaks Dirk's). */
const SIGNER_CLIENTS_OF: Readonly<Record<string, readonly string[]>> = {
  dirk: ['vouch'],
  web3signer: ['lighthouse', 'teku'],
  tmkms: ['cometbft'],
  horcrux: ['cometbft'],
};

/** Validator clients that keep no slashing protection of their own and must sign through a group. */
const NEEDS_SIGNER: Readonly<Record<string, string>> = { vouch: 'dirk' };

/** `tier-client-mismatch` between an identity's validator clients and its signer group. */
export const checkSignerCompatibility: Rule = (ctx) => {
  for (const [id, v] of Object.entries(ctx.inv.validators)) {
    const base = ['validators', id];
    const members: [string, (string | number)[]][] = [
      [v.active, [...base, 'active']],
      ...(v.standby ?? []).map((h, i): [string, (string | number)[]] => [h, [...base, 'standby', i]]),
    ];
    const signer = v.signer;
    if (signer && CLIENTS[signer.client]?.family !== ctx.inv.chain.family) {
      ctx.report(
        'tier-client-mismatch',
        [...base, 'signer', 'client'],
        `${signer.client} is not a ${ctx.inv.chain.family} signer (identity "${id}")`,
        ctx.inv.chain.family === 'cardano'
          ? 'cardano block producers sign locally: remove signer:'
          : 'pick a signer of this chain family',
      );
      continue;
    }
    for (const [name, path] of members) {
      const client = ctx.host(name)?.client;
      if (!client || ctx.host(name)?.tier !== 'validator') continue;
      if (signer && !(SIGNER_CLIENTS_OF[signer.client] ?? []).includes(client)) {
        ctx.report(
          'tier-client-mismatch',
          path,
          `validator "${name}" runs ${client}, which cannot sign through ${signer.client}`,
          `with ${signer.client}, run ${(SIGNER_CLIENTS_OF[signer.client] ?? []).join(' or ')} on the validator hosts`,
        );
      } else if (!signer && NEEDS_SIGNER[client]) {
        ctx.report(
          'tier-client-mismatch',
          path,
          `validator "${name}" runs ${client}, which keeps no slashing protection and needs a ${NEEDS_SIGNER[client]} signer group`,
          `add signer: { client: ${NEEDS_SIGNER[client]}, threshold, hosts } to "${id}"`,
        );
      }
    }
  }
};

/**
 * `signer-threshold`, `signer-dc-quorum`, `signer-dc-availability`, and the signer's client
 * against its hosts' clients (`tier-client-mismatch`).
 */
export const checkSigners: Rule = (ctx) => {
  for (const [id, v] of Object.entries(ctx.inv.validators)) {
    const signer = v.signer;
    if (!signer) continue;
    const base = ['validators', id, 'signer'];
    const n = signer.hosts.length;
    const threshold = signer.threshold ?? n;
    const thresholdPath = signer.threshold === undefined ? base : [...base, 'threshold'];

    signer.hosts.forEach((name, i) => {
      const host = ctx.host(name);
      if (host?.tier === 'signer' && host.client && host.client !== signer.client) {
        ctx.report(
          'tier-client-mismatch',
          [...base, 'hosts', i],
          `signer host "${name}" runs ${host.client}, but the signer group of "${id}" is ${signer.client}`,
          `make the host's client ${signer.client}, or the group's client ${host.client}`,
        );
      }
    });

    if (WHOLE_KEY_SIGNERS.has(signer.client)) {
      if (n > 1 || threshold !== 1) {
        ctx.report(
          'signer-threshold',
          n > 1 ? [...base, 'hosts'] : thresholdPath,
          `${signer.client} holds the whole key on each host: ${n} host${n === 1 ? '' : 's'} with threshold ${threshold} for "${id}"`,
          `${signer.client} is not threshold signing: use one host and no threshold, or a threshold signer (${signer.client === 'tmkms' ? 'horcrux' : 'dirk'})`,
          'key',
        );
      }
      continue;
    }
    if (threshold < 1 || threshold > n || threshold * 2 <= n) {
      const why =
        threshold < 1
          ? 'below 1'
          : threshold > n
            ? `above the ${n} signer hosts`
            : `not a strict majority of ${n}: two disjoint groups could sign conflicting messages`;
      ctx.report(
        'signer-threshold',
        thresholdPath,
        `signer threshold ${threshold} of "${id}" is ${why}`,
        `use a threshold from ${Math.floor(n / 2) + 1} to ${n}`,
        'key',
      );
      continue;
    }
    const perDc = new Map<string, number>();
    for (const name of signer.hosts) {
      const dc = ctx.host(name)?.dc;
      if (dc) perDc.set(dc, (perDc.get(dc) ?? 0) + 1);
    }
    const [bigDc, most] = [...perDc.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    if (n >= 2 && most >= threshold) {
      ctx.report(
        'signer-dc-quorum',
        [...base, 'hosts'],
        `${bigDc} alone holds ${most} of the ${threshold} signatures "${id}" needs`,
        'spread the signer hosts so no datacenter holds a quorum',
        'key',
      );
    } else if (n - most < threshold) {
      ctx.report(
        'signer-dc-availability',
        [...base, 'hosts'],
        `losing ${bigDc} leaves ${n - most} signer${n - most === 1 ? '' : 's'} of "${id}", below its threshold ${threshold}`,
        'add a signer host in another datacenter, or lower the threshold (keeping a strict majority)',
        'key',
      );
    }
  }
};
