/** A cell of a table shown to people: text, a number, or nothing. */
export type TableCell = string | number | null;

/**
 * An aligned plain-text table (`trove metrics` on a terminal): columns two
 * spaces apart, numeric columns (header included) right-aligned so the digits line up, empty cells
 * shown as "-", no trailing spaces. Width is measured in code points (names
 * and tags are ASCII by rule; a metric string may not be).
 *
 * @example
 *   formatTextTable({ columns: ['Tag', 'accuracy'], rows: [['m@v1.0.0', 0.97]] })
 *   // 'Tag       accuracy\nm@v1.0.0      0.97\n'
 */
export function formatTextTable(table: { readonly columns: readonly string[]; readonly rows: readonly (readonly TableCell[])[] }): string {
  const text = (c: TableCell | undefined): string => (c === null || c === undefined || c === '' ? '-' : String(c));
  // Code points only when there is something beyond ASCII: spreading every cell of a 1,000-row table cost ~10 ms.
  const width = (s: string): number => (/^[\x00-\x7f]*$/.test(s) ? s.length : [...s].length);
  const widths = table.columns.map((h, i) => Math.max(width(h), ...table.rows.map((r) => width(text(r[i])))));
  // A column is right-aligned when every non-empty cell in it is a number.
  const numeric = table.columns.map((_, i) => table.rows.some((r) => typeof r[i] === 'number') && table.rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - width(c));
        return numeric[i] ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(table.columns), ...table.rows.map((r) => line(table.columns.map((_, i) => text(r[i]))))].join('\n') + '\n';
}
