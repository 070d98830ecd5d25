import type { Context } from 'hono';
import { TroveError } from '../errors/index.js';
import type { Repo } from '../workspace/Repo.js';

/** What every route module gets: the opened repository and the two helpers every route needs. */
export interface UiContext {
  readonly repo: Repo;
  /** trove's version, as `trove --version` prints it */
  readonly version: string;
  /**
   * A repository path from the browser, checked BEFORE anything reads it:
   * relative, no `..`, not into `.git`/`.trove`, and its real path (symlinked
   * parents included) inside the work tree. Returns the normalised
   * repository path; throws PATH_OUTSIDE (→ HTTP 400) otherwise.
   */
  repoPath(path: string | undefined | null): string;
  /** A failed request as JSON `{error:{code,message,hint}}` with the status the error's code means. */
  fail(c: Context, err: unknown): Response;
}

/**
 * HTTP status for a trove error code, so the browser tells "you asked wrong"
 * (4xx) from "trove broke" (5xx). A route may set `data.httpStatus` on an
 * error it raises (e.g. 413 for a file too large to diff in the browser).
 */
export function httpStatusOf(err: unknown): number {
  if (!(err instanceof TroveError)) return 500;
  const asked = err.data?.['httpStatus'];
  if (typeof asked === 'number' && asked >= 400 && asked < 600) return asked;
  switch (err.code) {
    case 'USAGE':
    case 'UNSAFE_PATH':
    case 'BAD_NAME':
    case 'BAD_RECORD':
    case 'BAD_POINTER':
    case 'BAD_MANIFEST':
    case 'BAD_METRICS':
    case 'BAD_PARAMS':
      return 400;
    case 'NOT_FOUND':
    case 'NOT_TRACKED':
    case 'OBJECT_MISSING':
    case 'NOT_FETCHED':
      return 404;
    case 'LOCKED':
      return 409;
    default:
      return 500;
  }
}
