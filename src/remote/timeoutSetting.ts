import { TroveError } from '../errors/index.js';

/**
 * A remote's `timeout_ms`: how long a connection may stay silent before the
 * request is abandoned and retried. It bounds stalls, not transfers: a slow
 * but moving upload never hits it.
 */
export function timeoutSetting(remote: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new TroveError('CONFIG', `remotes.${remote}.timeout_ms must be a positive whole number of milliseconds.`, { hint: 'Edit .trove/config.yaml (or config.local.yaml).' });
  return n;
}
