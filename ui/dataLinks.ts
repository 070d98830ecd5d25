/** Addresses of the data pages (hash routes), so every page links the same way. */

/** `#/data/<path>`, each segment encoded (a data path may hold `#`, `?` or spaces). */
export function historyHref(path: string): string {
  return `#/data/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** `#/datadiff?path=&from=&to=[&file=]` */
export function diffHref(path: string, from: string, to: string, file?: string): string {
  const q = new URLSearchParams({ path, from, to });
  if (file !== undefined) q.set('file', file);
  return `#/datadiff?${q.toString()}`;
}

/** Is this a file the server can diff row by row (by its extension, as core/csvRowDiff.ts decides)? */
export function isTable(name: string): boolean {
  return /\.(csv|tsv|tab)$/i.test(name);
}
