import { TroveError } from '../errors/index.js';
import type { EnvVarName } from './envVars.js';

/**
 * A whole-number environment variable: `fallback` when unset or empty, else a
 * USAGE error for anything that is not a whole number within [min, max]. A
 * typo must not silently become "retry forever" (NaN compares false with
 * every bound) or "wait forever".
 */
export function envInteger(env: NodeJS.ProcessEnv, name: EnvVarName, fallback: number, range: { min: number; max: number }): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = /^\s*[+]?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new TroveError('USAGE', `${name}=${JSON.stringify(raw)} is not a whole number from ${range.min} to ${range.max}.`, {
      hint: `Set it to such a number (default ${fallback}), or unset it: unset ${name}.`,
      data: { variable: name, value: raw, min: range.min, max: range.max },
    });
  }
  return n;
}
