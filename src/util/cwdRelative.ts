/**
 * The kernel walks every component of a path on each lstat: at a million
 * files, `/home/me/projects/x/data/d0001/f.bin` costs measurably more than
 * `data/d0001/f.bin`, the form git stats in (it runs from the top of the
 * work tree). Paths relative to the working directory are only as good as
 * that directory staying put, which a library cannot promise: code sharing
 * the process may chdir while a scan awaits. The CLI can (it never
 * changes directory), so it declares that once at start-up and the scan
 * uses the short form only then.
 */
let stable = false;

/** Called by the CLI: the process's working directory does not change from now on. */
export function declareStableCwd(): void {
  stable = true;
}

/** Tests: back to the library's default. */
export function undeclareStableCwd(): void {
  stable = false;
}

/**
 * `abs` (an absolute directory, no trailing '/') as a prefix for its
 * children's paths: relative to the working directory when that is
 * declared stable and `abs` is inside it ('' for the directory itself,
 * else 'sub/dir/'), else `abs/` unchanged.
 */
export function shortDirPrefix(abs: string): string {
  const full = abs.endsWith('/') ? abs : `${abs}/`;
  if (!stable) return full;
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    // the working directory was removed: absolute paths still work
    return full;
  }
  const base = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return full.startsWith(base) ? full.slice(base.length) : full;
}
