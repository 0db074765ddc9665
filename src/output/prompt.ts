/**
 * Asking for a secret on the terminal without echoing it. No terminal: no answer (callers then
 * say which variable to set instead). The answer is never logged.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { neutralize } from './untrusted.js';

export function askSecret(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return Promise.resolve(undefined);
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true; // everything typed after the question stays off the screen
  });
}

/**
 * Questions answered in the open on the terminal, one readline for the whole conversation (two
 * readlines on one stdin lose what the first had buffered). Answers come back trimmed; undefined
 * when the input ends.
 */
export function openPrompt(): { ask(question: string): Promise<string | undefined>; close(): void } {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let ended = false;
  rl.on('line', (line) => (waiting.length ? waiting.shift()!(line) : lines.push(line)));
  rl.on('close', () => {
    ended = true;
    while (waiting.length) waiting.shift()!(undefined);
  });
  return {
    ask(question) {
      process.stderr.write(neutralize(question));
      if (lines.length) return Promise.resolve(lines.shift());
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => rl.close(),
  };
}
