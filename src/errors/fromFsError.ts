import { TroveError } from './TroveError.js';

/**
 * Turn a Node fs error into a TroveError that names what we were doing.
 * Disk-full and permission errors get their own codes and hints because they
 * are the ones a user can fix; everything else is IO.
 */
export function fromFsError(err: unknown, doing: string, path: string): TroveError {
  if (err instanceof TroveError) return err;
  // A structural type, not NodeJS.ErrnoException: errors/ is also type-checked for the web UI, without Node types.
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new TroveError('NO_SPACE', `No space left on the device while ${doing} ${path}.`, {
      hint: 'Free some disk space (trove gc removes unreferenced objects), then run the command again.',
      cause: err,
      data: { path },
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new TroveError('PERMISSION', `Permission denied while ${doing} ${path}.`, {
      hint: 'Check the permissions of that path (ls -l), fix them, then run the command again.',
      cause: err,
      data: { path },
    });
  }
  return new TroveError('IO', `I/O error (${code ?? 'unknown'}) while ${doing} ${path}.`, {
    cause: err,
    data: { path, errno: code ?? null },
  });
}
