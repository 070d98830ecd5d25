// A W2 repository with a history: the W2 layout (bench/lib/data.mjs, 20,000
// files of 1-64 KiB under data/) committed as version 1, then versions 2..N,
// each rewriting `changed` files spread over the directory, adding `added`
// new ones and removing `removed`, each one `trove add data` + `git commit`.
// For the data-history rows of the UI benchmark (issue 16): ~25 s for 20
// versions of 20,000 files here, most of it writing the first 650 MiB.
//
// usage (library): await makeW2History(dir, { env: gitEnv(work) })
//        (script):  node bench/lib/w2History.mjs DIR [FILES] [VERSIONS]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { layoutBytes, rewriteEntries, w2Layout, writeLayout } from './data.mjs';
import { TROVE_BIN } from './tools.mjs';
import { gitEnv } from './workloads.mjs';

function run(cwd, env, cmd, args) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Build the repository in `dir` (made empty first). Returns the data path,
 * the commits oldest first and the bytes of the first version.
 */
export function makeW2History(dir, { files = 20000, versions = 20, changed = 100, added = 10, removed = 5, env = gitEnv(path.dirname(path.resolve(dir))), log = () => {} } = {}) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const git = (...a) => run(dir, env, 'git', a);
  const trove = (...a) => run(dir, env, process.execPath, [TROVE_BIN, ...a]);
  git('init', '-q', '-b', 'main');
  trove('init');
  let layout = w2Layout(files, 100);
  writeLayout(dir, layout, 'w2/base');
  trove('add', 'data');
  git('add', '-A');
  git('commit', '-qm', 'v1: W2 data');
  const commits = [git('rev-parse', 'HEAD').trim()];
  log(`v1: ${layout.length} files, ${(layoutBytes(layout) / 2 ** 20).toFixed(0)} MiB`);
  let next = files;
  for (let v = 2; v <= versions; v++) {
    const step = layout.length / changed;
    const edit = Array.from({ length: changed }, (_, k) => layout[Math.floor(k * step + ((v * 7) % step))]);
    rewriteEntries(dir, edit, `w2/history/${v}`);
    const gone = layout.filter((_, i) => i % 997 === v % 997).slice(0, removed);
    for (const e of gone) fs.rmSync(path.join(dir, e.rel));
    const goneSet = new Set(gone);
    layout = layout.filter((e) => !goneSet.has(e));
    const fresh = Array.from({ length: added }, () => ({ rel: `data/new/v${String(v).padStart(2, '0')}/f${String(next++).padStart(6, '0')}.bin`, size: 16 * 1024 }));
    writeLayout(dir, fresh, `w2/history/new/${v}`);
    layout = [...layout, ...fresh];
    trove('add', 'data');
    git('add', '-A');
    git('commit', '-qm', `v${v}: ${changed} changed, ${added} added, ${removed} removed`);
    commits.push(git('rev-parse', 'HEAD').trim());
    log(`v${v}`);
  }
  return { path: 'data', commits };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, files, versions] = process.argv.slice(2);
  if (!dir) throw new Error('usage: node bench/lib/w2History.mjs DIR [FILES] [VERSIONS]');
  const t0 = Date.now();
  makeW2History(dir, { files: Number(files ?? 20000), versions: Number(versions ?? 20), log: (m) => process.stderr.write(`[w2History ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`) });
}
