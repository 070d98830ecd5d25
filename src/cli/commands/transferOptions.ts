import { InvalidArgumentError, type Command } from 'commander';
import type { Output } from '../Output.js';
import { humanBytes } from '../../util/humanBytes.js';

export function parseJobs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('JOBS must be a whole number from 1 to 256.');
  return n;
}

/**
 * Collects a repeatable option. Options take exactly one value: a variadic
 * `<rev...>` swallowed the paths after it (`push --rev HEAD~1 models/m.npz`).
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Options shared by push, fetch and pull. */
export function transferOptions(cmd: Command, revs: boolean): Command {
  cmd
    .argument('[paths...]', 'tracked paths, or files inside tracked directories (default: all)')
    .option('-r, --remote <name>', 'remote to use (default: core.remote, or the only one)')
    .option('-j, --jobs <n>', 'parallel requests', parseJobs);
  if (revs) {
    cmd
      .option('--rev <rev>', 'also what this Git revision needs (repeat for more: --rev A --rev B)', collect)
      .option('-a, --all-branches', 'also what the tip of every local branch needs')
      .option('-T, --all-tags', 'also what every tag needs');
  }
  return cmd;
}

export function selection(args: unknown[], opts: Record<string, unknown>): Record<string, unknown> {
  return {
    paths: (args[0] as string[] | undefined) ?? [],
    ...(opts.remote ? { remote: String(opts.remote) } : {}),
    ...(opts.jobs ? { jobs: opts.jobs as number } : {}),
    ...(Array.isArray(opts.rev) ? { revs: opts.rev as string[] } : {}),
    allBranches: Boolean(opts.allBranches),
    allTags: Boolean(opts.allTags),
  };
}

export function renderTransfer(out: Output, verb: string, r: { remote: string; url: string; objects: number; bytes: number; requests: number; artifacts: number }, extra = ''): void {
  if (r.objects === 0) out.line(`Everything is already ${verb === 'Pushed' ? 'on' : 'here from'} ${r.remote} (${r.artifacts} artifact(s) checked${extra}).`);
  else out.line(`${verb} ${r.objects} object(s), ${humanBytes(r.bytes)} ${verb === 'Pushed' ? 'to' : 'from'} ${r.remote} (${r.url}) in ${r.requests} request(s)${extra}.`);
}
