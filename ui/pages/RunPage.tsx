import { useCallback, useMemo, useState } from 'preact/hooks';
import type { RunDetailResponse, RunFilesResponse } from '../../src/server/types/runTypes.js';
import { query } from '../api.js';
import { Pending } from '../components/Status.js';
import { MetricsChart, type ChartSeries } from '../components/MetricsChart.js';
import { numberOf, showValue } from '../components/runValues.js';
import { formatBytes, formatTime, shortId } from '../format.js';
import type { PageProps } from '../routes.js';
import { useJson } from '../useJson.js';
import { useRunEvents } from '../useRunEvents.js';

/** `#/run/<id>`: one run: params, environment, code, checkpoints with the bytes each added, files, a metrics chart. */
export function RunPage({ route }: PageProps) {
  const id = (route['id'] ?? '').toLowerCase();
  // A run still training: reload when /api/events says it changed (or the stream reconnected).
  const [refresh, setRefresh] = useState(0);
  useRunEvents(useCallback((ids: string[]) => {
    if (ids.length === 0 || ids.some((x) => x.startsWith(id))) setRefresh((n) => n + 1);
  }, [id]));
  const loaded = useJson<RunDetailResponse>(`/api/run/${encodeURIComponent(id)}`, refresh);
  return <Pending loaded={loaded}>{(run) => <RunView run={run} />}</Pending>;
}

function RunView({ run }: { run: RunDetailResponse }) {
  const withData = run.checkpoints.filter((c) => c.data);
  const [selected, setSelected] = useState<string | null>(withData.length ? withData[withData.length - 1]!.id : null);
  const metricNames = useMemo(() => [...new Set(run.checkpoints.flatMap((c) => Object.keys(c.metrics)))].sort(), [run]);
  const series = useMemo<ChartSeries[]>(
    () =>
      metricNames.map((m) => {
        const pts = run.checkpoints.map((c, i) => ({ x: c.step ?? i, y: numberOf(c.metrics[m]) })).filter((p) => p.y !== undefined && Number.isFinite(p.y));
        return { label: m, x: pts.map((p) => p.x), y: pts.map((p) => p.y as number) };
      }),
    [run, metricNames],
  );
  return (
    <section class="run-page" data-testid="run-page">
      <h1>
        Run <code data-testid="run-id" title={run.id}>{shortId(run.id, 12)}</code> <span class={`badge ${run.status.status}`} data-testid="run-status">{run.status.status}</span>
      </h1>
      <p class="muted">
        started {formatTime(run.created)} · updated {formatTime(run.status.updated)} · {run.checkpoints.length} checkpoints
        {run.primary_metric ? ` · primary metric ${run.primary_metric.name} (${run.primary_metric.goal})` : ''} · stored {formatBytes(run.totals.added)} new
        {' · '}<a href={`#/plots`}>plots</a>
      </p>
      <div class="run-columns">
        <div>
          <h2>Params</h2>
          <KeyValues testid="run-params" entries={Object.entries(run.params).map(([k, v]) => [k, showValue(v)])} empty="no params" />
          <h2>Code</h2>
          <KeyValues
            testid="run-code"
            entries={[
              ['commit', run.code.commit ? shortId(run.code.commit, 12) : 'none (no commit yet)'],
              ['path', run.code.path],
              ['uncommitted changes', run.code.dirty ? `${run.code.dirty.files} files, ${formatBytes(run.code.dirty.size)}` : 'none'],
              ...(run.code.deleted?.length ? ([['deleted files', run.code.deleted.join(', ')]] as [string, string][]) : []),
            ]}
          />
        </div>
        <div>
          <h2>Environment</h2>
          <KeyValues
            testid="run-env"
            entries={[
              ['command', run.environment.command.join(' ')],
              ['host', run.environment.host],
              ['user', run.environment.user],
              ['python', run.environment.python ?? '–'],
              ['packages', Object.entries(run.environment.packages).map(([k, v]) => `${k}==${v}`).join(', ') || '–'],
            ]}
          />
          {run.data.length > 0 && (
            <>
              <h2>Input data</h2>
              <KeyValues testid="run-inputs" entries={run.data.map((d) => [d.path, `${d.kind} ${d.oid.slice(7, 19)}`])} />
            </>
          )}
        </div>
        <div>
          <h2>Metrics</h2>
          {series.length ? <MetricsChart chartId="run-metrics" series={series} width={420} height={220} /> : <p class="muted">No metrics recorded.</p>}
        </div>
      </div>
      <h2>Checkpoints</h2>
      <div class="run-table-wrap">
        <table data-testid="run-checkpoints">
          <thead>
            <tr>
              <th class="num">step</th>
              <th>created</th>
              {metricNames.map((m) => <th class="num">{m}</th>)}
              <th>path</th>
              <th class="num">size</th>
              <th class="num" title="Bytes of store files this checkpoint needed first in the run: what it added to the store">bytes added</th>
              <th>files</th>
            </tr>
          </thead>
          <tbody>
            {run.checkpoints.map((c) => (
              <tr class={`${c.id === selected ? 'run-selected' : ''} ${c.id === run.best ? 'run-best' : ''}`} data-testid="run-checkpoint" data-id={c.id}>
                <td class="num">{c.step ?? '–'}</td>
                <td title={c.created}>{formatTime(c.created)}</td>
                {metricNames.map((m) => <td class="num">{c.metrics[m] === undefined ? '' : showValue(c.metrics[m])}</td>)}
                <td>{c.path ?? ''}{c.id === run.best && <span class="badge run-best-badge">best</span>}</td>
                <td class="num">{c.data ? formatBytes(c.data.size) : ''}</td>
                <td class="num" data-testid="run-bytes-added" data-bytes={c.store.added} title={`${c.store.added} bytes in ${c.store.addedObjects} store files; needs ${formatBytes(c.store.stored)} in all${c.store.complete ? '' : '; some content is not in the local store'}`}>
                  {c.data ? formatBytes(c.store.added) + (c.store.complete ? '' : ' *') : ''}
                </td>
                <td>{c.data ? <button data-testid="run-show-files" onClick={() => setSelected(c.id)}>{c.data.files} file{c.data.files === 1 ? '' : 's'}</button> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected && <RunFiles key={selected} runId={run.id} checkpoint={selected} step={run.checkpoints.find((c) => c.id === selected)?.step ?? null} />}
    </section>
  );
}

function RunFiles({ runId, checkpoint, step }: { runId: string; checkpoint: string; step: number | null }) {
  const loaded = useJson<RunFilesResponse>(`/api/run/${runId}/files${query({ checkpoint })}`);
  return (
    <>
      <h2>Files of checkpoint {shortId(checkpoint)}{step !== null ? ` (step ${step})` : ''}</h2>
      <Pending loaded={loaded}>
        {(f) => (
          <table data-testid="run-files">
            <thead><tr><th>path</th><th class="num">size</th><th /></tr></thead>
            <tbody>
              {f.files.map((x) => (
                <tr data-testid="run-file" data-path={x.path}>
                  <td>{x.path}{x.mode === 'x' ? ' *' : ''}</td>
                  <td class="num">{formatBytes(x.size)}</td>
                  <td>{x.mode === 'l' ? <span class="muted">link</span> : <a href={`/api/run/${runId}/file${query({ checkpoint, path: x.path })}`} download={x.path.split('/').pop()} data-testid="run-download">download</a>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Pending>
    </>
  );
}

function KeyValues({ entries, testid, empty }: { entries: [string, string][]; testid: string; empty?: string }) {
  if (entries.length === 0) return <p class="muted">{empty ?? '–'}</p>;
  return (
    <table class="run-kv" data-testid={testid}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr data-key={k}><th>{k}</th><td>{v}</td></tr>
        ))}
      </tbody>
    </table>
  );
}
