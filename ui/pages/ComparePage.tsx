import { useState } from 'preact/hooks';
import type { CompareResponse, CompareRowJson } from '../../src/server/types/runTypes.js';
import { query } from '../api.js';
import { CodeDiff } from '../components/CodeDiff.js';
import { Pending } from '../components/Status.js';
import { showValue } from '../components/runValues.js';
import { formatTime, shortId } from '../format.js';
import type { PageProps } from '../routes.js';
import { useJson } from '../useJson.js';

/** `#/compare?ids=a,b[,c]`: runs side by side: params and metrics with differences marked, and the code diff. */
export function ComparePage({ params }: PageProps) {
  const ids = params.get('ids') ?? '';
  const loaded = useJson<CompareResponse>(ids ? `/api/compare${query({ ids })}` : null);
  if (!ids) return <p class="empty" data-testid="compare-empty">Pick runs to compare: <code>#/compare?ids=RUN1,RUN2</code>, or select them in the runs table.</p>;
  return <Pending loaded={loaded}>{(c) => <CompareView c={c} />}</Pending>;
}

function CompareView({ c }: { c: CompareResponse }) {
  const [onlyDiff, setOnlyDiff] = useState(false);
  const params = c.params.filter((p) => !onlyDiff || p.differs);
  const metrics = c.metrics.filter((m) => !onlyDiff || m.best.differs || m.last.differs);
  const head = (
    <tr>
      <th />
      {c.runs.map((r) => (
        <th data-testid="compare-run" data-id={r.id}>
          <a href={`#/run/${r.id}`}>{shortId(r.id)}</a> <span class={`badge ${r.status}`}>{r.status}</span>
          <div class="muted">{formatTime(r.created)}</div>
        </th>
      ))}
    </tr>
  );
  return (
    <section class="compare-page" data-testid="compare-page">
      <h1>Compare {c.runs.length} runs</h1>
      <label><input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff((e.target as HTMLInputElement).checked)} data-testid="compare-only-diff" /> only what differs</label>
      <h2>Params</h2>
      <table data-testid="compare-params">
        <thead>{head}</thead>
        <tbody>{params.map((p) => <Row row={p} label={p.key} />)}</tbody>
      </table>
      <h2>Metrics</h2>
      <table data-testid="compare-metrics">
        <thead>{head}</thead>
        <tbody>
          {metrics.flatMap((m) => [<Row row={m.best} label={`${m.key} (best)`} />, <Row row={m.last} label={`${m.key} (last)`} />])}
          <tr>
            <th>steps (best / last)</th>
            {c.runs.map((r) => <td class="num">{r.best?.step ?? '–'} / {r.latest?.step ?? '–'}</td>)}
          </tr>
        </tbody>
      </table>
      <h2>Code</h2>
      {c.code.map((d) => (
        <div class="compare-code" data-testid="compare-code">
          <p class="muted">
            {shortId(d.a.experiment)} ({d.a.commit ? shortId(d.a.commit, 10) : 'no commit'}{d.a.dirty ? ' + uncommitted' : ''}) → {shortId(d.b.experiment)} ({d.b.commit ? shortId(d.b.commit, 10) : 'no commit'}{d.b.dirty ? ' + uncommitted' : ''})
            {d.incomplete ? ` · ${d.incomplete}` : ''}
          </p>
          <CodeDiff files={d.files} />
        </div>
      ))}
    </section>
  );
}

function Row({ row, label }: { row: CompareRowJson; label: string }) {
  return (
    <tr class={row.differs ? 'compare-differs' : ''} data-testid="compare-row" data-key={label} data-differs={String(row.differs)}>
      <th>{label}</th>
      {row.values.map((v, i) => <td class="num">{row.present[i] ? showValue(v) : <span class="muted">absent</span>}</td>)}
    </tr>
  );
}
