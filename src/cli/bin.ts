#!/usr/bin/env node
import { declareStableCwd } from '../util/cwdRelative.js';
import { hookFastPath } from './hookFastPath.js';

// The CLI never changes directory: the work-tree scan may stat paths relative to it (util/cwdRelative.ts).
declareStableCwd();

// `trove ls data | head`: the reader went away before the output ended. Stop quietly, as git and
// coreutils do, instead of dying with a stack trace; output is written after the work is done.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// The AWS SDK warns on Node < 22 about its releases of 2027 (trove supports Node 20). The process is
// the CLI's, so the CLI turns that warning off; the library leaves process.env to whoever embeds it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function run(argv: readonly string[]): Promise<number> {
  // Git runs `trove hook NAME -- ARGS` on every checkout, merge, commit and push:
  // that exact form skips loading the argument parser and every other command.
  const hook = hookFastPath(argv);
  if (hook) {
    const [{ runSpec }, { hookCommand }] = await Promise.all([import('./runCommand.js'), import('./commands/hookCommand.js')]);
    return runSpec(hookCommand, {}, [hook.name, hook.args], {}, argv);
  }
  const { main } = await import('./main.js');
  return main(argv);
}

// No top-level await: scripts/build-cli.mjs bundles this file as CommonJS (the form V8's code cache can serve).
// A failure to load is thrown from the promise, so Node still prints it and exits non-zero.
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
