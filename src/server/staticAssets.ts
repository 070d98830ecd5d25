import { readFileSync } from 'node:fs';
import { TroveError } from '../errors/index.js';

/** The built front end (scripts/build-ui.mjs writes it to dist/ui; this file runs from dist/src/server). */
export const UI_DIR = new URL('../../ui/', import.meta.url);

export interface StaticAsset {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * The front end's files, read once into memory at start-up. Only these
 * fixed names are ever served: a request path is never joined to a
 * directory, so no URL can reach another file.
 */
export function loadStaticAssets(dir: URL = UI_DIR): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const [name, type] of Object.entries(TYPES)) {
    try {
      assets.set(name, { body: readFileSync(new URL(name, dir)), type });
    } catch (err) {
      throw new TroveError('INTERNAL', `The web UI's ${name} is missing from ${dir.pathname}.`, { hint: 'Run npm run build (it bundles the front end into dist/ui).', cause: err });
    }
  }
  return assets;
}
