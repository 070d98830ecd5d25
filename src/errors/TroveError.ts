/** Every error code, at run time: docs/exit-codes.md is generated from and checked against this list. */
export const ERROR_CODES = [
  'USAGE',
  'CONFIG',
  'NOT_A_GIT_REPO',
  'NOT_INITIALIZED',
  'LOCKED',
  'AUTH',
  'PARTIAL_TRANSFER',
  'NOT_FOUND',
  'OBJECT_MISSING',
  'CORRUPT_OBJECT',
  'BAD_POINTER',
  'BAD_MANIFEST',
  'UNSAFE_PATH',
  'NOT_TRACKED',
  'ALREADY_TRACKED',
  'DIRTY',
  'NOT_FETCHED',
  'IO',
  'NO_SPACE',
  'PERMISSION',
  'GIT',
  'REMOTE',
  'CANCELLED',
  'NEWER_FORMAT',
  'INTERNAL',
  // registry (issue 14)
  'BAD_NAME',
  'VERSION_EXISTS',
  'MUTABILITY',
  'SAMPLED',
  'BAD_RECORD',
  'BAD_METRICS',
  'PROMOTE_INCOMPLETE',
  // params and metrics files (issue 15)
  'BAD_PARAMS',
] as const;

/**
 * The one error type the library throws. `code` is stable and is what callers
 * and tests match on (never the message text); `hint` is the next command the
 * user should type; `data` is structured and serialisable (it goes into --json).
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface TroveErrorOptions {
  hint?: string;
  cause?: unknown;
  data?: Record<string, unknown>;
  retryable?: boolean;
}

export class TroveError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly data?: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: TroveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TroveError';
    this.code = code;
    this.hint = options.hint;
    this.data = options.data;
    this.retryable = options.retryable ?? false;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint ?? null, data: this.data ?? null };
  }
}

export function isTroveError(err: unknown, code?: ErrorCode): err is TroveError {
  return err instanceof TroveError && (code === undefined || err.code === code);
}
