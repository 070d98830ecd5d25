import type { PageProps } from '../routes.js';
import { ROUTES } from '../routes.js';

/** The home page: what there is to look at, one link per area. */
export function OverviewPage(_props: PageProps) {
  const areas = ROUTES.filter((r) => r.nav);
  return (
    <section class="overview" data-testid="overview">
      <h1>This repository</h1>
      <p>Everything here is read from Git and trove's store: nothing to sync, no database.</p>
      <ul class="overview-areas">
        {areas.map((r) => (
          <li><a href={r.pattern}>{r.nav}</a></li>
        ))}
      </ul>
    </section>
  );
}
