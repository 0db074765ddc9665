/**
 * Approvals: an operator's OpenSSH signature (namespace `stake-failover`) over a plan's text.
 * An approval file is the signed text followed by the armored signature, so one file carries
 * both and `ssh-keygen -Y verify` checks it once they are split (docs/failover.md shows how).
 *
 * Pure: parsing, the text to sign, and the decision over verified approvals. Running
 * ssh-keygen is ./ssh-signature.ts's.
 */
import { connectionChanges, connectionsDigest } from './connections.js';
import { PLAN_FORMAT, planBody, planCode, showDuration, type FailoverPlan } from './plan.js';

export const SIGNATURE_NAMESPACE = 'stake-failover';
const BEGIN = '-----BEGIN SSH SIGNATURE-----';

/** The exact text an approval signs: the plan, who approves it, when, until when, and the code. */
export function approvalText(plan: FailoverPlan, approver: string, signed: string, expires: string): string {
  return `${[...planBody(plan), `approver: ${approver}`, `signed: ${signed}`, `expires: ${expires}`, `code: ${planCode(plan, expires)}`].join('\n')}\n`;
}

/** A signer's clock may run this far ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface ApprovalFile {
  file: string;
  /** The signed text, byte for byte. */
  text: string;
  signature: string;
  fields: Record<string, string>;
  /** The `connection:` lines, in order. */
  connections: string[];
}

export class ApprovalFormatError extends Error {}

export function parseApproval(file: string, content: string): ApprovalFile {
  const at = content.indexOf(`${BEGIN}\n`);
  if (at < 0 || (at > 0 && content[at - 1] !== '\n'))
    throw new ApprovalFormatError(`${file} holds no OpenSSH signature (no "${BEGIN}" line)`);
  const text = content.slice(0, at);
  const signature = content.slice(at);
  const fields: Record<string, string> = {};
  const connections: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z-]+): (.*)$/.exec(line);
    if (m?.[1] === 'connection') connections.push(m[2]!);
    else if (m) fields[m[1]!] = m[2]!;
  }
  const format = /^stake failover plan (v[0-9]+)\n/.exec(text)?.[1];
  if (format === undefined)
    throw new ApprovalFormatError(
      `${file} is not a stake failover approval (its text does not start with "${PLAN_FORMAT}")`,
    );
  if (`stake failover plan ${format}` !== PLAN_FORMAT)
    throw new ApprovalFormatError(
      `${file} is a plan ${format} approval, made by an older stake: it does not bind the hosts' addresses, ports, jump chains and host keys, so it is no longer accepted`,
    );
  for (const key of [
    'identity',
    'from',
    'to',
    'live-generation',
    'connections-digest',
    'approver',
    'signed',
    'expires',
    'code',
  ]) {
    if (!fields[key]) throw new ApprovalFormatError(`${file} has no "${key}:" line`);
  }
  return { file, text, signature, fields, connections };
}

/** An approval whose signature ssh-keygen checked: `signer` is the operator whose key made it, or undefined when no operator's did. */
export interface VerifiedApproval {
  approval: ApprovalFile;
  signer: string | undefined;
}

export type ApprovalVerdict = { ok: true; approvers: string[] } | { ok: false; why: string; hint: string };

/**
 * Two approvals by two distinct operators, each signed by that operator's key, each over this
 * plan at this live generation and these connections, none expired, none valid for longer than
 * `maxValidityMs` after it was signed. The first problem found is the answer.
 */
export function judgeApprovals(
  plan: FailoverPlan,
  approvals: readonly VerifiedApproval[],
  now: Date,
  maxValidityMs: number,
): ApprovalVerdict {
  const again = `make new approvals: stake failover approve ${plan.identity} --to ${plan.to} --as OPERATOR (each operator), then run with both`;
  if (approvals.length < 2) {
    return {
      ok: false,
      why: `a failover needs two approvals by two distinct operators; ${approvals.length === 0 ? 'none was' : 'only one was'} given`,
      hint: `the second operator runs: stake failover approve ${plan.identity} --to ${plan.to} --as NAME -o FILE; pass both with --approval`,
    };
  }
  const body = planBody(plan);
  for (const { approval, signer } of approvals) {
    const f = approval.fields;
    const claimed = f.approver!;
    if (signer === undefined)
      return {
        ok: false,
        why: `${approval.file}: the signature is not valid, or was made by a key that is not an operator's key in the inventory (approver "${claimed}")`,
        hint: 'sign with a key listed under operators, or have the inventory updated through review',
      };
    if (signer !== claimed)
      return {
        ok: false,
        why: `${approval.file}: says approver ${claimed} but was signed with ${signer}'s key`,
        hint: 'each operator signs their own approval with their own key',
      };
    const theirs = approval.text.split('\n').slice(0, body.length);
    if (Number(f['live-generation']) < plan.generation && f.identity === plan.identity) {
      return {
        ok: false,
        why: `${approval.file}: approved at generation ${f['live-generation']}, but ${plan.identity} is now at generation ${plan.generation}: someone failed over since`,
        hint: `${again}; check stake status first`,
      };
    }
    const changed = connectionChanges(approval.connections, plan.connections);
    if (changed.length || f['connections-digest'] !== connectionsDigest(plan.connections))
      return {
        ok: false,
        why: `${approval.file}: the hosts it approved are not reached the same way any more: ${changed.join('; ') || 'the connections digest differs'}`,
        hint: `if the change is intended, ${again}; if not, restore the inventory and known_hosts (git diff) first`,
      };
    if (theirs.join('\n') !== body.join('\n')) {
      const diff = theirs
        .map((line, i) => (line === body[i] ? undefined : `"${line}" where this plan has "${body[i]}"`))
        .filter(Boolean)[0];
      return { ok: false, why: `${approval.file}: signs another plan (${diff ?? 'different text'})`, hint: again };
    }
    const expires = Date.parse(f.expires!);
    const signed = Date.parse(f.signed!);
    if (!Number.isFinite(expires) || expires <= now.getTime())
      return { ok: false, why: `${approval.file}: the plan expired at ${f.expires}`, hint: again };
    if (!Number.isFinite(signed) || signed > now.getTime() + CLOCK_SKEW_MS)
      return {
        ok: false,
        why: `${approval.file}: signed at ${f.signed}, which is not a time in the past`,
        hint: again,
      };
    // bounded from its signing time and from now: a backdated signing time gains nothing
    if (expires - signed > maxValidityMs || expires - now.getTime() > maxValidityMs)
      return {
        ok: false,
        why: `${approval.file}: valid until ${f.expires}, longer than approvals may live (${showDuration(maxValidityMs)} after signing)`,
        hint: `${again} with --valid-for ${showDuration(maxValidityMs)} or less`,
      };
    if (f.code !== planCode(plan, f.expires!))
      return { ok: false, why: `${approval.file}: its code ${f.code} is not this plan's`, hint: again };
  }
  const approvers = approvals.map((a) => a.signer!);
  if (new Set(approvers).size < approvers.length) {
    return {
      ok: false,
      why: `both approvals are by ${approvers[0]}: a failover needs two distinct operators`,
      hint: 'a second operator approves with their own key',
    };
  }
  return { ok: true, approvers };
}
