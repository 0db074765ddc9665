/**
 * Live progress of a rollout on a terminal, on listr2: one line per host, its current step
 * underneath, a mark when it ends. The rollout itself knows nothing of this: the command feeds
 * it the rollout's events.
 */
import { Listr, type ListrTaskWrapper, type ListrDefaultRenderer, type ListrSimpleRenderer } from 'listr2';
import { neutralize } from './untrusted.js';

type Task = ListrTaskWrapper<unknown, ListrDefaultRenderer, ListrSimpleRenderer>;

export interface Progress {
  step(host: string, detail: string): void;
  finish(host: string, outcome: 'ok' | 'skip' | 'fail', title: string): void;
  /** Ends every host still open (the rollout stopped early) and waits for the renderer. */
  close(): Promise<void>;
}

export function hostProgress(hosts: readonly string[]): Progress {
  const open = new Map<
    string,
    {
      task?: Task;
      end?: (outcome: 'ok' | 'skip' | 'fail', title: string) => void;
      early?: [outcome: 'ok' | 'skip' | 'fail', title: string];
      ended?: boolean;
    }
  >();
  for (const h of hosts) open.set(h, {});
  const list = new Listr(
    hosts.map((host) => ({
      title: host,
      task: (_ctx: unknown, task: Task) =>
        new Promise<void>((resolve, reject) => {
          const entry = open.get(host)!;
          entry.task = task;
          entry.end = (outcome, title) => {
            task.title = title;
            if (outcome === 'skip') task.skip(title);
            if (outcome === 'fail') reject(new Error(title));
            else resolve();
          };
          if (entry.early) entry.end(...entry.early);
        }),
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false, showErrorMessage: false } },
  );
  const running = list.run().catch(() => undefined);
  return {
    step(host, detail) {
      const task = open.get(host)?.task;
      if (task) task.output = neutralize(detail);
    },
    finish(host, outcome, title) {
      const entry = open.get(host);
      if (!entry || entry.ended) return;
      entry.ended = true;
      const shown = neutralize(title);
      if (entry.end) entry.end(outcome, shown);
      else entry.early = [outcome, shown];
    },
    async close() {
      for (const [host, entry] of open) if (!entry.ended) this.finish(host, 'skip', `${host}: not reached`);
      await running;
    },
  };
}
