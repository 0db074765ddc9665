/**
 * One identity's part of the status report: its live host and generation from the quorum's
 * records, the last signed height (the chain's word where there is an observer, else the live
 * client's metric), and the alarms: a signer where it must not be, double signs, silence.
 */
import { decideGeneration, parseGenerationRecord, quorumOf, type GenerationVerdict } from '../quorum/generation.js';
import { liveActive } from '../quorum/live.js';
import { signerTier } from './signer-report.js';
import type { ResolvedIdentity } from '../inventory/resolve.js';
import type { readingOf } from './metrics.js';
import { isAnswer, type IdentityStatus, type StatusInput } from './report.js';
import { activeStateFile } from './witness-copy.js';
import { parseOpcert } from '../chain/cardano-opcert.js';

/** Why a cardano pool without a recent block is no alarm. */
const BLIND =
  "a pool forges only in its leader slots, which only its VRF key knows, so the chain cannot tell a missed slot (the node's own forge metrics can)";

/** cardano: the live active host's operational certificate, as status read it. */
function certificateText(input: StatusInput, host: string, identity: string): string | undefined {
  const path = activeStateFile('cardano');
  const a = input.answers.get(host);
  return path && isAnswer(a) ? a.probes[identity]?.files[path] : undefined;
}

/**
 * cardano: a block of the pool under a counter above the live active host's certificate means a
 * newer certificate exists that stake did not place: whoever issued it holds the cold key.
 */
export function newerCertificateAlarm(
  identity: string,
  onChain: number | undefined,
  certificate: string | undefined,
): string | undefined {
  if (onChain === undefined || certificate === undefined) return undefined;
  let issued: number;
  try {
    issued = parseOpcert(certificate).counter;
  } catch {
    return undefined; // an unreadable certificate is the key check's finding, not this one
  }
  return onChain > issued
    ? `the chain shows a block of ${identity} under operational certificate counter ${onChain}, above the live active host's certificate (${issued}): someone else holds the cold key and issued a newer certificate, or a newer one was placed without stake`
    : undefined;
}

/** The live generation from the quorum hosts that answered, as deploy and failover decide it. */
export function verdictOf(input: StatusInput, id: ResolvedIdentity): GenerationVerdict {
  const answers = quorumOf(id).flatMap((h) => {
    const a = input.answers.get(h.name);
    return isAnswer(a) && a.probes[id.name]
      ? [{ host: h.name, record: parseGenerationRecord(a.probes[id.name]!.generation) }]
      : [];
  });
  return decideGeneration(id, answers);
}

export function identityStatus(
  input: StatusInput,
  id: ResolvedIdentity,
  readings: ReadonlyMap<string, ReturnType<typeof readingOf>>,
  stall: number,
): IdentityStatus {
  const alarms: string[] = [];
  const warnings: string[] = [];
  const verdict = verdictOf(input, id);
  const liveOne = liveActive(verdict, id);
  const live = liveOne?.host;
  const generation = liveOne?.recorded ? liveOne.generation : undefined;
  if (verdict.kind === 'unknown') alarms.push(`live active host unknown: ${verdict.why}`);
  if (verdict.kind === 'stale')
    warnings.push(
      `the inventory names ${verdict.inventoryActive} active, the live record says ${verdict.record.active}: pull the inventory`,
    );
  if (verdict.kind === 'first') warnings.push('no generation record yet: never deployed');

  // A host other than the live one with the key in place and its signing service running.
  const rogueSigners: string[] = [];
  for (const h of [id.active, ...id.standby]) {
    if (h.name === live) continue;
    const a = input.answers.get(h.name);
    if (!isAnswer(a)) continue;
    const probe = a.probes[id.name];
    const keyed = probe && input.keys.some((k) => probe.keys[k.name] === 'active' || probe.keys[k.name] === 'both');
    const running = (input.signing.get(h.name) ?? []).some((s) => a.facts.services[s] === 'active');
    if (keyed && running) rogueSigners.push(h.name);
  }

  let lastSigned: number | undefined;
  let lastSigner: string | undefined;
  let signedSource: IdentityStatus['signedSource'];
  let missed: IdentityStatus['missed'];
  const equivocations: IdentityStatus['equivocations'] = [];
  const chain = input.chain?.reading;
  const summary = chain?.identity(id.name);
  if (chain && summary) {
    if (summary.lastHeight !== undefined) {
      lastSigned = summary.lastHeight;
      // the chain names the key; the host is the live one unless a second one runs it (alarmed above)
      if (live && rogueSigners.length === 0) lastSigner = live;
      signedSource = 'chain';
    }
    if (summary.window) missed = { heights: summary.missed, from: summary.window.from, to: summary.window.to };
    for (const e of summary.equivocations)
      equivocations.push({
        height: e.height,
        ...(e.round ? { round: e.round } : {}),
        what: e.what,
        sources: e.sources,
      });
    for (const f of summary.flags) alarms.push(`the chain shows ${id.name} ${f}`);
    const alarm = live
      ? newerCertificateAlarm(id.name, summary.opcertCounter, certificateText(input, live, id.name))
      : undefined;
    if (alarm) alarms.push(alarm);
  } else if (live) {
    const r = readings.get(live);
    if (r?.lastSigned !== undefined) {
      lastSigned = r.lastSigned;
      lastSigner = live;
      signedSource = 'client';
    }
  }
  for (const h of rogueSigners)
    alarms.push(
      `${h} is running a signer but ${live ?? 'another host'} is the live active host: TWO SIGNERS, stop it now (stake failover docs: fence)`,
    );
  for (const e of equivocations)
    alarms.push(
      `DOUBLE SIGN at height ${e.height}${e.round ? ` round ${e.round}` : ''}: ${e.what} (seen by ${e.sources.join(', ')})`,
    );

  // Not signing: the chain (or the best height any host shows) moved on without a signature.
  const head = chain?.head ?? Math.max(0, ...[...readings.values()].map((r) => r.height ?? 0));
  // Where the chain cannot show a miss (cardano: only the pool's VRF key knows its leader slots)
  // the same finding is a warning that says so, not an alarm.
  const blind = chain?.showsMisses === false;
  const notSigning = blind ? (w: string) => warnings.push(`${w}; ${BLIND}`) : (a: string) => alarms.push(a);
  if (live && verdict.kind !== 'first') {
    if (lastSigned === undefined) {
      if ((chain && summary) || readings.get(live)?.lastSigned !== undefined)
        notSigning(
          blind
            ? `no block of ${id.name} seen since stake began reading (live active ${live})`
            : `not signing: no signature seen (live active ${live})`,
        );
    } else if (head - lastSigned > stall)
      notSigning(
        `${blind ? 'no block' : 'not signing'}: last ${blind ? 'block' : 'signature'} at ${lastSigned}, ${head - lastSigned} heights ago (live active ${live})`,
      );
  }
  const tier = signerTier(input, id, live, lastSigned);
  alarms.push(...tier.alarms);
  return {
    identity: id.name,
    ...(tier.signers.length ? { signers: tier.signers } : {}),
    ...(live ? { live } : {}),
    ...(generation !== undefined ? { generation } : {}),
    verdict: verdict.kind,
    ...(lastSigned !== undefined ? { lastSigned } : {}),
    ...(lastSigner ? { lastSigner } : {}),
    ...(signedSource ? { signedSource } : {}),
    rogueSigners,
    doubleSigns: equivocations.length,
    equivocations,
    ...(missed ? { missed } : {}),
    alarms,
    warnings,
  };
}
