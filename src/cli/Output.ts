import { posix } from 'node:path';

/** Where a command's results and messages go; stdout is results only. */
export interface Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly color: boolean;
  /**
   * A repository path as the user should see it in text: relative to where
   * they stand (git's rule), e.g. `../models/m.pt` from `data/`. --json keeps
   * repository paths.
   */
  path(repoPath: string): string;
  /** a result line on stdout (text mode) */
  line(text: string): void;
  /**
   * Result text on stdout from a stream (a listing of 1,000,000 files):
   * `format(item)` for each item as it comes, written in writes of ~64 KiB,
   * never held whole. Resolves when all is written.
   */
  stream<T>(items: AsyncIterable<T> | Iterable<T>, format: (item: T) => string): Promise<void>;
  /** a message on stderr (suppressed by -q) */
  info(text: string): void;
  warn(text: string): void;
}

/** `prefix`: the current directory relative to the work tree's root ('' at the root or outside a repository). */
export function createOutput(opts: { json: boolean; quiet: boolean; prefix?: string }, env: NodeJS.ProcessEnv = process.env): Output {
  const prefix = opts.prefix ?? '';
  const color = !opts.json && (env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : !env.NO_COLOR && process.stdout.isTTY === true);
  return {
    json: opts.json,
    quiet: opts.quiet,
    color,
    path: (repoPath) => (prefix === '' ? repoPath : posix.relative(prefix, repoPath) || '.'),
    line: (text) => void process.stdout.write(text + '\n'),
    stream: (items, format) => writeStream(process.stdout, items, format),
    info: (text) => {
      if (!opts.quiet && !opts.json) process.stderr.write(text + '\n');
    },
    warn: (text) => void process.stderr.write(`${opts.json ? '' : 'warning: '}${text}\n`),
  };
}

/**
 * One write per line cost 1.5 s per 1,000,000 lines to a file (a system call
 * each); in ~64 KiB writes, 0.07 s.
 */
const STREAM_CHUNK = 64 * 1024;

async function writeStream<T>(to: NodeJS.WriteStream, items: AsyncIterable<T> | Iterable<T>, format: (item: T) => string): Promise<void> {
  let pending = '';
  for await (const item of items) {
    pending += format(item);
    if (pending.length >= STREAM_CHUNK) {
      await written(to, pending);
      pending = '';
    }
  }
  if (pending) await written(to, pending);
}

/**
 * Write and wait for the stream to take more (a pipe that is not
 * synchronous), then for the event loop's next turn: a reader that went away
 * (`trove ls data | head`) is an EPIPE error event, and bin.ts's handler of
 * it ends the process there rather than after the whole listing.
 */
function written(to: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (to.write(text)) setImmediate(resolve);
    else to.once('drain', () => setImmediate(resolve));
  });
}

const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export function paint(out: Output, color: keyof typeof CODES, text: string): string {
  return out.color ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}
