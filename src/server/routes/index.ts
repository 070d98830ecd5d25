import type { Hono } from 'hono';
import type { UiContext } from '../UiContext.js';
import { overviewRoutes } from './overviewRoutes.js';
import { runRoutes } from './runRoutes.js';
import { runsRoutes } from './runsRoutes.js';
import { registryRoutes } from './registryRoutes.js';
import { dataRoutes } from './dataRoutes.js';

/** Every area's routes, one line each (branches adding an area merge cleanly). */
export function registerRoutes(app: Hono, ctx: UiContext): void {
  overviewRoutes(app, ctx);
  runRoutes(app, ctx);
  runsRoutes(app, ctx);
  registryRoutes(app, ctx);
  dataRoutes(app, ctx);
}
