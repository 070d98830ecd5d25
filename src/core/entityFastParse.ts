/**
 * The parsed document of an entity declaration written in exactly the layout
 * serializeEntityRecord writes (seven `key: value` lines, in order), or null
 * for anything else, which then goes through the yaml library. The yaml
 * library costs ~2.5 ms per file: with 100 entities that was most of
 * `trove registry`'s 0.3 s budget; this reads the same files in ~0.01 ms each.
 * Values YAML would read as something other than a string (numbers,
 * booleans, null) fall back too, so both readings always agree.
 */
const KEYS = ['trove-entity', 'name', 'type', 'categories', 'path', 'mutability', 'description'] as const;
const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9._\/-]*$/;
const NOT_A_STRING = /^(?:[-+]?(?:\.?[0-9]|\.inf|\.nan)|0x|0o|(?:true|false|yes|no|on|off|null|y|n)$)/i;

export function entityDocFast(text: string): Record<string, unknown> | null {
  const lines = text.split('\n');
  if (lines.length !== KEYS.length + 1 || lines[KEYS.length] !== '') return null;
  const doc: Record<string, unknown> = {};
  for (let i = 0; i < KEYS.length; i++) {
    const key = KEYS[i]!;
    const line = lines[i]!;
    if (!line.startsWith(`${key}: `)) return null;
    const raw = line.slice(key.length + 2);
    if (key === 'trove-entity') {
      if (!/^[0-9]+$/.test(raw)) return null;
      doc[key] = Number(raw);
    } else if (key === 'categories') {
      const m = /^\[(.*)\]$/.exec(raw);
      if (!m) return null;
      const items = m[1] === '' ? [] : m[1]!.split(', ');
      if (items.some((s) => !PLAIN.test(s) || NOT_A_STRING.test(s))) return null;
      doc[key] = items;
    } else {
      const value = stringValue(raw);
      if (value === null) return null;
      doc[key] = value;
    }
  }
  return doc;
}

function stringValue(raw: string): string | null {
  if (raw.startsWith('"')) {
    // JSON strings are YAML double-quoted strings when they hold no escapes YAML reads differently.
    if (!/^"(?:[^"\\]|\\["\\nt])*"$/.test(raw)) return null;
    return JSON.parse(raw) as string;
  }
  return PLAIN.test(raw) && !NOT_A_STRING.test(raw) ? raw : null;
}
