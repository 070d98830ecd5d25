/**
 * What a chart drew, for the browser tests (`window.__troveCharts[id]`): the
 * brief's contract, so a test checks the data behind the pixels.
 */
export function exposeChart(id: string, data: unknown): void {
  const w = window as unknown as { __troveCharts?: Record<string, unknown> };
  (w.__troveCharts ??= {})[id] = data;
}
