/** `stake protection conformance|merge`: the EIP-3076 module for operators who move keys by hand. */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { basename } from 'node:path';
import { StakeError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { runConformance } from '../chain/eip3076-conformance.js';
import { InterchangeError, mergeInterchanges, SlashingProtection } from '../chain/eip3076.js';
import type { Terminal } from '../output/terminal.js';
import { jsonText } from '../output/untrusted.js';

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StakeError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      exitCode: EXIT.usage,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StakeError(`${file} is not JSON: ${(err as Error).message}`, {
      exitCode: EXIT.usage,
      hint: 'give an EIP-3076 interchange file (or a test file of the official suite)',
    });
  }
}

export async function protectionConformance(options: { files: string[] }, term: Terminal): Promise<ExitCode> {
  const results = options.files.map((file) => ({ file, ...runConformance(readJson(file)) }));
  const failed = results.filter((r) => !r.passed).length;
  if (term.options.json) term.document({ results, passed: results.length - failed, failed });
  else {
    for (const r of results) {
      term.print(
        r.passed
          ? `${term.style.green('pass')}  ${basename(r.file)}`
          : `${term.style.red('FAIL')}  ${basename(r.file)}`,
      );
      for (const f of r.failures) term.print(term.style.dim(`      ${f}`));
    }
    term.print(`${results.length - failed} passed, ${failed} failed`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}

/**
 * The files to merge or export, with the one --out would replace when it exists: its history is
 * part of what is written, never dropped (a file that is not an interchange of the same chain refuses).
 */
const withExisting = (files: string[], out?: string) =>
  out && existsSync(out) && !files.includes(out) ? [...files, out] : files;

export async function protectionMerge(options: { files: string[]; out?: string }, term: Terminal): Promise<ExitCode> {
  let merged;
  const files = withExisting(options.files, options.out);
  try {
    merged = mergeInterchanges(files.map(readJson));
  } catch (err) {
    if (err instanceof InterchangeError)
      throw new StakeError(`cannot merge: ${err.message}`, {
        exitCode: EXIT.refused,
        hint: `every file${files.length > options.files.length ? `, and ${options.out} which --out would replace,` : ''} must be an EIP-3076 version 5 interchange of the same chain (genesis validators root)`,
      });
    throw err;
  }
  const text = `${jsonText(merged, 2)}\n`;
  if (!options.out) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  writeFileSync(`${options.out}.tmp`, text, { mode: 0o600 });
  renameSync(`${options.out}.tmp`, options.out);
  term.note(
    `merged ${options.files.length} interchange files${files.length > options.files.length ? ` and the history already in ${options.out}` : ''} (${merged.data.length} keys) into ${options.out}`,
  );
  return EXIT.ok;
}

export interface CheckOptions {
  files: string[];
  pubkey: string;
  block?: string;
  attestation?: string;
  signingRoot?: string;
}

const decimal = (what: string, text: string) => {
  if (!/^\d+$/.test(text))
    throw new StakeError(`${what} must be a decimal number, not ${JSON.stringify(text)}`, { exitCode: EXIT.usage });
  return BigInt(text);
};

/** Imports the files (one chain) into one protection database. */
function importAll(files: string[]): SlashingProtection {
  const documents = files.map(readJson);
  try {
    const merged = mergeInterchanges(documents);
    const protection = new SlashingProtection(merged.metadata.genesis_validators_root);
    protection.import(merged);
    return protection;
  } catch (err) {
    if (err instanceof InterchangeError)
      throw new StakeError(`cannot import: ${err.message}`, {
        exitCode: EXIT.refused,
        hint: 'every file must be an EIP-3076 version 5 interchange of the same chain',
      });
    throw err;
  }
}

/** `stake protection check`: would this block or attestation be slashable given the files' history? Exit 0 safe, 4 slashable. */
export async function protectionCheck(options: CheckOptions, term: Terminal): Promise<ExitCode> {
  if (Boolean(options.block) === Boolean(options.attestation))
    throw new StakeError('give one of --block SLOT or --attestation SOURCE:TARGET', { exitCode: EXIT.usage });
  const protection = importAll(options.files);
  let what: string;
  let verdict;
  if (options.block) {
    what = `a block at slot ${options.block}`;
    verdict = protection.checkBlock(options.pubkey, decimal('--block', options.block), options.signingRoot);
  } else {
    const [source = '', target = ''] = options.attestation!.split(':');
    what = `an attestation from epoch ${source} to ${target}`;
    verdict = protection.checkAttestation(
      options.pubkey,
      decimal('source epoch', source),
      decimal('target epoch', target),
      options.signingRoot,
    );
  }
  if (term.options.json)
    term.document({ pubkey: options.pubkey, what, safe: verdict.ok, ...(verdict.ok ? {} : { why: verdict.why }) });
  else
    term.print(
      verdict.ok
        ? term.style.green(`safe: ${what} by ${options.pubkey.slice(0, 12)}… is not slashable given this history`)
        : term.style.red(`SLASHABLE: ${what}: ${verdict.why}`),
    );
  return verdict.ok ? EXIT.ok : EXIT.refused;
}

/** `stake protection export`: the files' history as one interchange, complete or minimal. */
export async function protectionExport(
  options: { files: string[]; form: 'complete' | 'minimal'; out?: string },
  term: Terminal,
): Promise<ExitCode> {
  const text = `${jsonText(importAll(withExisting(options.files, options.out)).export(options.form), 2)}\n`;
  if (!options.out) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  writeFileSync(`${options.out}.tmp`, text, { mode: 0o600 });
  renameSync(`${options.out}.tmp`, options.out);
  term.note(`exported the ${options.form} form to ${options.out}`);
  return EXIT.ok;
}
