import type { CommandSpec } from '../defineCommand.js';
import { COMMAND_MODULES } from './commandModules.js';

/**
 * Every command's spec, all loaded, in the order `trove --help` lists them
 * (for the docs generator and the tests). The CLI itself does not import this
 * file: cli/main.ts loads only the command it runs, through COMMAND_MODULES.
 */
export const COMMANDS: readonly CommandSpec<any>[] = await Promise.all(COMMAND_MODULES.map((m) => m.load()));
