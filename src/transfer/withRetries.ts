import { TroveError } from '../errors/index.js';
import { envInteger } from '../util/envInteger.js';

export interface RetryPolicy {
  /** attempts after the first */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Defaults sized for flaky links: 6 retries spread over about a minute.
 * TROVE_RETRIES changes the count and TROVE_RETRY_BASE_MS the first wait (the
 * fault tests shorten it); a value that is not a whole number in range is a
 * USAGE error, since NaN would compare false with the count and retry forever.
 */
export function defaultRetryPolicy(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  return {
    retries: envInteger(env, 'TROVE_RETRIES', 6, { min: 0, max: 100 }),
    baseDelayMs: envInteger(env, 'TROVE_RETRY_BASE_MS', 250, { min: 0, max: 60_000 }),
    maxDelayMs: 20_000,
  };
}

const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/** Is this failure worth another attempt? Auth, permission, space and missing keys are not. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TroveError) return err.retryable;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && TRANSIENT_ERRNO.has(code);
}

/**
 * Run `fn` until it succeeds, retrying transient failures with exponential
 * backoff and full jitter (AWS's recommendation: spreads clients that failed
 * together), or exactly the server's Retry-After when it sent one.
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, onRetry?: (err: unknown, attempt: number, delayMs: number) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.retries || !isRetryable(err)) throw err;
      const retryAfter = err instanceof TroveError ? Number(err.data?.retryAfterMs) : NaN;
      const delay = Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter, 60_000) : Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      onRetry?.(err, attempt + 1, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
