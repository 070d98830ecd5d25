import type { ExpSubcommand } from './expCommand.js';
import { expLsSubcommand } from './expLsCommand.js';
import { expShowSubcommand } from './expShowCommand.js';
import { expDiffSubcommand } from './expDiffCommand.js';
import { expCheckoutSubcommand } from './expCheckoutCommand.js';
import { expRmSubcommand } from './expRmCommand.js';
import { expGcSubcommand } from './expGcCommand.js';
import { expPromoteSubcommand } from './expPromoteCommand.js';

/** The analysis and upkeep subcommands of `trove exp` (one file each). */
export const EXP_READ_SUBCOMMANDS: readonly ExpSubcommand<any>[] = [
  expLsSubcommand,
  expShowSubcommand,
  expDiffSubcommand,
  expCheckoutSubcommand,
  expRmSubcommand,
  expGcSubcommand,
  expPromoteSubcommand,
];
