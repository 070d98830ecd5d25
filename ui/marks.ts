/** A performance mark, the first time only (the page's load, as the benchmark times it). */
export function markOnce(name: string): void {
  if (typeof performance !== 'undefined' && performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
