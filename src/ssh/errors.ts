import { StakeError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { SshTarget } from './types.js';
import { fingerprint, keyTypeOf, type verifyHostKey } from './known-hosts.js';
import { printable } from '../output/untrusted.js';

/** What went wrong with a host, in the order a connection meets it. */
export type SshPhase = 'connect' | 'hostkey' | 'auth' | 'exec' | 'timeout' | 'transfer' | 'record' | 'output';

const EXIT_BY_PHASE: Record<SshPhase, ExitCode> = {
  connect: EXIT.unreachable,
  timeout: EXIT.unreachable,
  hostkey: EXIT.refused, // a safety guard: never talk to a host we cannot identify
  auth: EXIT.failed,
  exec: EXIT.failed,
  transfer: EXIT.failed,
  record: EXIT.refused, // a host's record stake cannot trust: never act on it
  output: EXIT.failed,
};

/** A failure with one host, carrying the host, the phase, and the exit code it maps to. */
export class SshError extends StakeError {
  readonly host: string;
  readonly phase: SshPhase;
  /** What went wrong without the host's name, for output that already names the host. */
  readonly detail: string;
  constructor(host: string, phase: SshPhase, message: string, hint?: string, cause?: unknown) {
    super(`${host}: ${message}`, { exitCode: EXIT_BY_PHASE[phase], ...(hint ? { hint } : {}), cause });
    this.name = 'SshError';
    this.host = host;
    this.phase = phase;
    this.detail = message;
  }
}

/** A remote command that ran and failed: its exit code or signal and the end of its stderr. */
export class RemoteCommandError extends SshError {
  readonly code: number | null;
  readonly signal: string | undefined;
  readonly stderr: string;
  constructor(host: string, command: string, code: number | null, signal: string | undefined, stderr: string) {
    // the host's words, each on its own marked line: they can neither fake a line of ours nor drive the terminal
    const tail = stderr.trim().split('\n').slice(-5).map(printable).join('\n  | ');
    const how = signal ? `killed by ${signal}` : `exited ${code}`;
    super(
      host,
      'exec',
      `\`${command.length > 80 ? `${command.slice(0, 77)}...` : command}\` ${how}${tail ? `: ${tail}` : ''}`,
    );
    this.name = 'RemoteCommandError';
    this.code = code;
    this.signal = signal;
    this.stderr = stderr;
  }
}

/** A record the host sent back that stake refuses to act on: forged, damaged, oversized or pointing outside the root. */
export class HostRecordError extends SshError {
  readonly problems: readonly string[];
  constructor(host: string, problems: readonly string[]) {
    super(
      host,
      'record',
      `refused what the host reported: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`,
      'the host may be compromised or damaged: inspect it before deploying to it again',
    );
    this.name = 'HostRecordError';
    this.problems = problems;
  }
}

/** The refusal for a host key that is not known_hosts' (unknown, changed or revoked). */
export function hostKeyError(target: SshTarget, key: Buffer, verdict: ReturnType<typeof verifyHostKey>): SshError {
  const where = `${target.address}:${target.port}`;
  const fp = `${keyTypeOf(key)} ${fingerprint(key)}`;
  if (verdict.status === 'revoked')
    return new SshError(
      target.name,
      'hostkey',
      `the host key of ${where} (${fp}) is REVOKED (known_hosts line ${verdict.line})`,
      'never connect to this host until its key is replaced and the new one verified',
    );
  if (verdict.status === 'changed') {
    const was = verdict.known.map((k) => `${k.type} ${k.fingerprint} (line ${k.line})`).join(', ');
    return new SshError(
      target.name,
      'hostkey',
      `the host key of ${where} CHANGED: it presents ${fp}, known_hosts has ${was}`,
      'this may be an attack; verify the new key out of band before removing the old line. stake never accepts a changed key',
    );
  }
  return new SshError(
    target.name,
    'hostkey',
    `unknown host ${where}, key ${fp}`,
    `verify the fingerprint, then trust it: stake trust ${target.name} (or --accept-new on first contact)`,
  );
}

/** An ssh2 connection failure as an SshError: refused login, timeout, or no connection. */
export function classify(target: SshTarget, err: Error & { level?: string; code?: string }): SshError {
  const message = err.message;
  if (err.level === 'client-authentication')
    return new SshError(
      target.name,
      'auth',
      `login as ${target.user} refused (${message})`,
      "check ssh.user and that the key is in the host's authorized_keys",
      err,
    );
  if (/Timed out/i.test(message))
    return new SshError(
      target.name,
      'timeout',
      `no SSH answer from ${target.address}:${target.port} in time`,
      'is the host up, and does the firewall let you in?',
      err,
    );
  return new SshError(
    target.name,
    'connect',
    `cannot connect to ${target.address}:${target.port}: ${message}`,
    'is the host up and sshd running?',
    err,
  );
}

/** A command that sent more output than stake reads from a host. */
export function outputOverflow(host: string, command: string, limit: number): SshError {
  const shown = command.length > 80 ? `${command.slice(0, 77)}...` : command;
  return new SshError(
    host,
    'output',
    `\`${shown}\` sent more than ${limit} bytes of output; stake stopped reading it`,
    'the host may be compromised or broken: inspect it',
  );
}
