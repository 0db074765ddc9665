/**
 * One host script run as root for a step of a larger job (deploy's stage, firewall, restarts):
 * the step fails, named, with the script's own last words, unless the script exits 0; and, for
 * a script that reports a result (./script-result.ts), unless its stdout holds that result.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import type { SshConnection } from './connection.js';
import { tryResult, type ResultShape } from './script-result.js';
import { rootShell } from './shell.js';
import { printable } from '../output/untrusted.js';

/** A host script that failed in a named step of a larger job, with its own last words; the applier reports it per host. */
export class ScriptFailure<S extends string = string> extends Error {
  constructor(
    readonly step: S,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Runs a script as root and fails with the step and the script's own words unless it exits 0. */
export async function runStep<S extends string>(
  conn: SshConnection,
  host: Pick<ResolvedHost, 'ssh'>,
  step: S,
  script: string,
  timeoutMs: number,
  what: string,
): Promise<string> {
  const r = await conn.exec(rootShell(host), { stdin: script, timeoutMs });
  if (r.code !== 0) {
    const said = r.stderr.trim().split('\n').filter(Boolean).slice(-3).map(printable).join('; ');
    throw new ScriptFailure(step, `${what} failed (exit ${r.code})${said ? `: ${said}` : ''}`);
  }
  return r.stdout;
}

/** The result a script's stdout reports, for `runStep(…).then(reported(step, SHAPE))`: exit 0 without it fails the step too. */
export const reported =
  <S extends string, T>(step: S, shape: ResultShape<T>) =>
  (stdout: string): T => {
    const result = tryResult(stdout, shape);
    if (result instanceof Error) throw new ScriptFailure(step, result.message);
    return result;
  };
