/**
 * Running a failover: the steps in order, each journalled before and after; a failure before
 * the bump rolls back to the old host, a failure after it stops and says how to resume; an
 * interruption between steps leaves the journal and the lock for `--resume`.
 */
import { EXIT, type ExitCode } from '../exit-codes.js';
import { StakeError } from '../errors.js';
import { writeJournal, type Journal, type StepRecord } from './journal.js';
import { POINT_OF_NO_RETURN, STEPS, type StepName } from './plan.js';
import type { StepContext } from './context.js';
import { rollback, STEP_RUNNERS } from './steps.js';

export type FailoverEvent =
  | { event: 'step'; step: StepName; phase: 'start' | 'done' | 'failed'; detail?: string; ms?: number; hint?: string }
  | { event: 'rollback'; phase: 'start' | 'done' | 'failed'; detail?: string; hint?: string }
  | { event: 'note'; text: string }
  | { event: 'end'; result: 'done' | 'rolled-back' | 'stopped' | 'interrupted'; exitCode: ExitCode; resume?: string };

export interface RunOptions {
  journalPath: string;
  emit(e: FailoverEvent): void;
  /** True once Ctrl-C was pressed: the run stops at the next step boundary. */
  interrupted(): boolean;
}

const now = () => new Date().toISOString();
const exitOf = (err: unknown): ExitCode => (err instanceof StakeError ? err.exitCode : EXIT.failed);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The command that continues this failover. */
export const resumeLine = (journal: Journal) =>
  `stake failover --resume ${journal.plan.identity} -i ${journal.inventory}`;

export async function runFailover(context: StepContext, options: RunOptions): Promise<ExitCode> {
  const { journal } = context;
  const save = () => writeJournal(options.journalPath, journal);
  const ctx: StepContext = { ...context, checkpoint: save };
  const end = (result: 'done' | 'rolled-back' | 'stopped' | 'interrupted', exitCode: ExitCode): ExitCode => {
    options.emit({
      event: 'end',
      result,
      exitCode,
      ...(result === 'stopped' || result === 'interrupted' ? { resume: resumeLine(journal) } : {}),
    });
    return exitCode;
  };

  if (journal.direction === 'rollback') return runRollback(ctx, options, save, end, EXIT.failed);

  for (const name of STEPS) {
    let record = journal.steps.find((s) => s.name === name);
    if (record?.ended) continue;
    if (options.interrupted()) {
      save();
      return end('interrupted', EXIT.interrupted);
    }
    await ctx.hook?.('before', name);
    if (!record) {
      record = { name };
      journal.steps.push(record);
    }
    record.started = now();
    delete record.error;
    save();
    options.emit({ event: 'step', step: name, phase: 'start' });
    const t0 = Date.now();
    try {
      record.detail = await STEP_RUNNERS[name](ctx);
    } catch (err) {
      record.error = messageOf(err);
      const hint = err instanceof StakeError ? err.hint : undefined;
      options.emit({ event: 'step', step: name, phase: 'failed', detail: record.error, ...(hint ? { hint } : {}) });
      if (name === 'lock') {
        // nothing was ever held: the failover did not start
        journal.state = 'rolled-back';
        save();
        return end('rolled-back', exitOf(err));
      }
      if (STEPS.indexOf(name) < STEPS.indexOf(POINT_OF_NO_RETURN)) {
        journal.direction = 'rollback';
        save();
        return runRollback(ctx, options, save, end, exitOf(err));
      }
      save();
      return end('stopped', exitOf(err));
    }
    record.ended = now();
    record.ms = Date.now() - t0;
    save();
    options.emit({ event: 'step', step: name, phase: 'done', detail: record.detail, ms: record.ms });
    await ctx.hook?.('after', name);
  }
  journal.state = 'done';
  save();
  return end('done', EXIT.ok);
}

async function runRollback(
  ctx: StepContext,
  options: RunOptions,
  save: () => void,
  end: (r: 'rolled-back' | 'stopped', c: ExitCode) => ExitCode,
  cause: ExitCode,
): Promise<ExitCode> {
  const { journal } = ctx;
  const record: StepRecord = journal.rollback ?? { name: 'fence' };
  journal.rollback = record;
  record.started = now();
  save();
  options.emit({ event: 'rollback', phase: 'start' });
  try {
    record.detail = await rollback(ctx);
  } catch (err) {
    record.error = messageOf(err);
    save();
    options.emit({
      event: 'rollback',
      phase: 'failed',
      detail: record.error,
      ...(err instanceof StakeError && err.hint ? { hint: err.hint } : {}),
    });
    return end('stopped', exitOf(err));
  }
  record.ended = now();
  journal.state = 'rolled-back';
  save();
  options.emit({ event: 'rollback', phase: 'done', detail: record.detail });
  return end('rolled-back', cause === EXIT.ok ? EXIT.failed : cause);
}
