/**
 * JSON that keeps NaN and ±Infinity: in memory they are plain numbers; on disk
 * and on the wire they are `{"$float": "NaN" | "Infinity" | "-Infinity"}`
 * (docs/formats.md, "Experiments"), because a NaN loss is news and plain JSON
 * would turn it into null.
 */

const FLOAT_NAMES = new Set(['NaN', 'Infinity', '-Infinity']);

/** Replace NaN/±Infinity anywhere in `value` by {"$float": …} (a deep copy; plain JSON values only). */
export function encodeFloats(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    return { $float: Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' };
  }
  if (Array.isArray(value)) return value.map(encodeFloats);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeFloats(v);
    return out;
  }
  return value;
}

/** The inverse of encodeFloats: {"$float": "NaN"} (exactly that one key, one of the three names) becomes the number. */
export function decodeFloats(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeFloats);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const f = (value as Record<string, unknown>).$float;
    if (keys.length === 1 && typeof f === 'string' && FLOAT_NAMES.has(f)) return Number(f);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeFloats(v);
    return out;
  }
  return value;
}

/** JSON.stringify with NaN/±Infinity kept as {"$float"}. */
export function stringifyJson(value: unknown, indent?: number): string {
  return JSON.stringify(encodeFloats(value), null, indent);
}

/** JSON.parse with {"$float"} turned back into numbers. */
export function parseJson(text: string): unknown {
  return decodeFloats(JSON.parse(text));
}
