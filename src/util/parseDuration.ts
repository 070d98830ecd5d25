import { TroveError } from '../errors/index.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "30m", "24h", "7d", "2w" or "0" → milliseconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/.exec(text);
  if (!m || (m[2] === '' && Number(m[1]) !== 0)) {
    throw new TroveError('USAGE', `${what} "${text}" is not a duration.`, { hint: 'Write a number with a unit: 30m, 24h, 7d, 2w (or 0).' });
  }
  return Math.round(Number(m[1]) * (m[2] ? UNITS[m[2]]! : 0));
}
