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
// Remotes: the same functions as trove remote / push / fetch / pull / status -r / fsck -r / gc -r.
export { remote } from './api/remote.js';
export { push } from './api/push.js';
export { fetch } from './api/fetch.js';
export { pull } from './api/pull.js';
export { remoteStatus } from './api/remoteStatus.js';
export { fsckRemote } from './api/fsck.js';
export { gcRemote } from './api/gc.js';
export type { RemoteInfo } from './api/remote.js';
export type { PushOptions, PushResult } from './api/push.js';
export type { FetchOptions, FetchResult } from './api/fetch.js';
export type { PullOptions, PullResult } from './api/pull.js';
export type { RemoteStatusResult } from './api/remoteStatus.js';
export type { RemoteFsckResult } from './api/fsck.js';
export type { RemoteGcOptions, RemoteGcResult } from './api/gc.js';
export { mergeDriver } from './api/mergeDriver.js';
export type { MergeDriverOptions, MergeDriverResult } from './api/mergeDriver.js';
export { checkoutConflict } from './api/checkoutConflict.js';
export type { ConflictCheckoutOptions, ConflictCheckoutResult, ConflictSide } from './api/checkoutConflict.js';
export { get } from './api/get.js';
export type { GetOptions, GetResult } from './api/get.js';
export { importArtifact } from './api/importArtifact.js';
export type { ImportOptions, ImportResult } from './api/importArtifact.js';
export { update } from './api/update.js';
export type { UpdateOptions, UpdateResult, UpdatedArtifact } from './api/update.js';
export type { PointerSource } from './core/pointer.js';
export { log } from './api/log.js';
export { show } from './api/show.js';
export type { LogEntry, LogOptions, LogResult } from './api/log.js';
export type { ShowResult } from './api/show.js';
export type { RecoverOptions } from './api/checkout.js';
export { install, uninstall } from './api/install.js';
export type { InstallOptions, InstallResult, UninstallResult } from './api/install.js';
export { runHook } from './api/hook.js';
export type { HookOptions, HookResult } from './api/hook.js';
