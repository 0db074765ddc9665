import type { ChalkInstance } from 'chalk';
import type { Diagnostic } from '../diagnostics.js';

/**
 * One finding for people, compiler style:
 *
 *   error[unknown-reference] inventory.yaml:12:9
 *     host "val-fra" is in datacenter "fra9", which is not defined
 *      12 |     dc: fra9
 *         |         ^
 *     hint: did you mean "fra1"? Otherwise define "fra9" under datacenters
 */
export function formatDiagnostic(d: Diagnostic, style: ChalkInstance, sourceLines?: readonly string[]): string {
  const colour = d.severity === 'error' ? style.red.bold : style.yellow.bold;
  const { file, line, column } = d.location;
  const out = [`${colour(`${d.severity}[${d.id}]`)} ${style.bold(`${file}:${line}:${column}`)}`, `  ${d.summary}`];
  const text = sourceLines?.[line - 1];
  if (text !== undefined && text.trim() !== '' && text.length <= 200) {
    const gutter = String(line).length;
    out.push(
      style.dim(`  ${String(line)} | `) + text,
      style.dim(`  ${' '.repeat(gutter)} | `) + colour(`${' '.repeat(Math.max(0, column - 1))}^`),
    );
  }
  if (d.hint) out.push(`  ${style.cyan('hint:')} ${d.hint}`);
  return out.join('\n');
}

export function countBySeverity(diags: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diags.filter((d) => d.severity === 'error').length;
  return { errors, warnings: diags.length - errors };
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
