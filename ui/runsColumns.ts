import { numberOf } from '../src/core/expQuery.js';
import type { RunsResponse, RunsRow } from '../src/server/types/runsTypes.js';

/**
 * The runs table's columns: a few fixed ones, then one per param and two per
 * metric (best, last). Keys are stable strings so the chooser, the sort and
 * the CSV export speak of the same thing: `params.lr`, `best.loss`, `last.loss`.
 */
export interface RunColumn {
  readonly key: string;
  readonly label: string;
  readonly title: string;
  readonly group: 'run' | 'param' | 'metric';
  readonly numeric: boolean;
  /** the cell's value as the API gives it (numbers possibly {"$float"}) */
  value(r: RunsRow): unknown;
}

const RUN_COLUMNS: RunColumn[] = [
  { key: 'status', label: 'status', title: 'running, stopped or crashed', group: 'run', numeric: false, value: (r) => r.status },
  { key: 'created', label: 'started', title: 'when the run started', group: 'run', numeric: false, value: (r) => r.created },
  { key: 'user', label: 'user', title: 'who ran it', group: 'run', numeric: false, value: (r) => r.user },
  { key: 'host', label: 'host', title: 'the machine it ran on', group: 'run', numeric: false, value: (r) => r.host },
  { key: 'checkpoints', label: 'ckpts', title: 'checkpoints recorded', group: 'run', numeric: true, value: (r) => r.checkpoints },
];

/** Shown unless the user hides them. */
export const DEFAULT_RUN_COLUMNS = ['status', 'created', 'checkpoints'];

export function allColumns(data: RunsResponse): RunColumn[] {
  const params = data.params.map(
    (p): RunColumn => ({ key: `params.${p}`, label: p, title: `param ${p}`, group: 'param', numeric: data.runs.some((r) => typeof r.params[p] === 'number'), value: (r) => r.params[p] }),
  );
  const metrics = data.metrics.flatMap((m): RunColumn[] => [
    { key: `best.${m.name}`, label: `${m.name} best`, title: `best ${m.name}: the ${m.goal === 'minimize' ? 'lowest' : 'highest'} value over all checkpoints (${m.goal_source === 'primary' ? "the run's primary metric goal" : 'goal guessed from the name'})`, group: 'metric', numeric: true, value: (r) => r.metrics[m.name]?.best ?? undefined },
    { key: `last.${m.name}`, label: `${m.name} last`, title: `${m.name} in the latest checkpoint that has it`, group: 'metric', numeric: true, value: (r) => r.metrics[m.name]?.last ?? undefined },
  ]);
  return [...RUN_COLUMNS, ...params, ...metrics];
}

/** Differing params and best and last of every metric, plus the fixed run columns. */
export function defaultColumnKeys(data: RunsResponse): string[] {
  return [...DEFAULT_RUN_COLUMNS, ...data.differingParams.map((p) => `params.${p}`), ...data.metrics.flatMap((m) => [`best.${m.name}`, `last.${m.name}`])];
}

/** -1/0/1 with missing values (undefined, null) always last, NaN after numbers, numbers before text. */
export function compareCells(a: unknown, b: unknown, desc: boolean): number {
  const ma = a === undefined || a === null;
  const mb = b === undefined || b === null;
  if (ma || mb) return ma === mb ? 0 : ma ? 1 : -1;
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na !== undefined && nb !== undefined) {
    const xa = Number.isNaN(na);
    const xb = Number.isNaN(nb);
    if (xa || xb) return xa === xb ? 0 : xa ? 1 : -1;
    const c = na < nb ? -1 : na > nb ? 1 : 0;
    return desc ? -c : c;
  }
  if (na !== undefined) return -1;
  if (nb !== undefined) return 1;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  const c = sa < sb ? -1 : sa > sb ? 1 : 0;
  return desc ? -c : c;
}
