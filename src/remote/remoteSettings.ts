import { TroveError } from '../errors/index.js';

/**
 * The one reader of a remote's settings (its section of config.yaml and
 * config.local.yaml), so that every backend reads a value the same way:
 *
 *   - unset, null, or a string that is empty once trimmed: the setting is absent;
 *   - strings are trimmed (YAML already trims plain scalars; a quoted value keeps
 *     no surrounding spaces either);
 *   - a number is accepted where text is wanted (`trove remote modify NAME password
 *     123456` stores the number 123456), and digits are accepted where a number is
 *     wanted (a hand-edited `port: "2222"`);
 *   - anything else is one error: CONFIG, naming the remote and the key, with a
 *     `trove remote modify` hint. Text settings never echo their value (it may be
 *     a secret); numbers and switches do.
 */
export class RemoteSettings {
  constructor(
    /** the remote's name, for messages */
    readonly remote: string,
    private readonly values: Readonly<Record<string, unknown>>,
  ) {}

  /** The value as written, for settings with a shape of their own (HTTP headers, `agent: false`). */
  raw(key: string): unknown {
    return this.values[key];
  }

  /** A text setting: trimmed, or undefined when absent. */
  string(key: string): string | undefined {
    const v = this.values[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v !== 'string') throw this.invalid(key, 'text', `a ${Array.isArray(v) ? 'list' : typeof v}`);
    const t = v.trim();
    return t === '' ? undefined : t;
  }

  /** A whole number in [min, max], or undefined when absent. */
  int(key: string, range: { min?: number; max?: number } = {}): number | undefined {
    const { min = 1, max = Number.MAX_SAFE_INTEGER } = range;
    const v = this.present(key);
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw this.invalid(key, max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`, JSON.stringify(v));
    }
    return n;
  }

  /** A duration in whole milliseconds (`timeout_ms`), at least 1, or undefined when absent. */
  durationMs(key: string): number | undefined {
    const v = this.present(key);
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw this.invalid(key, 'a positive whole number of milliseconds', JSON.stringify(v));
    return n;
  }

  /** A switch: a YAML boolean, or true/false, yes/no, on/off, 1/0 in any case; undefined when absent. */
  bool(key: string): boolean | undefined {
    const v = this.present(key);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    const t = String(v).trim().toLowerCase();
    if (TRUE.has(t)) return true;
    if (FALSE.has(t)) return false;
    throw this.invalid(key, 'true or false', JSON.stringify(v));
  }

  /** One of `allowed` (exactly as written there, after trimming), or undefined when absent. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.present(key);
    if (v === undefined) return undefined;
    const t = typeof v === 'string' ? v.trim() : v;
    if (typeof t === 'string' && (allowed as readonly string[]).includes(t)) return t as T;
    throw this.invalid(key, allowed.join(' or '), JSON.stringify(v));
  }

  /** The CONFIG error every getter throws; also for checks across settings a backend makes itself. */
  invalid(key: string, want: string, got?: string, hint?: string): TroveError {
    return new TroveError('CONFIG', `The setting ${key} of the remote "${this.remote}" must be ${want}${got === undefined ? '' : `, not ${got}`}.`, {
      hint: hint ?? `Fix it: trove remote modify ${this.remote} ${key} VALUE (or trove remote modify --unset ${this.remote} ${key}).`,
      data: { remote: this.remote, key },
    });
  }

  /** The value, or undefined when unset, null or blank. */
  private present(key: string): unknown {
    const v = this.values[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && v.trim() === '') return undefined;
    return v;
  }
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);
