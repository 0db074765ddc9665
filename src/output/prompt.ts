/**
 * Asking for a secret on the terminal without echoing it. No terminal: no answer (callers then
 * say which variable to set instead). The answer is never logged.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

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
