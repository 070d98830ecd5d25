import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAINED_SUFFIX, parseHookScript, type HookName } from '../core/hookScript.js';
import { fromFsError } from '../errors/index.js';
import { tempPathFor } from '../util/atomicWrite.js';

export type HookInstallAction = 'installed' | 'upgraded' | 'unchanged' | 'chained' | 'skipped';
export type HookUninstallAction = 'removed' | 'restored' | 'absent' | 'skipped';

export interface HookInstallOutcome {
  readonly name: HookName;
  readonly action: HookInstallAction;
  /** the hook that was there before, now run first by trove's (absolute path) */
  readonly chained?: string;
  readonly reason?: string;
}

export interface HookUninstallOutcome {
  readonly name: HookName;
  readonly action: HookUninstallAction;
  readonly reason?: string;
}

type Current = { kind: 'absent' } | { kind: 'trove'; text: string } | { kind: 'foreign' } | { kind: 'other'; what: string };

function inspect(path: string): Current {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    // nothing (we can stat) at the hook path: absent, so install writes it and reports if that fails
    return { kind: 'absent' };
  }
  if (st.isDirectory()) return { kind: 'other', what: 'a directory' };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // A dangling symlink or an unreadable file: somebody else's, never ours.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'foreign' };
    throw fromFsError(err, 'reading the hook', path);
  }
  return parseHookScript(text).trove ? { kind: 'trove', text } : { kind: 'foreign' };
}

/** Write an executable hook through a temp file and rename, so Git never runs half a script. */
function writeHook(path: string, text: string): void {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, text, { mode: 0o755 });
    chmodSync(tmp, 0o755); // the umask may have taken bits away
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw fromFsError(err, 'writing the hook', path);
  }
}

/**
 * Put trove's hook `name` in `dir`. A hook of ours is rewritten only when its
 * text differs (an older version, or the chain changed); a foreign hook is
 * moved aside to NAME.pre-trove and chained; nothing is ever overwritten.
 * `render(chain)` gives the script text.
 */
export function installHookFile(dir: string, name: HookName, render: (chain: boolean) => string): HookInstallOutcome {
  const path = join(dir, name);
  const aside = path + CHAINED_SUFFIX;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fromFsError(err, 'creating the hooks directory', dir);
  }
  const current = inspect(path);
  const hasAside = existsSync(aside) || isLink(aside);
  const chained = hasAside ? { chained: aside } : {};
  switch (current.kind) {
    case 'other':
      return { name, action: 'skipped', reason: `${path} is ${current.what}` };
    case 'trove': {
      const want = render(hasAside);
      if (current.text === want) return { name, action: 'unchanged', ...chained };
      writeHook(path, want);
      return { name, action: 'upgraded', ...chained };
    }
    case 'absent':
      writeHook(path, render(hasAside));
      return { name, action: 'installed', ...chained };
    case 'foreign':
      if (hasAside) return { name, action: 'skipped', reason: `both ${name} (not trove's) and ${name}${CHAINED_SUFFIX} exist; merge them by hand, then run trove install again` };
      try {
        renameSync(path, aside);
      } catch (err) {
        throw fromFsError(err, 'moving aside the hook', path);
      }
      writeHook(path, render(true));
      return { name, action: 'chained', chained: aside };
  }
}

/** Remove trove's hook `name` from `dir` and put back the one it chained, if any. Foreign hooks are left alone. */
export function uninstallHookFile(dir: string, name: HookName): HookUninstallOutcome {
  const path = join(dir, name);
  const aside = path + CHAINED_SUFFIX;
  const current = inspect(path);
  const hasAside = existsSync(aside) || isLink(aside);
  if (current.kind === 'foreign' || current.kind === 'other') {
    return { name, action: 'skipped', reason: `${path} is not trove's${hasAside ? ` (and ${name}${CHAINED_SUFFIX} is still there)` : ''}` };
  }
  try {
    if (current.kind === 'trove') rmSync(path, { force: true });
    if (hasAside) {
      renameSync(aside, path);
      return { name, action: 'restored' };
    }
  } catch (err) {
    throw fromFsError(err, 'removing the hook', path);
  }
  return { name, action: current.kind === 'trove' ? 'removed' : 'absent' };
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    // nothing (we can stat) at path: not a symlink
    return false;
  }
}
