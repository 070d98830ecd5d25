import { useState } from 'preact/hooks';
import type { UiRegistryResponse } from '../../src/server/types/uiRegistryTypes.js';
import { Pending } from '../components/Status.js';
import { formatTime } from '../format.js';
import type { PageProps } from '../routes.js';
import { useJson } from '../useJson.js';

const enc = encodeURIComponent;

/** #/registry: every entity with its type, categories, latest version and what each stage holds (`trove registry`). */
export function RegistryPage(_props: PageProps) {
  const loaded = useJson<UiRegistryResponse>('/api/registry');
  const [type, setType] = useState('');
  return (
    <section class="reg" data-testid="registry">
      <h1>Registry</h1>
      <Pending loaded={loaded}>
        {(r) => {
          const types = [...new Set(r.entities.map((e) => e.type))].sort();
          const shown = r.entities.filter((e) => !type || e.type === type);
          if (r.entities.length === 0) return <p class="empty" data-testid="registry-empty">No entities yet: <code>trove create TYPE NAME</code> declares one.</p>;
          return (
            <>
              <p class="reg-tools">
                <label>
                  Type{' '}
                  <select data-testid="registry-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
                    <option value="">all</option>
                    {types.map((t) => <option value={t}>{t}</option>)}
                  </select>
                </label>{' '}
                <a href="#/lineage" data-testid="registry-lineage">Lineage of everything</a>
              </p>
              <table class="reg-table" data-testid="registry-table">
                <thead>
                  <tr>
                    <th>name</th>
                    <th>type</th>
                    <th>categories</th>
                    <th>latest</th>
                    <th>registered</th>
                    <th class="num">versions</th>
                    {r.stages.map((s) => <th>{s}</th>)}
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {shown.map((e) => (
                    <tr data-testid={`registry-row-${e.name}`} class={e.deprecated ? 'reg-deprecated' : ''}>
                      <td><a href={`#/entity/${enc(e.name)}`} data-testid={`registry-link-${e.name}`}>{e.name}</a>{e.deprecated && <span class="badge reg-dep"> deprecated</span>}</td>
                      <td><span class={`badge reg-kind-${e.type}`}>{e.type}</span></td>
                      <td class="muted">{e.categories.join(' / ') || '–'}</td>
                      <td>{e.latest ? <a href={`#/entity/${enc(e.name)}?v=${enc(e.latest)}`}>{e.latest}</a> : '–'}</td>
                      <td class="muted" title={e.latestTime ? new Date(e.latestTime * 1000).toISOString() : ''}>{e.latestTime ? formatTime(e.latestTime * 1000) : '–'}</td>
                      <td class="num">{e.versions}</td>
                      {r.stages.map((s) => (
                        <td data-testid={`registry-stage-${e.name}-${s}`}>
                          {(e.stages[s] ?? []).length === 0 ? <span class="muted">–</span> : (e.stages[s] ?? []).map((v, i) => <>{i > 0 && ', '}<a href={`#/entity/${enc(e.name)}?v=${enc(v)}`}>{v}</a></>)}
                        </td>
                      ))}
                      <td>{e.latest && <a href={`#/lineage?focus=${enc(`${e.name}@${e.latest}`)}`}>lineage</a>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {r.warnings.length > 0 && <ul class="reg-warnings muted">{r.warnings.map((w) => <li>{w}</li>)}</ul>}
            </>
          );
        }}
      </Pending>
    </section>
  );
}
