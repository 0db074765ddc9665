/**
 * Diagnostics: user-facing findings, collected rather than thrown (Terraform's tfdiags), so
 * that `stake validate` reports every problem of a file at once.
 */

export type Severity = 'error' | 'warning';

/** A 1-based position in a source file. */
export interface Location {
  file: string;
  line: number;
  column: number;
}

export interface Diagnostic {
  /** Stable id: a rule id of the spec (`double-active`) or a load/schema id (`schema/unknown-key`). */
  id: string;
  severity: Severity;
  /** One line saying what is wrong, naming the thing. */
  summary: string;
  /** One line saying how to fix it. */
  hint?: string;
  location: Location;
}

export const hasErrors = (diags: readonly Diagnostic[]): boolean => diags.some((d) => d.severity === 'error');

/** `--strict`: every warning becomes an error. */
export function promoteWarnings(diags: readonly Diagnostic[]): Diagnostic[] {
  return diags.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' } : d));
}

/** Findings in file order, errors before warnings on the same line. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort(
    (a, b) =>
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.id.localeCompare(b.id),
  );
}
