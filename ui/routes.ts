import type { ComponentType } from 'preact';
import { OverviewPage } from './pages/OverviewPage.js';
import { RunsPage } from './pages/RunsPage.js';
import { RegistryPage } from './pages/RegistryPage.js';
import { EntityPage } from './pages/EntityPage.js';
import { LineagePage } from './pages/LineagePage.js';
import { RunPage } from './pages/RunPage.js';
import { ComparePage } from './pages/ComparePage.js';
import { PlotsPage } from './pages/PlotsPage.js';
import { DataPage } from './pages/DataPage.js';
import { DataHistoryPage } from './pages/DataHistoryPage.js';
import { DataDiffPage } from './pages/DataDiffPage.js';

export interface PageProps {
  /** the route's `:name` parts (and `rest` for a trailing `*`) */
  readonly route: Record<string, string>;
  /** the query after `?` in the hash */
  readonly params: URLSearchParams;
}

export interface RouteDef {
  /** `#/run/:id`; a trailing `/*` matches the rest of the path (data paths) */
  readonly pattern: string;
  /** the top bar's label, for routes that are a destination of their own */
  readonly nav?: string;
  readonly page: ComponentType<PageProps>;
}

/** Every page, one line each (branches adding pages merge cleanly); first match wins. */
export const ROUTES: RouteDef[] = [
  { pattern: '#/', page: OverviewPage },
  { pattern: '#/runs', nav: 'Runs', page: RunsPage },
  { pattern: '#/registry', nav: 'Registry', page: RegistryPage },
  { pattern: '#/entity/:name', page: EntityPage },
  { pattern: '#/lineage', nav: 'Lineage', page: LineagePage },
  { pattern: '#/run/:id', page: RunPage },
  { pattern: '#/compare', page: ComparePage },
  { pattern: '#/plots', nav: 'Plots', page: PlotsPage },
  { pattern: '#/data', nav: 'Data', page: DataPage },
  { pattern: '#/data/*', page: DataHistoryPage },
  { pattern: '#/datadiff', page: DataDiffPage },
];
