import type { NewBytes, NewCost } from '../stage/NewBytes.js';

interface Kept {
  readonly keys: readonly string[];
  readonly costs: readonly NewCost[];
  readonly walker: NewBytes;
  /** the whole answer, for the HEAD it was computed at (the history is HEAD's: same HEAD, same versions) */
  answer?: { readonly head: string; readonly value: unknown };
}

/**
 * What dataHistory computed, kept between calls by a long-running caller
 * (`trove ui`): per path, the versions walked (oldest first, by change and
 * content id), their costs, and the walker with its set of objects seen. The
 * answer for a list of versions is a pure function of their content ids, so
 * a kept walk is reused as long as it is a prefix of the current history: a
 * new commit costs one manifest diff, not the whole history again; a history
 * rewritten (another branch) starts over. Holds `maxPaths` paths (the least
 * recently used goes first); the walkers keep only their id sets (~100 bytes
 * per object: ~3 MB for a 20,000-file directory).
 */
export class DataHistoryCache {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly maxPaths = 16) {}

  /** The kept walk of `key` when its versions start the list `keys`; it is taken out (the caller continues it, then keeps it again). */
  resume(key: string, keys: readonly string[]): { costs: readonly NewCost[]; walker: NewBytes } | undefined {
    const k = this.kept.get(key);
    if (!k) return undefined;
    this.kept.delete(key);
    if (k.keys.length > keys.length || k.keys.some((x, i) => x !== keys[i])) return undefined;
    return { costs: k.costs, walker: k.walker };
  }

  /** The answer kept for `key` at commit `head`, if any: a repeated request then costs one rev-parse instead of a git log. */
  answer<T>(key: string, head: string): T | undefined {
    const a = this.kept.get(key)?.answer;
    return a && a.head === head ? (a.value as T) : undefined;
  }

  keep(key: string, keys: readonly string[], costs: readonly NewCost[], walker: NewBytes, answer?: { head: string; value: unknown }): void {
    walker.releasePages();
    this.kept.delete(key);
    this.kept.set(key, { keys: [...keys], costs: [...costs], walker, ...(answer ? { answer } : {}) });
    while (this.kept.size > this.maxPaths) this.kept.delete(this.kept.keys().next().value!);
  }
}
