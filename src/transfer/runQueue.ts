import { TroveError } from '../errors/index.js';

export interface QueueFailure<T> {
  readonly item: T;
  readonly error: unknown;
}

/** Errors that doom every other item too: stop scheduling and surface this one. */
const FATAL = new Set(['AUTH', 'PERMISSION', 'NO_SPACE', 'NEWER_FORMAT', 'CANCELLED']);

/**
 * Run `work` over `items` with at most `jobs` in flight. One item's failure
 * does not stop the others (they are collected and returned) unless it is
 * fatal for all of them, then the queue drains and that error is thrown.
 */
export async function runQueue<T>(items: readonly T[], jobs: number, work: (item: T) => Promise<void>): Promise<QueueFailure<T>[]> {
  const failed: QueueFailure<T>[] = [];
  let fatal: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (fatal === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        if (error instanceof TroveError && FATAL.has(error.code)) fatal ??= error;
        else failed.push({ item, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  if (fatal !== undefined) throw fatal;
  return failed;
}
