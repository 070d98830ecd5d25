import { useMemo, useState } from 'preact/hooks';
import type { PageProps } from '../routes.js';
import { DataVirtualRows } from '../components/DataVirtualRows.js';
import { Pending } from '../components/Status.js';
import { diffHref, historyHref, isTable } from '../dataLinks.js';
import { formatBytes, shortId } from '../format.js';
import { query } from '../api.js';
import { useJson } from '../useJson.js';
import type { DataDiffFileRow, DataDiffResponse, DataDiffSideRow, RowDiffResponse, RowRef } from '../../src/server/types/dataTypes.js';

const ROW_PX = 26;

/** `#/datadiff?path=&from=&to=[&file=]`: files added, removed and changed; for a CSV/TSV file, its rows. */
export function DataDiffPage({ params }: PageProps) {
  const path = params.get('path') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const file = params.get('file');
  const loaded = useJson<DataDiffResponse>(path && from && to ? `/api/datadiff${query({ path, from, to })}` : null);
  if (!path || !from || !to) return <p class="empty">A data diff needs a path and two versions: open one from a path's <a href="#/data">history</a>.</p>;
  return (
    <section class="data-diff" data-testid="data-diff">
      <h1>
        <a href="#/data">Data</a> / <a href={historyHref(path)}>{path}</a> / <code>{shortId(from)}</code> → <code>{shortId(to)}</code>
      </h1>
      {file !== null && <RowDiff path={path} from={from} to={to} file={file} />}
      <Pending loaded={loaded}>{(d) => <Files key={`${d.path} ${d.from.commit} ${d.to.commit}`} data={d} />}</Pending>
    </section>
  );
}

function side(s: DataDiffSideRow): string {
  return s.present ? `${formatBytes(s.size)} in ${(s.files ?? 0).toLocaleString('en')} files` : 'not tracked';
}

function Files({ data }: { data: DataDiffResponse }) {
  const [filter, setFilter] = useState('');
  const [kinds, setKinds] = useState({ added: true, removed: true, modified: true });
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return data.files.filter((x) => kinds[x.change] && (!f || (x.path || data.path).toLowerCase().includes(f)));
  }, [data, filter, kinds]);
  const t = data.totals;
  return (
    <>
      <p class="data-diff-sides muted" data-testid="data-diff-sides">
        from <code>{shortId(data.from.commit)}</code> ({side(data.from)}) to <code>{shortId(data.to.commit)}</code> ({side(data.to)}); size {t.sizeDelta >= 0 ? '+' : ''}{formatBytes(t.sizeDelta)}
      </p>
      <div class="data-diff-totals" data-testid="data-diff-totals">
        <span class="data-added">+{t.added.toLocaleString('en')} added ({formatBytes(t.bytesAdded)})</span>
        <span class="data-removed">−{t.removed.toLocaleString('en')} removed ({formatBytes(t.bytesRemoved)})</span>
        <span class="data-modified">~{t.modified.toLocaleString('en')} changed ({formatBytes(t.bytesModifiedOld)} → {formatBytes(t.bytesModifiedNew)})</span>
      </div>
      <div class="data-filter">
        <input type="search" placeholder="filter by path" value={filter} onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} data-testid="data-diff-filter" />
        {(['added', 'removed', 'modified'] as const).map((k) => (
          <label>
            <input type="checkbox" checked={kinds[k]} onChange={() => setKinds({ ...kinds, [k]: !kinds[k] })} data-testid={`data-diff-show-${k}`} /> {k === 'modified' ? 'changed' : k}
          </label>
        ))}
        <span class="muted" data-testid="data-diff-count">{shown.length.toLocaleString('en')} of {data.files.length.toLocaleString('en')} files</span>
      </div>
      {data.files.length === 0 ? (
        <p class="empty" data-testid="data-diff-same">The two versions hold the same files.</p>
      ) : (
        <DataVirtualRows
          rows={shown}
          rowHeight={ROW_PX}
          height={Math.min(560, Math.max(3, shown.length + 1) * ROW_PX + 4)}
          columns={6}
          testid="data-diff-files"
          header={
            <tr>
              <th>change</th>
              <th>file</th>
              <th class="num">old size</th>
              <th class="num">new size</th>
              <th class="num">delta</th>
              <th />
            </tr>
          }
          row={(f) => <FileRow f={f} data={data} />}
        />
      )}
    </>
  );
}

function FileRow({ f, data }: { f: DataDiffFileRow; data: DataDiffResponse }) {
  const name = f.path || data.path;
  const delta = (f.newSize ?? 0) - (f.oldSize ?? 0);
  return (
    <tr class={`data-${f.change}`} data-testid="data-diff-file" data-path={f.path} data-change={f.change}>
      <td>{f.change === 'modified' ? 'changed' : f.change}</td>
      <td class="data-path" title={name}>{name}</td>
      <td class="num">{f.oldSize === undefined ? '' : formatBytes(f.oldSize)}</td>
      <td class="num">{f.newSize === undefined ? '' : formatBytes(f.newSize)}</td>
      <td class="num">{delta >= 0 ? '+' : ''}{formatBytes(delta)}</td>
      <td>{isTable(name) && <a href={diffHref(data.path, data.from.rev, data.to.rev, f.path)} data-testid="data-rowdiff-link">rows</a>}</td>
    </tr>
  );
}

type Line = { kind: 'removed' | 'added'; r: RowRef; marks?: readonly number[] } | { kind: 'gap' };

function RowDiff({ path, from, to, file }: { path: string; from: string; to: string; file: string }) {
  const loaded = useJson<RowDiffResponse>(`/api/rowdiff${query({ path, from, to, file: file || undefined })}`);
  return (
    <div class="data-rowdiff" data-testid="data-rowdiff">
      <h2>
        Rows of <code>{file || path}</code> <a class="data-close" href={diffHref(path, from, to)}>close</a>
      </h2>
      <Pending loaded={loaded}>{(d) => <RowTable d={d} />}</Pending>
    </div>
  );
}

function RowTable({ d }: { d: RowDiffResponse }) {
  const lines = useMemo(() => {
    const out: Line[] = [];
    for (const c of d.changed) {
      out.push({ kind: 'removed', r: c.from, marks: c.columns }, { kind: 'added', r: c.to, marks: c.columns });
    }
    if (d.changed.length > 0 && d.removed.length + d.added.length > 0) out.push({ kind: 'gap' });
    for (const r of d.removed) out.push({ kind: 'removed', r });
    for (const r of d.added) out.push({ kind: 'added', r });
    return out;
  }, [d]);
  const header = d.header.to.length > 0 ? d.header.to : d.header.from;
  const c = d.counts;
  return (
    <>
      <p class="muted" data-testid="data-rowdiff-counts">
        <span class="data-added">+{c.added} added</span> · <span class="data-removed">−{c.removed} removed</span> · {c.changed} changed{d.key ? ` (by ${d.key})` : ''} · {c.unchanged} unchanged · {c.from} → {c.to} rows
        {d.truncated && ' · lists cut at 1,000 rows each'}
        {d.header.changed && <> · <strong>header changed</strong>: {d.header.from.join(', ')} → {d.header.to.join(', ')}</>}
      </p>
      {lines.length === 0 ? (
        <p class="empty" data-testid="data-rowdiff-same">Same rows in both versions.</p>
      ) : (
        <DataVirtualRows
          rows={lines}
          rowHeight={ROW_PX}
          height={Math.min(400, (lines.length + 1) * ROW_PX + 4)}
          columns={header.length + 2}
          testid="data-rowdiff-rows"
          header={
            <tr>
              <th />
              <th class="num">row</th>
              {header.map((h) => <th>{h}</th>)}
            </tr>
          }
          row={(l) =>
            l.kind === 'gap' ? (
              <tr class="data-gap"><td colSpan={header.length + 2} /></tr>
            ) : (
              <tr class={`data-row-${l.kind}`} data-testid={`data-row-${l.kind}`}>
                <td class="data-sign">{l.kind === 'added' ? '+' : '−'}</td>
                <td class="num muted">{l.r.row}</td>
                {l.r.cells.map((v, i) => <td class={l.marks?.includes(i) ? 'data-cell-changed' : ''} title={v}>{v}</td>)}
              </tr>
            )
          }
        />
      )}
    </>
  );
}
