import { MAX_APPROVAL_VALIDITY_MS, policyDuration } from '../policy.js';
import type { Rule } from './context.js';

/** `client-diversity`: a bug in one consensus client must not take down every beacon. */
export const checkClientDiversity: Rule = (ctx) => {
  const beacons = Object.entries(ctx.inv.hosts).filter(([, h]) => h.tier === 'beacon' && h.client);
  const clients = new Set(beacons.map(([, h]) => h.client));
  if (beacons.length >= 2 && clients.size === 1) {
    const [first] = beacons[0]!;
    ctx.report(
      'client-diversity',
      ['hosts', first, 'client'],
      `all ${beacons.length} beacon hosts run ${[...clients][0]}`,
      'run a second consensus client on some beacons: a bug in one client then cannot stop every validator',
    );
  }
};

/** The part of a key line that identifies the key: type and blob, not the comment. */
const keyIdentity = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');

/** `operators-two-person`: a failover needs two people, so two distinct keys must exist. */
export const checkOperators: Rule = (ctx) => {
  const operators = ctx.inv.operators ?? {};
  const distinct = new Set(Object.values(operators).map((o) => keyIdentity(o.key)));
  for (const [id, v] of Object.entries(ctx.inv.validators)) {
    if ((v.standby ?? []).length === 0 || distinct.size >= 2) continue;
    const path = ctx.inv.operators ? ['operators'] : ['validators', id, 'standby'];
    ctx.report(
      'operators-two-person',
      path,
      `identity "${id}" can fail over, but ${distinct.size} operator key${distinct.size === 1 ? '' : 's'} exist${distinct.size === 1 ? 's' : ''}; a failover needs two people`,
      'add operators: two people, each with their own OpenSSH public key',
      'key',
    );
    return; // one finding says it for every identity
  }
};

/** `operator-key`: the key's blob is base64 and starts with the type its line names. */
export const checkOperatorKeys: Rule = (ctx) => {
  for (const [name, op] of Object.entries(ctx.inv.operators ?? {})) {
    const [type, blob = ''] = op.key.trim().split(/\s+/);
    if (!decodesAs(blob, type ?? '')) {
      ctx.report(
        'operator-key',
        ['operators', name, 'key'],
        `the key of operator "${name}" is not a whole ${type} public key`,
        `paste the full line of ${name}'s .pub file (ssh-keygen -y -f KEY prints it)`,
      );
    }
  }
};

function decodesAs(blob: string, type: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return false;
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < 4) return false;
  const length = bytes.readUInt32BE(0);
  return bytes.subarray(4, 4 + length).toString('latin1') === type && bytes.length > 4 + length;
}

/** `client-source-pin`: a binary deploy installs must be pinned, or nothing checks what runs. */
export const checkClientPins: Rule = (ctx) => {
  for (const [name, c] of Object.entries(ctx.inv.clients ?? {})) {
    if (c.source !== undefined && c.sha256 === undefined) {
      ctx.report(
        'client-source-pin',
        ['clients', name, 'source'],
        `client "${name}" is installed from ${c.source} with no pinned sha256`,
        `add sha256: (sha256sum of the binary you verified) next to source`,
        'key',
      );
    }
  }
};

/** `approval-validity-policy`: a policy may lower the longest approval validity, never raise it. */
export const checkApprovalPolicy: Rule = (ctx) => {
  const text = ctx.inv.policy?.max_approval_validity;
  const ms = text === undefined ? undefined : policyDuration(text);
  if (ms === undefined || ms <= MAX_APPROVAL_VALIDITY_MS) return;
  ctx.report(
    'approval-validity-policy',
    ['policy', 'max_approval_validity'],
    `policy.max_approval_validity is ${text}, longer than stake allows any approval to live (24h)`,
    'set 24h or less (e.g. 4h); a policy can only make approvals shorter-lived',
  );
};
