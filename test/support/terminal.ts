/**
 * Runs bin/stake on a real pseudo-terminal (util-linux `script`) and answers each prompt when it
 * appears, as a person would: never typed ahead on a guess of how long the prompt takes.
 */
import { spawn } from 'node:child_process';
import { STAKE } from './helpers.js';

/** The answer may use what the output said so far (the plan code); `env` is added to this process's. */
export function onTerminal(
  args: string[],
  cwd: string,
  answers: { when: RegExp; say: (output: string) => string }[],
  timeoutMs = 60_000,
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; output: string }> {
  const command = [STAKE, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', STAKE_DEBUG: '', ...env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let next = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      const answer = answers[next];
      if (answer && answer.when.test(output.slice(output.lastIndexOf('\n', output.length - 2) + 1))) {
        next++;
        child.stdin.write(`${answer.say(output)}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
