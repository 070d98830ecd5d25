import { defineCommand } from '../defineCommand.js';
import type { HookResult } from '../../hooks/runHook.js';

/** Hooks Git feeds on stdin; for the others stdin is left alone (it may be a terminal). */
const READS_STDIN = new Set(['pre-push', 'post-rewrite']);

export const hookCommand = defineCommand<HookResult>({
  name: 'hook',
  summary: 'internal: what the Git hooks written by trove install run (see docs/hooks.md)',
  examples: [
    'trove hook post-checkout -- OLD NEW 1       # as .git/hooks/post-checkout calls it',
    'trove hook pre-commit                       # check for tracked data changed but not added',
    'TROVE_SKIP_PUSH=1 git push                  # push commits without sending their data first',
  ],
  configure: (cmd) => cmd.argument('<name>', 'pre-commit | post-checkout | post-merge | post-rewrite | pre-push').argument('[args...]', 'the arguments Git passed to the hook (after --)'),
  async run(ctx, args) {
    const name = String(args[0]);
    const hookArgs = (args[1] as string[] | undefined) ?? [];
    const { runHook } = await import('../../hooks/runHook.js');
    const stdin = READS_STDIN.has(name) && !process.stdin.isTTY ? await readStdin() : '';
    try {
      return await runHook({ cwd: ctx.cwd, name, args: hookArgs, stdin, reporter: ctx.reporter });
    } catch (err) {
      // A bug must not break checkout, merge or commit; only a push is worth stopping for it.
      if (name === 'pre-push' || !['pre-commit', 'post-checkout', 'post-merge', 'post-rewrite'].includes(name)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      return { hook: name as HookResult['hook'], action: 'failed', exit: 0, messages: [`trove: its ${name} hook failed unexpectedly (${message}); Git went on, and trove ${name === 'pre-commit' ? 'status' : 'checkout'} shows the full error`] };
    }
  },
  render(out, r) {
    for (const m of r.messages) out.info(m);
  },
  exitCode: (r) => r.exit,
});

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
