/** `stake protection conformance|merge`: the EIP-3076 module for operators who move keys by hand. */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { basename } from 'node:path';
import { StakeError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { runConformance } from '../chain/eip3076-conformance.js';
import { InterchangeError, mergeInterchanges } from '../chain/eip3076.js';
import type { Terminal } from '../output/terminal.js';

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StakeError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { exitCode: EXIT.usage });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StakeError(`${file} is not JSON: ${(err as Error).message}`, { exitCode: EXIT.usage, hint: 'give an EIP-3076 interchange file (or a test file of the official suite)' });
  }
}

export async function protectionConformance(options: { files: string[] }, term: Terminal): Promise<ExitCode> {
  const results = options.files.map((file) => ({ file, ...runConformance(readJson(file)) }));
  const failed = results.filter((r) => !r.passed).length;
  if (term.options.json) term.document({ results, passed: results.length - failed, failed });
  else {
    for (const r of results) {
      term.print(r.passed ? `${term.style.green('pass')}  ${basename(r.file)}` : `${term.style.red('FAIL')}  ${basename(r.file)}`);
      for (const f of r.failures) term.print(term.style.dim(`      ${f}`));
    }
    term.print(`${results.length - failed} passed, ${failed} failed`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}

export async function protectionMerge(options: { files: string[]; out?: string }, term: Terminal): Promise<ExitCode> {
  let merged;
  try {
    merged = mergeInterchanges(options.files.map(readJson));
  } catch (err) {
    if (err instanceof InterchangeError) throw new StakeError(`cannot merge: ${err.message}`, { exitCode: EXIT.refused, hint: 'every file must be an EIP-3076 version 5 interchange of the same chain (genesis validators root)' });
    throw err;
  }
  const text = `${JSON.stringify(merged, null, 2)}\n`;
  if (!options.out) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  writeFileSync(`${options.out}.tmp`, text, { mode: 0o600 });
  renameSync(`${options.out}.tmp`, options.out);
  term.note(`merged ${options.files.length} interchange files (${merged.data.length} keys) into ${options.out}`);
  return EXIT.ok;
}
