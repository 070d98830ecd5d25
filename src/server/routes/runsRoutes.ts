import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { expList } from '../../api/expList.js';
import { runSeries } from '../../api/runSeries.js';
import { runVersions } from '../../api/runVersions.js';
import { TroveError } from '../../errors/index.js';
import { type MetricGoal, type RunSummary } from '../../core/experimentRecord.js';
import { encodeFloats } from '../../core/jsonFloats.js';
import { differingParams, formatValue, toCsv } from '../../core/expQuery.js';
import { parseRunFilterText } from '../../core/runFilterText.js';
import { guessGoal, runMetrics } from '../../core/runMetrics.js';
import { createRunWatcher } from '../runWatcher.js';
import { jsonRoute } from '../jsonRoute.js';
import type { UiContext } from '../UiContext.js';
import type { RunsResponse, RunsRow, SeriesResponse } from '../types/runsTypes.js';

/** More would not be a readable chart; the page asks for what is selected. */
const MAX_SERIES_RUNS = 200;
/** SSE comment lines this often keep proxies and the browser from dropping an idle stream. */
const HEARTBEAT_MS = 15_000;

function row(s: RunSummary): RunsRow {
  const { metric_stats: _stats, ...rest } = s;
  return encodeFloats({ ...rest, metrics: runMetrics(s) }) as RunsRow;
}

/** Every metric name with the goal a table column uses: the primary goal when some run made it its primary metric. */
function metricColumns(runs: readonly RunSummary[], rows: readonly RunsRow[]): RunsResponse['metrics'] {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.metrics)) names.add(k);
  const primary = new Map<string, MetricGoal>();
  for (const r of runs) if (r.primary_metric && !primary.has(r.primary_metric.name)) primary.set(r.primary_metric.name, r.primary_metric.goal);
  return [...names].sort().map((name) => (primary.has(name) ? { name, goal: primary.get(name)!, goal_source: 'primary' as const } : { name, goal: guessGoal(name), goal_source: 'guess' as const }));
}

async function loadRuns(ctx: UiContext, filterText = ''): Promise<{ summaries: RunSummary[]; body: RunsResponse }> {
  const filters = parseRunFilterText(filterText).map((f) => f.text);
  const { experiments } = await expList(ctx.repo, { filters, sort: '-started' });
  const rows = experiments.map(row);
  const params = [...new Set(experiments.flatMap((r) => Object.keys(r.params)))].sort();
  return { summaries: experiments, body: { runs: rows, differingParams: differingParams(experiments), params, metrics: metricColumns(experiments, rows) } };
}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The runs table as CSV: ids in full, the differing params, best and last of every metric. */
function runsCsv(body: RunsResponse): string {
  const header = ['id', 'started', 'status', 'host', 'user', 'checkpoints', ...body.differingParams, ...body.metrics.flatMap((m) => [`best_${m.name}`, `last_${m.name}`])];
  const rows = body.runs.map((r) => [
    r.id,
    r.created,
    r.status,
    r.host,
    r.user,
    String(r.checkpoints),
    ...body.differingParams.map((p) => formatValue(r.params[p])),
    ...body.metrics.flatMap((m) => [formatValue(r.metrics[m.name]?.best ?? undefined), formatValue(r.metrics[m.name]?.last ?? undefined)]),
  ]);
  return toCsv({ header, rows }) + '\n';
}

export function runsRoutes(app: Hono, ctx: UiContext): void {
  const watcher = createRunWatcher(async () => (await runVersions(ctx.repo)).versions);

  jsonRoute(app, ctx, '/api/runs', async () => (await loadRuns(ctx)).body);

  app.get('/api/runs.csv', async (c) => {
    try {
      const { body } = await loadRuns(ctx, c.req.query('filter') ?? '');
      return c.body(runsCsv(body), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="runs.csv"' });
    } catch (err) {
      return ctx.fail(c, err);
    }
  });

  jsonRoute(app, ctx, '/api/series', async (c) => {
    const ids = list(c.req.query('ids'));
    if (ids.length === 0) throw new TroveError('USAGE', 'Name the runs: /api/series?ids=ID,ID.', { hint: 'Select runs in the table.' });
    if (ids.length > MAX_SERIES_RUNS) throw new TroveError('USAGE', `At most ${MAX_SERIES_RUNS} runs at once (${ids.length} asked).`, { hint: 'Select fewer runs.' });
    const metrics = list(c.req.query('metrics'));
    const body: SeriesResponse = await runSeries(ctx.repo, { ids, metrics });
    return body;
  });

  app.get('/api/events', (c: Context) =>
    streamSSE(c, async (stream) => {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const unsubscribe = watcher.subscribe((ids) => void stream.writeSSE({ event: 'runs', data: JSON.stringify({ ids }) }));
      const heartbeat = setInterval(() => void stream.write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const stop = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
        done();
      };
      // Either signal means the browser went (tab closed, server closing all connections).
      stream.onAbort(stop);
      c.req.raw.signal.addEventListener('abort', stop, { once: true });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      await finished;
    }),
  );
}
