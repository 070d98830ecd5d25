import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PageProps } from '../routes.js';
import { DataBars } from '../components/DataBars.js';
import { Pending } from '../components/Status.js';
import { diffHref } from '../dataLinks.js';
import { formatBytes, formatTime, shortId } from '../format.js';
import { query } from '../api.js';
import { navigate } from '../router.js';
import { useJson } from '../useJson.js';
import type { DataHistoryResponse, DataVersionRow } from '../../src/server/types/dataTypes.js';

/** `#/data/<path>`: the versions of one tracked path, what each cost, and two picked to compare. */
export function DataHistoryPage({ route }: PageProps) {
  const path = route['rest'] ?? '';
  const loaded = useJson<DataHistoryResponse>(path ? `/api/history${query({ path })}` : null);
  return (
    <section class="data-history" data-testid="data-history">
      <h1>
        <a href="#/data">Data</a> / <span data-testid="data-history-path">{path}</span>
      </h1>
      <Pending loaded={loaded}>{(d) => <History key={d.path} data={d} />}</Pending>
    </section>
  );
}

function History({ data }: { data: DataHistoryResponse }) {
  const versions = data.versions;
  // Picked commits, in pick order; the two newest by default.
  const [picked, setPicked] = useState<string[]>(() => versions.slice(0, 2).map((v) => v.commit));
  const oldestFirst = useMemo(() => [...versions].reverse(), [versions]);
  const labels = useMemo(() => oldestFirst.map((v) => shortId(v.commit)), [oldestFirst]);
  const titles = useMemo(() => oldestFirst.map((v) => `${shortId(v.commit)} ${formatTime(v.date)} ${v.subject}`), [oldestFirst]);
  const series = useMemo(
    () => [
      { label: 'size', values: oldestFirst.map((v) => v.size ?? 0), cls: 'data-bar-size' },
      { label: 'bytes new', values: oldestFirst.map((v) => v.bytesNew), cls: 'data-bar-new' },
    ],
    [oldestFirst],
  );
  useEffect(() => {
    // For bench/ui.mjs: the versions with their sizes and bytes new are on screen.
    performance.mark('trove:data-history');
  }, [data]);
  const toggle = (commit: string): void =>
    setPicked((p) => (p.includes(commit) ? p.filter((c) => c !== commit) : [...p, commit].slice(-2)));
  // Older of the two picked is "from".
  const order = (c: string): number => versions.findIndex((v) => v.commit === c);
  const pair = picked.length === 2 ? [...picked].sort((a, b) => order(b) - order(a)) : null;
  const latest = versions[0];
  return (
    <>
      <p class="muted" data-testid="data-history-summary">
        {versions.length} version{versions.length === 1 ? '' : 's'}
        {latest?.size !== undefined && <> · now {formatBytes(latest.size)} in {(latest.files ?? 0).toLocaleString('en')} files</>}
        {data.truncated && ' · older versions not shown'}
      </p>
      {!data.complete && (
        <p class="data-warn" data-testid="data-incomplete">
          Some versions' file lists are not in the local store: their bytes new show as “–”, and newer versions may count bytes those already held. <code>trove fetch --rev COMMIT {data.path}</code> brings them.
        </p>
      )}
      {versions.length > 0 && <DataBars id="data-history" labels={labels} titles={titles} series={series} onPick={(i) => toggle(oldestFirst[i]!.commit)} />}
      <div class="data-actions">
        <button disabled={!pair} data-testid="data-compare" onClick={() => pair && navigate(diffHref(data.path, pair[0]!, pair[1]!))}>
          Compare the two picked versions
        </button>
        <span class="muted">{pair ? `${shortId(pair[0]!)} → ${shortId(pair[1]!)}` : 'pick two versions'}</span>
      </div>
      <table class="data-table data-versions" data-testid="data-versions">
        <thead>
          <tr>
            <th title="pick two to compare">pick</th>
            <th>commit</th>
            <th>date</th>
            <th>author</th>
            <th>subject</th>
            <th class="num">files</th>
            <th class="num">size</th>
            <th class="num" title="bytes of content no older version held (whole files, or chunks of files over 1 MiB)">bytes new</th>
            <th class="num" title="files whose content is new">files new</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v, i) => (
            <VersionRow v={v} prev={versions[i + 1]} path={data.path} picked={picked.includes(v.commit)} onPick={() => toggle(v.commit)} />
          ))}
        </tbody>
      </table>
    </>
  );
}

function VersionRow({ v, prev, path, picked, onPick }: { v: DataVersionRow; prev: DataVersionRow | undefined; path: string; picked: boolean; onPick: () => void }) {
  return (
    <tr data-testid="data-version-row" data-commit={v.commit} class={picked ? 'data-picked' : ''}>
      <td><input type="checkbox" checked={picked} onChange={onPick} data-testid="data-version-pick" aria-label={`pick ${shortId(v.commit)}`} /></td>
      <td><code title={v.commit}>{shortId(v.commit)}</code></td>
      <td title={v.date}>{formatTime(v.date)}</td>
      <td title={v.email}>{v.author}</td>
      <td class="data-subject" title={v.subject}>{v.change === 'added' || v.change === 'modified' ? '' : <span class="badge">{v.change}</span>} {v.subject}</td>
      <td class="num">{v.files === undefined ? '–' : v.files.toLocaleString('en')}</td>
      <td class="num" title={v.size === undefined ? '' : `${v.size} bytes`}>{formatBytes(v.size)}</td>
      <td class="num" data-testid="data-bytes-new" title={v.bytesNew === null ? 'not in the local store' : `${v.bytesNew} bytes`}>{formatBytes(v.bytesNew)}</td>
      <td class="num">{v.filesNew === null ? '–' : v.filesNew.toLocaleString('en')}</td>
      <td>{prev && <a href={diffHref(path, prev.commit, v.commit)} data-testid="data-diff-prev">diff with previous</a>}</td>
    </tr>
  );
}
