import type { PageProps } from '../routes.js';
import { Pending } from '../components/Status.js';
import { historyHref } from '../dataLinks.js';
import { formatBytes } from '../format.js';
import { useJson } from '../useJson.js';
import type { DataPathsResponse } from '../../src/server/types/dataTypes.js';

/** `#/data`: every tracked path at HEAD, each linking to its history. */
export function DataPage(_props: PageProps) {
  const loaded = useJson<DataPathsResponse>('/api/paths');
  return (
    <section class="data-page" data-testid="data-paths">
      <h1>Data</h1>
      <Pending loaded={loaded}>
        {(d) =>
          d.paths.length === 0 ? (
            <p class="empty" data-testid="data-empty">No tracked data at HEAD{d.commit ? '' : ' (no commits yet)'}. Track some with <code>trove add PATH</code> and commit.</p>
          ) : (
            <table class="data-table">
              <thead>
                <tr>
                  <th>path</th>
                  <th>kind</th>
                  <th class="num">files</th>
                  <th class="num">size</th>
                </tr>
              </thead>
              <tbody>
                {d.paths.map((p) => (
                  <tr data-testid="data-path-row">
                    <td><a href={historyHref(p.path)} data-testid="data-path-link">{p.path}</a></td>
                    <td>{p.kind}</td>
                    <td class="num">{p.files.toLocaleString('en')}</td>
                    <td class="num" title={`${p.size} bytes`}>{formatBytes(p.size)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Pending>
    </section>
  );
}
