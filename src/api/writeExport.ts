import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TroveError, fromFsError } from '../errors/index.js';
import { reservedName } from '../core/repoPath.js';
import { atomicWrite } from '../util/atomicWrite.js';
import { mkdirp } from '../util/mkdirp.js';

export interface ExportWritten {
  /** the path as the user gave it */
  readonly path: string;
  /** absolute path written */
  readonly absolute: string;
  readonly bytes: number;
}

/**
 * Write an export (`trove metrics -o FILE`) atomically: temp file beside the
 * target, then rename, so a reader never sees half a CSV. `output` is relative
 * to `cwd`. The user named the file, so a path outside the repository is
 * written and an existing regular file is replaced (as `ml-git metrics
 * --export-path` does), but:
 * - nothing inside the repository's `.git` or `.trove` (UNSAFE_PATH), also
 *   when reached through a symlinked parent directory: those are Git's and
 *   trove's own files;
 * - no symlink at the target (USAGE): the rename would replace the link
 *   itself, not write where it points, which is what neither its owner nor
 *   the user expects; the hint names the real path to give instead;
 * - no directory at the target (USAGE).
 */
export async function writeExport(where: { root: string; cwd: string }, output: string, data: string): Promise<ExportWritten> {
  if (output === '') throw new TroveError('USAGE', 'The output path is empty.', { hint: 'Example: trove metrics NAME --format csv -o metrics.csv' });
  const abs = resolve(where.cwd, output);
  refuseReserved(where.root, abs, output);
  let st: ReturnType<typeof lstatSync> | undefined;
  try {
    st = lstatSync(abs);
  } catch {
    // nothing (we can stat) at the output: a new file, whose write reports its own errors
    st = undefined;
  }
  if (st?.isSymbolicLink()) {
    let real = '';
    try {
      real = realpathSync(abs);
    } catch {
      /* a dangling link */
    }
    throw new TroveError('USAGE', `${output} is a symbolic link; trove writes an export only to a real file.`, {
      hint: real ? `Give the file it points to: -o ${real}` : 'Remove the link or choose another output path.',
      data: { path: output },
    });
  }
  if (st?.isDirectory()) throw new TroveError('USAGE', `${output} is a directory.`, { hint: `Name a file, e.g. -o ${join(output, 'metrics.csv')}`, data: { path: output } });
  const bytes = Buffer.from(data, 'utf8');
  try {
    mkdirp(dirname(abs));
    await atomicWrite(abs, bytes);
  } catch (err) {
    throw fromFsError(err, 'writing', output);
  }
  return { path: output, absolute: abs, bytes: bytes.length };
}

/**
 * Refuse a target inside the repository's .git or .trove, judged on the path
 * as written and on the real path of its deepest existing ancestor (a
 * symlinked parent such as `out -> .git/hooks` leads there too).
 */
function refuseReserved(root: string, abs: string, shown: string): void {
  const realRoot = safeRealpath(root) ?? root;
  for (const [base, target] of [
    [root, abs],
    [realRoot, realTarget(abs)],
  ] as const) {
    const rel = relative(base, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    const hit = rel.split(sep).map(reservedName).find((r) => r !== undefined);
    if (hit) {
      throw new TroveError('UNSAFE_PATH', `Refusing to write ${shown}: it is inside the repository's ${hit}, which ${hit === '.git' ? 'Git' : 'trove'} manages itself.`, {
        hint: 'Choose a path outside .git and .trove, e.g. -o metrics.csv',
        data: { path: shown, reserved: hit },
      });
    }
  }
}

/** The real path of `abs`: its deepest existing ancestor resolved, the rest appended. */
function realTarget(abs: string): string {
  const rest: string[] = [];
  let dir = abs;
  while (!existsSync(dir) && dirname(dir) !== dir) {
    rest.unshift(basename(dir));
    dir = dirname(dir);
  }
  // The target itself may be a link (refused later with its own message); resolve from its parent.
  if (dir === abs) {
    rest.unshift(basename(abs));
    dir = dirname(abs);
  }
  return join(safeRealpath(dir) ?? dir, ...rest);
}

function safeRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    // not resolvable (not there yet): the caller uses the path as given
    return undefined;
  }
}
