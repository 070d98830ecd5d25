#!/usr/bin/env node
// Bundles the web UI (ui/) into dist/ui/: index.html, app.js (Preact, uPlot,
// dagre and our pages in one minified file) and app.css (uPlot's sheet and
// ours). The server reads exactly these three files; nothing is fetched at
// run time. Type-checking is `tsc -p ui/tsconfig.json` (npm run build runs both).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/ui/`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}ui/main.tsx`],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: `${out}app.js`,
  legalComments: 'none',
  logLevel: 'warning',
  // core/ modules the UI shares with the CLI (the run filter) are pure; nothing of Node's may come in.
  platform: 'browser',
});
const css = [readFileSync(`${root}node_modules/uplot/dist/uPlot.min.css`, 'utf8'), readFileSync(`${root}ui/app.css`, 'utf8')].join('\n');
writeFileSync(`${out}app.css`, css);
copyFileSync(`${root}ui/index.html`, `${out}index.html`);
