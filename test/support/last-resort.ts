/**
 * The last resort for what a test made outside its own process (namespaces, sshd daemons, labs):
 * taken down when the test process exits without its `after` hooks having done it, also when the
 * runner ends it with SIGTERM, SIGINT or SIGHUP (its timeout, Ctrl-C), which would otherwise end
 * the process without an 'exit' event. `after` hooks and try/finally stay the way things are
 * taken down; a cleanup registered here runs only for what they never reached. Nothing survives
 * SIGKILL: that is what `lab down` (by the pids a lab records) and the exact names are for.
 */
import { constants } from 'node:os';

const pending = new Set<() => void>();
let installed = false;

function runPending(): void {
  for (const cleanup of [...pending]) {
    pending.delete(cleanup);
    try {
      cleanup();
    } catch (err) {
      process.stderr.write(`last-resort cleanup failed: ${(err as Error).message}\n`);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runPending);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, () => process.exit(128 + constants.signals[signal])); // exit runs the cleanups
}

/**
 * Registers a synchronous cleanup to run at exit unless `done()` is called first (the thing was
 * taken down the ordinary way). Register before making the thing, so no moment is uncovered.
 */
export function atExit(cleanup: () => void): { done(): void } {
  install();
  pending.add(cleanup);
  return { done: () => pending.delete(cleanup) };
}
