import type { ErrorCode } from './TroveError.js';

/** The one exit-code table (restic keeps it in main; we keep it beside the codes so docs can cite it). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_PARTIAL = 3;
export const EXIT_NOT_A_REPO = 10;
export const EXIT_LOCKED = 11;
export const EXIT_AUTH = 12;
export const EXIT_INTERNAL = 70;
export const EXIT_CANCELLED = 130;

const TABLE: Partial<Record<ErrorCode, number>> = {
  USAGE: EXIT_USAGE,
  CONFIG: EXIT_USAGE,
  NOT_A_GIT_REPO: EXIT_NOT_A_REPO,
  NOT_INITIALIZED: EXIT_NOT_A_REPO,
  LOCKED: EXIT_LOCKED,
  AUTH: EXIT_AUTH,
  PARTIAL_TRANSFER: EXIT_PARTIAL,
  CANCELLED: EXIT_CANCELLED,
  INTERNAL: EXIT_INTERNAL,
  BAD_NAME: EXIT_USAGE,
  PROMOTE_INCOMPLETE: EXIT_PARTIAL,
};

export function exitCodeFor(code: ErrorCode): number {
  return TABLE[code] ?? EXIT_FAILURE;
}
