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
    info: (text) => {
      if (!opts.quiet && !opts.json) process.stderr.write(text + '\n');
    },
    warn: (text) => void process.stderr.write(`${opts.json ? '' : 'warning: '}${text}\n`),
  };
}

const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export function paint(out: Output, color: keyof typeof CODES, text: string): string {
  return out.color ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}
