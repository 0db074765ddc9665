/**
 * One failover round with a fault at a step boundary, for the failover lab tests: the fault
 * (./faults.ts) kills stake or cuts a host's SSH there, the host is healed, --resume runs until
 * the failover ended, and the round ends with the identity signing on the live host, zero double
 * signs and the validators redeployed.
 */
import assert from 'node:assert/strict';
import type { FailoverLab } from './failover-lab.js';
import { STAKE } from './helpers.js';

const STAKE_CLI = `'${process.execPath}' '${STAKE}'`;

/** A fault at a step boundary, and how the test recovers from it. */
export type Fault = 'kill' | 'cut-old' | 'cut-witness' | 'cut-target';

export async function faultRound(lab: FailoverLab, fault: Fault, boundary: string): Promise<string> {
  const from = lab.live().active;
  const to = lab.other();
  const host = { kill: '', 'cut-old': from, 'cut-witness': lab.witness, 'cut-target': to }[fault];
  const action = fault === 'kill' ? 'kill' : `run:${STAKE_CLI} lab cut ${host} --dir ${lab.dir} >/dev/null`;
  const first = lab.failover(to, `${boundary}=${action}`);
  const log = [`${fault} at ${boundary}: exit ${first.code}`];
  if (host) lab.ok(lab.stake(['lab', 'heal', host, '--dir', lab.dir]), `heal ${host}`);
  for (let i = 0; i < 3 && lab.journalState() === 'running'; i++) {
    const r = lab.resume();
    log.push(`resume: exit ${r.code}`);
  }
  assert.notEqual(lab.journalState(), 'running', `the failover ended (${log.join('; ')})`);
  const live = lab.live().active;
  assert.ok(live === to || live === from);
  await lab.signingOn(live);
  assert.equal(lab.chain().doubleSigns, 0, log.join('; '));
  lab.revive();
  return `${log.join('; ')} -> signing on ${live}`;
}
