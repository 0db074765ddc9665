/**
 * `stake status`: the on-call view of the whole deployment, one screen. `--watch` keeps the SSH
 * connections open and redraws in place every few seconds; `--json` prints the report (one
 * document, or one per line when watching).
 */
import { EXIT, type ExitCode } from '../exit-codes.js';
import { openSession } from '../ssh/session.js';
import { loadInventory } from '../inventory/load.js';
import type { Terminal } from '../output/terminal.js';
import { gatherStatus, statusContext } from '../status/collect.js';
import { formatStatus } from '../status/print.js';
import type { StatusReport } from '../status/report.js';
import { chainObserverFor } from '../observe/observer.js';
import { jsonText, neutralize } from '../output/untrusted.js';

export interface StatusOptions {
  inventory: string;
  watch: boolean;
  intervalSeconds: number;
  parallel: number;
  /** Refresh the witness's copy of each live active host's signing state (default on). */
  saveWitnessCopy: boolean;
  templates?: string;
}

/** 1 when an identity is in danger (two signers, double signs, not signing, live host unknown); 5 when only hosts are unreachable. */
export function statusExit(report: StatusReport): ExitCode {
  if (report.identities.some((i) => i.alarms.length > 0)) return EXIT.failed;
  if (report.hosts.some((h) => !h.reachable)) return EXIT.unreachable;
  return EXIT.ok;
}

export async function statusCommand(
  options: StatusOptions,
  term: Terminal,
  interrupted: Promise<void> = new Promise(() => undefined),
): Promise<ExitCode> {
  const { resolved } = await loadInventory(options.inventory);
  // A host that does not answer in a few seconds is reported as such: status must stay quick.
  const session = openSession(resolved, options.inventory, 'watch', { parallel: options.parallel });
  const ctx = statusContext(options.inventory, resolved, {
    templates: options.templates,
    observer: chainObserverFor(resolved, session),
  });
  const screen = !term.options.json && process.stdout.isTTY && options.watch;
  let stop = false;
  void interrupted.then(() => {
    stop = true;
  });
  try {
    let code: ExitCode = EXIT.ok;
    do {
      const { report, tookMs } = await gatherStatus(ctx, session, { saveWitnessCopy: options.saveWitnessCopy });
      code = statusExit(report);
      if (term.options.json) {
        if (options.watch) process.stdout.write(`${jsonText({ ...report, tookMs })}\n`);
        else term.document({ ...report, tookMs });
      } else {
        const text = formatStatus(report, term.style, tookMs);
        // home and clear, then the frame: the screen is redrawn in place, never scrolled
        if (screen)
          process.stdout.write(
            `\x1b[H\x1b[2J${neutralize(text)}\n${term.style.dim(`every ${options.intervalSeconds} s · Ctrl-C to stop`)}\n`,
          );
        else term.print(options.watch ? `${text}\n` : text);
      }
      if (!options.watch) break;
      // --watch's refresh interval is the behaviour asked for, not a wait for something to happen
      await Promise.race([new Promise((r) => setTimeout(r, options.intervalSeconds * 1000)), interrupted]);
    } while (!stop);
    return options.watch ? EXIT.ok : code;
  } finally {
    await session.close();
  }
}
