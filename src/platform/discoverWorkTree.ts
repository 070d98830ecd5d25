import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Environment variables that change how Git finds the repository. When any is
 * set, only Git itself can say where the work tree is.
 */
const DISCOVERY_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM'];

/**
 * The work tree containing `cwd`, found without starting Git, or undefined
 * when the answer is not certain and Git must be asked
 * (`git rev-parse --show-toplevel`, platform/git.ts findWorkTree).
 *
 * Why: every `trove status` and every hook starts by asking Git this, and a
 * Git process costs a few milliseconds of a start-up that is meant to be
 * barely slower than `node -e 0` (docs/decisions.md, "Start-up"). So the
 * common case is answered here: walking up from the real path of `cwd`, the
 * first directory holding a `.git` directory with a HEAD, owned (with its
 * `.git`) by the user running trove, on the same file system, whose config
 * names no other work tree and is not bare. Everything else (a `.git` file
 * from `git worktree` or a submodule, a repository owned by someone else,
 * which Git may refuse for dubious ownership, any discovery variable, a cwd
 * inside `.git`) goes to Git, so its answers and refusals stay Git's own.
 */
export function discoverWorkTree(cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (DISCOVERY_ENV.some((name) => env[name] !== undefined)) return undefined;
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  let start: string;
  try {
    start = realpathSync(cwd);
  } catch {
    // cwd is gone or unreadable: Git gives the precise error
    return undefined;
  }
  const device = lstatSync(start).dev;
  for (let dir = start; ; dir = dirname(dir)) {
    const found = gitDirAt(dir);
    if (found === 'none') {
      if (dirname(dir) === dir) return undefined; // the root: not in a repository, which Git reports with its own words
      if (lstatSync(dirname(dir)).dev !== device) return undefined; // Git stops at a file-system boundary
      continue;
    }
    if (found === 'ask-git') return undefined;
    const inside = relative(dir, start);
    if (inside === '.git' || inside.startsWith(`.git${sep}`)) return undefined; // Git: "must be run in a work tree"
    if (lstatSync(dir).uid !== uid || found.uid !== uid) return undefined;
    return dir;
  }
}

/** What `dir/.git` is: nothing, a directory this code can vouch for, or something only Git can judge. */
function gitDirAt(dir: string): 'none' | 'ask-git' | { uid: number } {
  const gitDir = join(dir, '.git');
  let st;
  try {
    st = lstatSync(gitDir);
  } catch (err) {
    // ENOENT/ENOTDIR: no repository here, look further up; anything else (EACCES…) is Git's to report
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'none' : 'ask-git';
  }
  if (!st.isDirectory()) return 'ask-git'; // a gitfile (worktree, submodule) or a symlink
  try {
    if (!lstatSync(join(gitDir, 'HEAD')).isFile()) return 'ask-git';
    const config = readFileSync(join(gitDir, 'config'), 'utf8');
    // core.worktree moves the work tree elsewhere; a bare repository has none
    if (/^\s*worktree\s*=/im.test(config) || /^\s*bare\s*=\s*true\b/im.test(config)) return 'ask-git';
  } catch {
    // no HEAD or no config: not a repository this code can vouch for; Git decides
    return 'ask-git';
  }
  return { uid: st.uid };
}
