import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_MODULES } from '../../../src/cli/commands/commandModules.js';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { commandsToLoad } from '../../../src/cli/main.js';

test('every lazily loaded command module is named as its spec names itself, once, in the help order', async () => {
  assert.equal(new Set(COMMAND_MODULES.map((m) => m.name)).size, COMMAND_MODULES.length, 'a name listed twice');
  for (const m of COMMAND_MODULES) assert.equal((await m.load()).name, m.name, `COMMAND_MODULES entry ${m.name} loads another command`);
  assert.deepEqual(COMMANDS.map((c) => c.name), COMMAND_MODULES.map((m) => m.name));
});

test('only the command a command line names is loaded; anything that needs the whole list (help, a misspelt command) loads all', () => {
  const all = COMMAND_MODULES.map((m) => m.name);
  assert.deepEqual(commandsToLoad(['status']), ['status']);
  assert.deepEqual(commandsToLoad(['--json', '-C', 'init', 'status', 'data']), ['status'], 'the value of -C is not the command');
  // `-qC init status`: -C's value hides in a bundle of short flags; both are loaded, so Commander still runs status.
  assert.deepEqual(commandsToLoad(['-qC', 'init', 'status']), ['init', 'status']);
  assert.deepEqual(commandsToLoad(['add', '--', 'status']), ['add'], 'a path after -- is never a command');
  assert.deepEqual(commandsToLoad([]), all);
  assert.deepEqual(commandsToLoad(['--help']), all);
  assert.deepEqual(commandsToLoad(['help', 'status']), all);
  assert.deepEqual(commandsToLoad(['stauts', 'add']), all, 'a misspelt command: Commander suggests among all commands');
});
