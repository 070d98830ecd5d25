import type { Repo } from '../../src/workspace/Repo.js';

/** Count the store's object reads (manifest pages) made while `run` runs: reads counted, never time. */
export async function countingReads<T>(r: Repo, run: () => Promise<T>): Promise<{ value: T; reads: number }> {
  const store = r.store as unknown as { readObject: (...a: unknown[]) => unknown };
  const original = store.readObject;
  let reads = 0;
  store.readObject = function (this: unknown, ...a: unknown[]) {
    reads++;
    return original.apply(this, a);
  };
  try {
    return { value: await run(), reads };
  } finally {
    store.readObject = original;
  }
}
