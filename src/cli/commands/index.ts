import type { CommandSpec } from '../defineCommand.js';
import { addCommand } from './addCommand.js';
import { checkoutCommand } from './checkoutCommand.js';
import { initCommand } from './initCommand.js';
import { statusCommand } from './statusCommand.js';

/** Every command, in the order `trove --help` lists them. */
export const COMMANDS: readonly CommandSpec<any>[] = [initCommand, addCommand, statusCommand, checkoutCommand];
