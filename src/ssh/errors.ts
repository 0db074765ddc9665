import { StakeError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

/** What went wrong with a host, in the order a connection meets it. */
export type SshPhase = 'connect' | 'hostkey' | 'auth' | 'exec' | 'timeout' | 'transfer';

const EXIT_BY_PHASE: Record<SshPhase, ExitCode> = {
  connect: EXIT.unreachable,
  timeout: EXIT.unreachable,
  hostkey: EXIT.refused, // a safety guard: never talk to a host we cannot identify
  auth: EXIT.failed,
  exec: EXIT.failed,
  transfer: EXIT.failed,
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
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
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
