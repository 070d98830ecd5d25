import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ignore } from 'ignore';

// Loaded only when a .troveignore exists: importing `ignore` up front cost every
// status tens of milliseconds on a loaded machine, and the scan is synchronous (no import()).
let createIgnore: (() => Ignore) | undefined;
const loadIgnore = (): (() => Ignore) => (createIgnore ??= createRequire(import.meta.url)('ignore') as () => Ignore);

/** The file name, as DVC's `.dvcignore`: gitignore syntax, at the repository root or in any directory. */
export const TROVE_IGNORE = '.troveignore';

interface Level {
  /** repository path of the directory holding the .troveignore ('' = the root) */
  readonly base: string;
  readonly rules: Ignore;
}

/**
 * The .troveignore rules in force in a directory: those of the repository
 * root and of every directory down to it, deeper files deciding last (as Git
 * does with .gitignore). A repository without any .troveignore costs one
 * failed read per directory scanned, and no matching at all.
 */
export class IgnoreRules {
  private readonly byDir = new Map<string, readonly Level[]>();

  constructor(private readonly root: string) {}

  /** The levels for repository path `dir`; `present` = false when the caller's readdir saw no .troveignore there. */
  levels(dir: string, present?: boolean): readonly Level[] {
    const known = this.byDir.get(dir);
    if (known) return known;
    const parent = dir === '' ? [] : this.levels(dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '');
    const own = present === false ? undefined : read(join(this.root, dir, TROVE_IGNORE));
    const levels = own ? [...parent, { base: dir, rules: loadIgnore()().add(own) }] : parent;
    this.byDir.set(dir, levels);
    return levels;
  }

  /** Is repository path `path` (a directory when `isDir`) excluded by `levels`? */
  static ignored(levels: readonly Level[], path: string, isDir: boolean): boolean {
    let ignored = false;
    for (const level of levels) {
      const rel = level.base === '' ? path : path.slice(level.base.length + 1);
      const r = level.rules.test(isDir ? `${rel}/` : rel);
      if (r.ignored) ignored = true;
      else if (r.unignored) ignored = false;
    }
    return ignored;
  }
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // absent (or unreadable: the same as absent, as for Git)
  }
}
