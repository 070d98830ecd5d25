import { TroveError } from '../errors/index.js';
import { parseRunFilter, type RunFilter } from './expQuery.js';

/**
 * The web UI's filter box: several `trove exp ls --filter` terms in one line,
 * ANDed, e.g. `lr>0.01 status=stopped` or `learning_rate >= 0.001 user = "ada b"`.
 * Spaces may surround the operator; a value with spaces is quoted. Each term
 * is parsed by parseRunFilter, so the box and `exp ls` read a term the same way.
 */

// KEY OP VALUE, VALUE quoted or up to the next space.
const TERM_RE = /\s*([^\s=!<>"']+)\s*(==|=|!=|<=|>=|<|>)\s*("[^"]*"|'[^']*'|[^\s"']+)/y;

/** Every term of `text` (empty or blank: none); USAGE with data.at (the offset) where it cannot be read. */
export function parseRunFilterText(text: string): RunFilter[] {
  const out: RunFilter[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TERM_RE.lastIndex = pos;
    const m = TERM_RE.exec(text);
    if (!m) {
      const at = pos + (text.slice(pos).length - text.slice(pos).trimStart().length);
      const rest = text.slice(at).split(/\s/)[0];
      throw new TroveError('USAGE', `Cannot read the filter at "${rest}": each term is KEY OP VALUE with OP one of = != < <= > >=.`, {
        hint: 'e.g. learning_rate>0.001 status=stopped   (quote a value with spaces: user="ada b")',
        data: { filter: text, at, reason: 'bad-filter' },
      });
    }
    out.push(parseRunFilter(`${m[1]}${m[2]}${m[3]}`));
    pos = TERM_RE.lastIndex;
  }
  return out;
}
