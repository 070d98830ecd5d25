/**
 * Tells live pages which runs changed: while at least one listener is
 * subscribed it polls `versions()` (run id → a token that changes with the
 * run: its ref's commit, its journal's size and mtime) every `intervalMs`
 * and calls the listeners with the ids whose token changed, appeared or went.
 * With no listener there is no timer at all, and the timer is unref'd so a
 * forgotten one never keeps the process alive. Polling, not fs.watch: refs
 * may be packed, journals live under .trove/tmp, and inotify is not
 * everywhere (network file systems); one for-each-ref a second is cheap.
 */
export interface RunWatcher {
  /** Start listening; the first listener takes the baseline. Returns the unsubscribe function (idempotent). */
  subscribe(listener: (ids: string[]) => void): () => void;
  /** how many listeners there are now */
  readonly listeners: number;
  /** whether a poll is scheduled or running */
  readonly polling: boolean;
  /** stop for good (server closing): drops every listener */
  close(): void;
}

export function createRunWatcher(versions: () => Promise<Record<string, string>>, intervalMs = 1000): RunWatcher {
  const listeners = new Set<(ids: string[]) => void>();
  let last: Record<string, string> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let closed = false;

  const schedule = (): void => {
    if (closed || listeners.size === 0 || timer || running) return;
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  const tick = async (): Promise<void> => {
    timer = null;
    if (listeners.size === 0) return;
    running = true;
    try {
      const now = await versions();
      if (last !== null) {
        const changed = [...new Set([...Object.keys(last), ...Object.keys(now)])].filter((id) => last![id] !== now[id]).sort();
        if (changed.length) for (const l of [...listeners]) l(changed);
      }
      last = now;
    } catch {
      /* a failed poll (git busy, a journal mid-rename): the next one will see it */
    } finally {
      running = false;
    }
    if (listeners.size === 0) last = null; // nobody listened through this poll: the next subscriber re-baselines
    schedule();
  };

  return {
    subscribe(listener) {
      if (closed) return () => {};
      listeners.add(listener);
      if (listeners.size === 1 && !running && !timer) {
        last = null;
        running = true;
        // The baseline now, so a change in the first second is not missed.
        versions()
          .then((v) => (last = v), () => (last = null))
          .finally(() => {
            running = false;
            schedule();
          });
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearTimeout(timer);
          timer = null;
          last = null;
        }
      };
    },
    get listeners() {
      return listeners.size;
    },
    get polling() {
      return timer !== null || running;
    },
    close() {
      closed = true;
      listeners.clear();
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
