#!/usr/bin/env node
import { hookFastPath } from './hookFastPath.js';

const argv = process.argv.slice(2);
// Git runs `trove hook NAME -- ARGS` on every checkout, merge, commit and push:
// that exact form skips loading the argument parser and every other command.
const hook = hookFastPath(argv);
if (hook) {
  const [{ runSpec }, { hookCommand }] = await Promise.all([import('./runCommand.js'), import('./commands/hookCommand.js')]);
  process.exitCode = await runSpec(hookCommand, {}, [hook.name, hook.args], {}, argv);
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(argv);
}
