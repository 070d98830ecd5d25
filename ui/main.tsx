import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';
import { matchRoute, useLocation } from './router.js';
import { ROUTES } from './routes.js';
import type { OverviewResponse } from '../src/server/types/overviewTypes.js';

function App() {
  const loc = useLocation();
  const [overview, setOverview] = useState<OverviewResponse | null>(null);
  useEffect(() => {
    getJson<OverviewResponse>('/api/overview').then(setOverview, () => setOverview(null));
  }, []);
  let page = null;
  for (const r of ROUTES) {
    const m = matchRoute(r.pattern, loc.path);
    if (m) {
      const Page = r.page;
      page = <Page route={m} params={loc.params} />;
      break;
    }
  }
  return (
    <div class="app">
      <header class="topbar">
        <a class="brand" href="#/">trove</a>
        {overview && <span class="repo" data-testid="repo-name" title={overview.root}>{overview.name}{overview.branch ? ` · ${overview.branch}` : ''}</span>}
        <nav>
          {ROUTES.filter((r) => r.nav).map((r) => (
            <a href={r.pattern} class={loc.path === r.pattern || loc.path.startsWith(r.pattern + '/') ? 'active' : ''} data-testid={`nav-${r.nav!.toLowerCase()}`}>{r.nav}</a>
          ))}
        </nav>
      </header>
      <main data-testid="page">{page ?? <p class="empty" data-testid="not-found">No page at {loc.path}. <a href="#/">Home</a></p>}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
