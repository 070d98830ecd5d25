/**
 * trove's library entry. The CLI is a thin layer over exactly these functions.
 *
 * @example
 *   import { openRepo, add, status, checkout } from 'trove';
 *   const repo = await openRepo({ cwd: '/path/to/repo' });
 *   await add(repo, { paths: ['data/'] });
 */
export { openRepo } from './workspace/Repo.js';
export type { Repo, OpenRepoOptions } from './workspace/Repo.js';
export { init } from './api/init.js';
export { add } from './api/add.js';
export { status } from './api/status.js';
export { checkout } from './api/checkout.js';
export { TroveError, isTroveError, exitCodeFor } from './errors/index.js';
export type { ErrorCode } from './errors/index.js';
export type { Reporter } from './core/Reporter.js';
export type { Pointer } from './core/pointer.js';
export { diff } from './api/diff.js';
export { ls } from './api/ls.js';
export { mv } from './api/mv.js';
export { rm } from './api/rm.js';
export { gc } from './api/gc.js';
export { fsck } from './api/fsck.js';
export type { AddResult } from './api/add.js';
export type { StatusResult } from './api/status.js';
export type { CheckoutOptions, CheckoutResult } from './api/checkout.js';
export type { DiffResult } from './api/diff.js';
export type { ListResult } from './api/ls.js';
export type { GcResult } from './api/gc.js';
export type { FsckResult } from './api/fsck.js';
export { install, uninstall } from './api/install.js';
export type { InstallOptions, InstallResult, UninstallResult } from './api/install.js';
export { runHook } from './api/hook.js';
export type { HookOptions, HookResult } from './api/hook.js';
