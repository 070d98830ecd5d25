/** Where a command's results and messages go; stdout is results only. */
export interface Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly color: boolean;
  /** a result line on stdout (text mode) */
  line(text: string): void;
  /** a message on stderr (suppressed by -q) */
  info(text: string): void;
  warn(text: string): void;
}

export function createOutput(opts: { json: boolean; quiet: boolean }, env: NodeJS.ProcessEnv = process.env): Output {
  const color = !opts.json && (env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : !env.NO_COLOR && process.stdout.isTTY === true);
  return {
    json: opts.json,
    quiet: opts.quiet,
    color,
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
