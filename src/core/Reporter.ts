/**
 * Event sink for progress and warnings. The library never prints: the CLI
 * renders these as progress bars (stderr, TTY only) or JSON lines, tests
 * collect them, the server streams them.
 */
export interface Reporter {
  /** a long task starts; `total` in `unit`s when known */
  start(task: string, total: number | undefined, unit: 'files' | 'bytes'): void;
  /** `done` more units of the current task */
  advance(done: number): void;
  end(): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export const silentReporter: Reporter = {
  start() {},
  advance() {},
  end() {},
  warn() {},
};
