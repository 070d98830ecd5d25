import type { OverviewResponse } from '../../src/server/types/overviewTypes.js';
import { Pending } from '../components/Status.js';
import type { PageProps } from '../routes.js';
import { useJson } from '../useJson.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The home page: how much there is of each kind, each card a way in, and the first command when there is none. */
export function OverviewPage(_props: PageProps) {
  const loaded = useJson<OverviewResponse>('/api/overview');
  return (
    <section class="overview" data-testid="overview">
      <Pending loaded={loaded}>
        {(o) => (
          <>
            <h1>{o.name}</h1>
            <p class="muted">
              {o.branch ? `On ${o.branch}` : 'Detached HEAD'}
              {o.commit ? ` at ${o.commit.slice(0, 12)}` : ', no commit yet'} · read from Git and trove's store: nothing to sync, no database · trove {o.trove}
            </p>
            <div class="overview-cards">
              <a class="overview-card" href="#/runs" data-testid="card-runs">
                <strong>{plural(o.counts.runs, 'run')}</strong>
                <span>{o.counts.runs ? 'Compare runs, overlay their curves, find the best.' : 'Record one from a training script: import trove as keepsake (docs/experiments.md).'}</span>
              </a>
              <a class="overview-card" href="#/registry" data-testid="card-registry">
                <strong>{plural(o.counts.entities, 'entity', 'entities')}</strong>
                <span>{o.counts.entities ? 'Versions, stages, metrics and lineage of datasets and models.' : 'Name a dataset or model: trove create dataset NAME.'}</span>
              </a>
              <a class="overview-card" href="#/data" data-testid="card-data">
                <strong>{plural(o.counts.trackedPaths, 'tracked path')}</strong>
                <span>{o.counts.trackedPaths ? 'Every version along the history, what each cost in bytes, what changed.' : 'Track data: trove add data/.'}</span>
              </a>
              <a class="overview-card" href="#/lineage">
                <strong>Lineage</strong>
                <span>Data → runs → models → stages, each node a link.</span>
              </a>
            </div>
          </>
        )}
      </Pending>
    </section>
  );
}
