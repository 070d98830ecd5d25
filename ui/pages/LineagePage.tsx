import { useEffect, useState } from 'preact/hooks';
import type { UiLineageResponse } from '../../src/server/types/uiRegistryTypes.js';
import { LineageGraph } from '../components/LineageGraph.js';
import { Pending } from '../components/Status.js';
import { query } from '../api.js';
import { navigate } from '../router.js';
import type { PageProps } from '../routes.js';
import { useJson } from '../useJson.js';

const LEGEND: [string, string][] = [['dataset', 'dataset version'], ['labels', 'labels version'], ['run', 'run'], ['model', 'model version'], ['stage', 'stage now'], ['data', 'data path'], ['other', 'other version']];

/**
 * #/lineage[?focus=REF]: datasets and labels → runs → model versions →
 * stages. With a focus (NAME@vX.Y.Z, NAME, NAME#STAGE, run:ID) only what it
 * came from and what came from it.
 */
export function LineagePage({ params }: PageProps) {
  const focus = params.get('focus') ?? '';
  const loaded = useJson<UiLineageResponse>(`/api/lineage${query({ focus: focus || undefined })}`);
  const [text, setText] = useState(focus);
  useEffect(() => setText(focus), [focus]); // a node click changes the focus in the address
  return (
    <section class="reg-lineage-page" data-testid="lineage">
      <h1>Lineage{focus && <> of <span data-testid="lineage-focus">{focus}</span></>}</h1>
      <form
        class="reg-tools"
        onSubmit={(ev) => {
          ev.preventDefault();
          navigate(`#/lineage${query({ focus: text.trim() || undefined })}`);
        }}
      >
        <input data-testid="lineage-focus-input" placeholder="modelmnist#production, mnist@v1.0.0, run:3f2a" value={text} onInput={(ev) => setText((ev.target as HTMLInputElement).value)} size={36} />{' '}
        <button type="submit">Focus</button> {focus && <a href="#/lineage" data-testid="lineage-all">everything</a>}
        <span class="reg-legend">
          {LEGEND.map(([k, t]) => (
            <span class={`reg-legend-item ${k}`}><i />{t}</span>
          ))}
        </span>
      </form>
      <Pending loaded={loaded}>
        {(g) =>
          g.nodes.length === 0 ? (
            <p class="empty" data-testid="lineage-empty">No lineage yet: versions made with <code>--dataset</code> / <code>--labels</code>, or promoted from a run (<code>trove exp promote</code>), show here.</p>
          ) : (
            <>
              <div class="reg-graph-box">
                <LineageGraph nodes={g.nodes} edges={g.edges} />
              </div>
              <p class="muted reg-sub">Click a node to open its page. Solid arrows: a run read the data, or a version was promoted from a run; dashed: a version was made from another; dotted: a stage holds the version.</p>
              {g.warnings.length > 0 && <ul class="reg-warnings muted">{g.warnings.map((w) => <li>{w}</li>)}</ul>}
            </>
          )
        }
      </Pending>
    </section>
  );
}
