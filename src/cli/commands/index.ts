import type { CommandSpec } from '../defineCommand.js';
import { addCommand } from './addCommand.js';
import { checkoutCommand } from './checkoutCommand.js';
import { diffCommand } from './diffCommand.js';
import { fsckCommand } from './fsckCommand.js';
import { gcCommand } from './gcCommand.js';
import { initCommand } from './initCommand.js';
import { lsCommand } from './lsCommand.js';
import { mvCommand } from './mvCommand.js';
import { rmCommand } from './rmCommand.js';
import { statusCommand } from './statusCommand.js';
import { remoteCommand } from './remoteCommand.js';
import { pushCommand } from './pushCommand.js';
import { fetchCommand } from './fetchCommand.js';
import { pullCommand } from './pullCommand.js';
import { mergeDriverCommand } from './mergeDriverCommand.js';
import { installCommand } from './installCommand.js';
import { uninstallCommand } from './uninstallCommand.js';
import { hookCommand } from './hookCommand.js';
import { logCommand } from './logCommand.js';
import { showCommand } from './showCommand.js';
import { getCommand } from './getCommand.js';
import { importCommand } from './importCommand.js';
import { updateCommand } from './updateCommand.js';
import { versionCommand } from './versionCommand.js';
import { savedCommand } from './savedCommand.js';
import { lineageCommand } from './lineageCommand.js';
import { metricsCommand } from './metricsCommand.js';
import { promoteCommand } from './promoteCommand.js';
import { registryCommand } from './registryCommand.js';
import { deprecateCommand } from './deprecateCommand.js';
import { createCommand } from './createCommand.js';
import { unlockCommand } from './unlockCommand.js';
import { expCommand } from './expCommand.js';
import { paramsCommand } from './paramsCommand.js';
import { uiCommand } from './uiCommand.js';

/** Every command, in the order `trove --help` lists them (one per line, so branches adding commands merge cleanly). */
export const COMMANDS: readonly CommandSpec<any>[] = [
  initCommand,
  addCommand,
  statusCommand,
  checkoutCommand,
  savedCommand,
  diffCommand,
  logCommand,
  showCommand,
  lsCommand,
  mvCommand,
  rmCommand,
  gcCommand,
  fsckCommand,
  remoteCommand,
  pushCommand,
  fetchCommand,
  pullCommand,
  getCommand,
  importCommand,
  updateCommand,
  installCommand,
  uninstallCommand,
  hookCommand,
  mergeDriverCommand,
  versionCommand,
  lineageCommand,
  metricsCommand,
  createCommand,
  unlockCommand,
  promoteCommand,
  registryCommand,
  deprecateCommand,
  expCommand,
  paramsCommand,
  uiCommand,
];
