import type { Diagnostic } from './diagnostics.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * A failure the user can act on. It carries the exit code it maps to, so the one top-level
 * handler in cli.ts prints it without a stack trace and exits with the documented code.
 */
export class StakeError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, options: { exitCode: ExitCode; hint?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'StakeError';
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

/** The inventory cannot be used; the diagnostics say where and why. Exit 3. */
export class InvalidInventoryError extends StakeError {
  readonly diagnostics: readonly Diagnostic[];
  /** The file's text, to show the offending lines. */
  readonly source: string;
  constructor(file: string, diagnostics: readonly Diagnostic[], source = '') {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    super(`${file} is not a valid inventory (${errors} error${errors === 1 ? '' : 's'})`, {
      exitCode: EXIT.invalidInventory,
      hint: `run 'stake validate -i ${file}' for every finding`,
    });
    this.name = 'InvalidInventoryError';
    this.diagnostics = diagnostics;
    this.source = source;
  }
}

export class UsageError extends StakeError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.usage, ...(hint ? { hint } : {}) });
    this.name = 'UsageError';
  }
}
