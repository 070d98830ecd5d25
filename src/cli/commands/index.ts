import type { CommandSpec } from '../defineCommand.js';
import { addCommand } from './addCommand.js';
import { initCommand } from './initCommand.js';

/** Every command, in the order `trove --help` lists them. */
export const COMMANDS: readonly CommandSpec<any>[] = [initCommand, addCommand];
