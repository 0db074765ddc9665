/**
 * The output layer: the only code that writes to stdout and stderr. Two voices: human
 * (chalk colours when the terminal takes them) and `--json` (one document on stdout, no
 * colour, nothing else on stdout). Whatever a host or an inventory put into the text, nothing
 * but our own colours and line breaks reaches the terminal as a control character.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { jsonText, neutralize } from './untrusted.js';

export interface OutputOptions {
  json: boolean;
  /** false for --no-color, NO_COLOR, --json, or a stream that is not a terminal. */
  color: boolean;
  verbose: number;
}

export interface Terminal {
  readonly options: OutputOptions;
  readonly style: ChalkInstance;
  /** Human text to stdout (suppressed under --json). */
  print(text: string): void;
  /** Notes and errors for people, to stderr (also under --json: stdout stays one document). */
  note(text: string): void;
  /** The one JSON document of a --json run. */
  document(value: unknown): void;
  /** One event of a long --json run (deploy): a JSON object per line, for machines to follow. */
  event(value: Record<string, unknown>): void;
}

export function colorWanted(
  flag: boolean | undefined,
  json: boolean,
  stream: NodeJS.WriteStream = process.stdout,
): boolean {
  if (json || flag === false) return false;
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

/** Text as written: anything but our colours and line breaks made visible (./untrusted.ts), and one final newline. */
const lineOf = (text: string) => {
  const safe = neutralize(text);
  return safe.endsWith('\n') ? safe : `${safe}\n`;
};

export function makeTerminal(options: OutputOptions): Terminal {
  const style = new Chalk({ level: options.color ? 1 : 0 });
  return {
    options,
    style,
    print: (text) => {
      if (!options.json) process.stdout.write(lineOf(text));
    },
    note: (text) => process.stderr.write(lineOf(text)),
    document: (value) => process.stdout.write(`${jsonText(value, 2)}\n`),
    event: (value) => {
      if (options.json) process.stdout.write(`${jsonText({ time: new Date().toISOString(), ...value })}\n`);
    },
  };
}
