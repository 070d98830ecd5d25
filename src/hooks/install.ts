import { checkOptions } from '../api/checkOptions.js';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { HOOK_NAMES, hookCallLine, preCommitConfigLines, renderHookScript } from '../core/hookScript.js';
import { loadConfig } from '../platform/config.js';
import { createGit, findWorkTree, type Git } from '../platform/git.js';
import { addMergeAttribute, removeMergeAttribute } from '../platform/gitAttributes.js';
import { gitCommonDir, gitConfigGet, gitPath } from '../platform/gitPaths.js';
import { installHookFile, uninstallHookFile, type HookInstallOutcome, type HookUninstallOutcome } from '../platform/hookFiles.js';
import { detectHookManager, type HookManager } from '../platform/hookManagers.js';

/** The merge driver for pointer files (`trove merge-driver BASE OURS THEIRS PATH`, result in OURS). */
export const MERGE_DRIVER = 'trove merge-driver %O %A %B %P';
export const MERGE_DRIVER_NAME = 'trove pointer merge';

export interface InstallOptions {
  /** a directory inside the repository (local install) */
  readonly cwd?: string;
  /**
   * for every repository cloned or created from now on: the hooks go into
   * Git's template directory (init.templateDir, set to a trove-owned one when
   * unset) or into a global core.hooksPath, and the merge driver into the
   * global Git config
   */
  readonly global?: boolean;
  /** install even where husky or the pre-commit framework manages the hooks */
  readonly force?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export interface HookManagerAdvice extends HookManager {
  /** what to add, file by file, instead of trove's own hook files */
  readonly add: { readonly file: string; readonly lines: string[] }[];
  /** a command to run after adding them, if any */
  readonly then?: string;
}

export interface InstallResult {
  readonly scope: 'local' | 'global';
  /** local only: the work tree */
  readonly root?: string;
  /** where the hook scripts are (or would be) */
  readonly hooksDir: string;
  readonly hooks: HookInstallOutcome[];
  /** set when husky or the pre-commit framework owns the hooks: nothing was written there */
  readonly manager: HookManagerAdvice | null;
  readonly mergeDriver: { readonly action: 'configured' | 'unchanged' | 'skipped'; readonly reason?: string };
  /** local only */
  readonly gitattributes: { readonly path: string; readonly action: 'added' | 'unchanged'; readonly staged: boolean } | null;
  /** global only: Git's template directory, when the hooks went there */
  readonly templateDir?: string;
}

export interface UninstallResult {
  readonly scope: 'local' | 'global';
  /** local only: the work tree */
  readonly root?: string;
  readonly hooksDir: string;
  readonly hooks: HookUninstallOutcome[];
  readonly mergeDriver: { readonly action: 'removed' | 'absent' | 'skipped'; readonly reason?: string };
  readonly gitattributes: { readonly path: string; readonly action: 'removed' | 'absent' | 'kept'; readonly staged: boolean } | null;
  /** global only: init.templateDir was trove's own and has been unset */
  readonly templateDirUnset?: boolean;
}

interface Target {
  readonly git: Git;
  readonly root?: string;
  readonly hooksDir: string;
  readonly hooksPathConfig?: string;
  /** hooks that run in every repository must stay silent where trove is not used */
  readonly quiet: boolean;
  readonly templateDir?: string;
  readonly ownTemplate: boolean;
}

/**
 * Install trove's Git hooks and the pointer merge driver. Foreign hooks are
 * chained (moved to NAME.pre-trove and run first), trove's own are upgraded
 * in place, husky and the pre-commit framework get instructions instead.
 * Idempotent.
 *
 * @example
 *   const r = await install({ cwd: '/path/to/repo' });
 *   r.hooks.map((h) => `${h.name}: ${h.action}`);
 */
export async function install(options: InstallOptions = {}): Promise<InstallResult> {
  checkOptions('install', null, options, { cwd: 'string?', global: 'boolean?', force: 'boolean?', env: 'object?' });
  const t = await target(options, true);
  const scope = options.global ? 'global' : 'local';
  const manager = detectHookManager(t.root, t.hooksPathConfig, t.hooksDir);
  let hooks: HookInstallOutcome[];
  let advice: HookManagerAdvice | null = null;
  if (manager && !options.force) {
    advice = adviceFor(manager);
    hooks = HOOK_NAMES.map((name) => ({ name, action: 'skipped' as const, reason: `${manager.name} manages the hooks here (${manager.evidence})` }));
  } else {
    hooks = HOOK_NAMES.map((name) => installHookFile(t.hooksDir, name, (chain) => renderHookScript(name, { chain, quietOutsideTrove: t.quiet })));
  }
  const mergeDriver = await configureMergeDriver(t.git, options.global ? '--global' : '--local');
  let gitattributes: InstallResult['gitattributes'] = null;
  if (!options.global && t.root) {
    const action = addMergeAttribute(t.root);
    gitattributes = { path: join(t.root, '.gitattributes'), action, staged: action === 'added' && (await stage(t.git, t.root)) };
  }
  return { scope, ...(t.root ? { root: t.root } : {}), hooksDir: t.hooksDir, hooks, manager: advice, mergeDriver, gitattributes, ...(t.templateDir ? { templateDir: t.templateDir } : {}) };
}

/**
 * Undo install: remove trove's hooks and put back the ones they chained,
 * unset the merge driver and remove the .gitattributes lines install added.
 * Hooks and settings that are not trove's are left alone.
 */
export async function uninstall(options: InstallOptions = {}): Promise<UninstallResult> {
  checkOptions('uninstall', null, options, { cwd: 'string?', global: 'boolean?', force: 'boolean?', env: 'object?' });
  const t = await target(options, false);
  const hooks = HOOK_NAMES.map((name) => uninstallHookFile(t.hooksDir, name));
  const mergeDriver = await removeMergeDriver(t.git, options.global ? '--global' : '--local');
  let gitattributes: UninstallResult['gitattributes'] = null;
  if (!options.global && t.root) {
    const action = removeMergeAttribute(t.root);
    gitattributes = { path: join(t.root, '.gitattributes'), action, staged: action === 'removed' && (await stage(t.git, t.root)) };
  }
  let templateDirUnset: boolean | undefined;
  if (options.global && t.ownTemplate && t.templateDir) {
    // Our own template directory: once it holds no hook, nothing of it is worth keeping.
    templateDirUnset = isEmptyDir(t.hooksDir);
    if (templateDirUnset) {
      await t.git.run(['config', '--global', '--unset', 'init.templateDir'], { allowFail: true });
      rmSync(t.templateDir, { recursive: true, force: true });
    }
  }
  return { scope: options.global ? 'global' : 'local', ...(t.root ? { root: t.root } : {}), hooksDir: t.hooksDir, hooks, mergeDriver, gitattributes, ...(templateDirUnset !== undefined ? { templateDirUnset } : {}) };
}

async function target(options: InstallOptions, creating: boolean): Promise<Target> {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  if (!options.global) {
    const root = await findWorkTree(cwd);
    const git = createGit(root);
    const hooksDir = await gitPath(git, 'hooks');
    const hooksPathConfig = await gitConfigGet(git, 'core.hooksPath');
    // A hooks path outside this repository (one directory for all of them) runs our hooks everywhere.
    const quiet = !isInside(hooksDir, root) && !isInside(hooksDir, await gitCommonDir(git));
    return { git, root, hooksDir, ...(hooksPathConfig !== undefined ? { hooksPathConfig } : {}), quiet, ownTemplate: false };
  }
  const git = createGit(cwd);
  const home = env.HOME || homedir();
  const hooksPath = await gitConfigGet(git, 'core.hooksPath', '--global');
  if (hooksPath) return { git, hooksDir: expandHome(hooksPath, home), hooksPathConfig: hooksPath, quiet: true, ownTemplate: false };
  const own = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'trove', 'git-template');
  const configured = await gitConfigGet(git, 'init.templateDir', '--global');
  const templateDir = configured ? expandHome(configured, home) : own;
  if (!configured && creating) await git.run(['config', '--global', 'init.templateDir', own]);
  return { git, hooksDir: join(templateDir, 'hooks'), quiet: true, templateDir, ownTemplate: resolve(templateDir) === resolve(own) };
}

function adviceFor(manager: HookManager): HookManagerAdvice {
  if (manager.name === 'husky') {
    return { ...manager, add: HOOK_NAMES.map((name) => ({ file: `.husky/${name}`, lines: [hookCallLine(name)] })) };
  }
  return { ...manager, add: [{ file: '.pre-commit-config.yaml', lines: preCommitConfigLines() }], then: `pre-commit install${HOOK_NAMES.map((n) => ` -t ${n}`).join('')}` };
}

async function configureMergeDriver(git: Git, scope: '--local' | '--global'): Promise<InstallResult['mergeDriver']> {
  const current = await gitConfigGet(git, 'merge.trove.driver', scope);
  const name = await gitConfigGet(git, 'merge.trove.name', scope);
  if (current !== undefined && current !== MERGE_DRIVER) {
    if (!current.startsWith('trove merge-driver')) return { action: 'skipped', reason: `merge.trove.driver is already set to "${current}"` };
  }
  if (current === MERGE_DRIVER && name === MERGE_DRIVER_NAME) return { action: 'unchanged' };
  await git.run(['config', scope, 'merge.trove.name', MERGE_DRIVER_NAME]);
  await git.run(['config', scope, 'merge.trove.driver', MERGE_DRIVER]);
  return { action: 'configured' };
}

async function removeMergeDriver(git: Git, scope: '--local' | '--global'): Promise<UninstallResult['mergeDriver']> {
  const current = await gitConfigGet(git, 'merge.trove.driver', scope);
  if (current === undefined) return { action: 'absent' };
  if (!current.startsWith('trove merge-driver')) return { action: 'skipped', reason: `merge.trove.driver is "${current}", not trove's` };
  await git.run(['config', scope, '--unset', 'merge.trove.driver'], { allowFail: true });
  if ((await gitConfigGet(git, 'merge.trove.name', scope)) === MERGE_DRIVER_NAME) await git.run(['config', scope, '--unset', 'merge.trove.name'], { allowFail: true });
  return { action: 'removed' };
}

/** Stage .gitattributes as add stages pointers (core.autostage), in a trove repository only. */
async function stage(git: Git, root: string): Promise<boolean> {
  try {
    // install takes a Git repository, not an opened trove one (it also runs where trove init has not): no Repo.config to use, so read it here
    if (!loadConfig(join(root, '.trove')).core.autostage) return false;
  } catch {
    // not a trove repository (or its config is unreadable): leave .gitattributes unstaged, as the doc says; it was still written
    return false;
  }
  return (await git.run(['add', '--', '.gitattributes'], { allowFail: true })).code === 0;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : resolve(p);
}

function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    // unreadable: empty only if it does not exist, so a folder we cannot list is never taken for empty
    return !existsSync(dir);
  }
}
