import { useEffect } from 'preact/hooks';
import type { UiEntityResponse, UiEntityVersion } from '../../src/server/types/uiRegistryTypes.js';
import { Pending } from '../components/Status.js';
import { StageTimeline } from '../components/StageTimeline.js';
import { formatBytes, formatTime, formatValue, shortId } from '../format.js';
import type { PageProps } from '../routes.js';
import { useJson } from '../useJson.js';

const enc = encodeURIComponent;
const dataHref = (path: string): string => `#/data/${path.split('/').map(enc).join('/')}`;
/** NAME@vX.Y.Z → the entity page with that version picked */
function versionHref(tag: string): string {
  const at = tag.lastIndexOf('@');
  return `#/entity/${enc(tag.slice(0, at))}?v=${enc(tag.slice(at + 1))}`;
}

/**
 * #/entity/NAME[?v=VERSION]: one entity: its versions with their data,
 * metrics, lineage and run, what each stage holds now, the metrics table of
 * `trove metrics NAME` and the stage history on a timeline.
 */
export function EntityPage({ route, params }: PageProps) {
  const name = route['name'] ?? '';
  const loaded = useJson<UiEntityResponse>(`/api/entity/${enc(name)}`);
  return (
    <section class="reg-entity" data-testid="entity">
      <Pending loaded={loaded}>{(e) => <EntityView e={e} wanted={params.get('v')} />}</Pending>
    </section>
  );
}

function EntityView({ e, wanted }: { e: UiEntityResponse; wanted: string | null }) {
  const selected = wanted === 'latest' ? e.latest : wanted && e.versions.some((v) => v.version === wanted) ? wanted : null;
  const focusVersion = selected ?? e.latest;
  const metricKeys = [...new Set(e.versions.flatMap((v) => Object.keys(v.metrics)))].sort();
  useEffect(() => {
    // a long version list: bring the version the address names into view
    if (selected) document.getElementById(`v-${selected}`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return (
    <>
      <h1>
        <a href="#/registry" class="muted">Registry</a> / <span data-testid="entity-name">{e.name}</span> <span class={`badge reg-kind-${e.type}`}>{e.type}</span>
        {e.deprecated && <span class="badge reg-dep">deprecated</span>}
      </h1>
      <p class="reg-facts">
        {e.categories.length > 0 && <span>categories {e.categories.join(' / ')} · </span>}
        data at <a href={dataHref(e.path)} data-testid="entity-data">{e.path}</a> · {e.mutability} · latest <strong>{e.latest ?? '–'}</strong>
        {focusVersion && (
          <>
            {' '}· <a href={`#/lineage?focus=${enc(`${e.name}@${focusVersion}`)}`} data-testid="entity-lineage">lineage of {focusVersion}</a>
          </>
        )}
      </p>
      {e.description && <p class="muted">{e.description}</p>}

      <h2>Stages now</h2>
      <ul class="reg-stages" data-testid="entity-stages">
        {e.stageNames.map((s) => (
          <li data-testid={`entity-stage-${s}`}>
            <span class="reg-stage-name">{s}</span>{' '}
            {(e.stages[s] ?? []).length === 0 ? <span class="muted">–</span> : (e.stages[s] ?? []).map((v, i) => <>{i > 0 && ', '}<a href={`#/entity/${enc(e.name)}?v=${enc(v)}`}>{v}</a></>)}
          </li>
        ))}
      </ul>

      <h2>Versions</h2>
      {e.versions.length === 0 ? (
        <p class="empty">No versions yet: <code>trove version {e.name}</code> registers one.</p>
      ) : (
        <div class="reg-scroll">
          <table class="reg-table" data-testid="entity-versions">
            <thead>
              <tr>
                <th>version</th>
                <th>registered</th>
                <th>by</th>
                <th class="num">files</th>
                <th class="num">size</th>
                {metricKeys.map((k) => <th class="num" data-testid={`entity-metric-col-${k}`}>{k}</th>)}
                <th>made from</th>
                <th>run</th>
                <th>stages</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {[...e.versions].reverse().map((v) => <VersionRow e={e} v={v} metricKeys={metricKeys} selected={v.version === selected} />)}
            </tbody>
          </table>
        </div>
      )}

      {e.metrics.columns.length > 0 && (
        <>
          <h2>Metrics <span class="muted reg-sub">as <code>trove metrics {e.name}</code> prints them</span></h2>
          <div class="reg-scroll">
            <table class="reg-table" data-testid="entity-metrics">
              <thead>
                <tr>{e.metrics.columns.map((c, i) => <th class={i >= 4 ? 'num' : ''}>{c}</th>)}</tr>
              </thead>
              <tbody>
                {e.metrics.rows.map((row) => (
                  <tr data-testid="entity-metrics-row">{row.map((cell, i) => <td class={i >= 4 ? 'num' : ''}>{cell === null ? '' : typeof cell === 'number' ? String(cell) : cell}</td>)}</tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      <h2>Stage history</h2>
      <StageTimeline stages={e.stageNames} events={e.history} selected={selected} />
      {e.historyBranch && <p class="muted reg-sub">Promotions count from when they reached {e.historyBranch} (a merged pull request); hover a marker for who and when.</p>}
      {e.warnings.length > 0 && <ul class="reg-warnings muted">{e.warnings.map((w) => <li>{w}</li>)}</ul>}
    </>
  );
}

function VersionRow({ e, v, metricKeys, selected }: { e: UiEntityResponse; v: UiEntityVersion; metricKeys: string[]; selected: boolean }) {
  return (
    <tr data-testid={`entity-version-${v.version}`} class={`${selected ? 'reg-selected' : ''}${v.deprecated ? ' reg-deprecated' : ''}`} id={`v-${v.version}`}>
      <td title={v.tag}>
        <a href={`#/entity/${enc(e.name)}?v=${enc(v.version)}`}>{v.version}</a>
        {v.deprecated && <span class="badge reg-dep"> deprecated</span>}
      </td>
      <td title={new Date(v.time * 1000).toISOString()}>{formatTime(v.time * 1000)}</td>
      <td class="muted" title={v.author}>{v.author.replace(/\s*<.*>$/, '')}</td>
      <td class="num">{v.files}</td>
      <td class="num" title={`${v.size} bytes`}>{formatBytes(v.size)}</td>
      {metricKeys.map((k) => <td class="num" data-testid={`entity-metric-${v.version}-${k}`}>{v.metrics[k] === undefined ? '' : formatValue(v.metrics[k])}</td>)}
      <td>{v.uses.length === 0 ? <span class="muted">–</span> : v.uses.map((u, i) => <>{i > 0 && ', '}<a href={versionHref(u)}>{u}</a></>)}</td>
      <td>{v.experiment ? <a href={`#/run/${enc(v.experiment.id)}`} title={`checkpoint ${v.experiment.checkpoint}${v.experiment.step !== null ? `, step ${v.experiment.step}` : ''}`} data-testid={`entity-run-${v.version}`}>{shortId(v.experiment.id)}</a> : <span class="muted">–</span>}</td>
      <td>{v.stages.map((s) => <span class="badge reg-stage">{s}</span>)}</td>
      <td><a href={`#/lineage?focus=${enc(v.tag)}`} data-testid={`entity-version-lineage-${v.version}`}>lineage</a></td>
    </tr>
  );
}
