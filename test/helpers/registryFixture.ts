import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { versionTagMessage } from '../../src/core/versionRecord.js';
import { runCli } from './tmpRepo.js';

/**
 * Registry fixtures made with plain git (declarations, pointers from
 * `trove add`, annotated tags whose message is the version record), so the
 * stage tests do not depend on `trove create` / `trove version`.
 * Every git and trove call takes `env` so tests can fix commit and tag times.
 */

/** GIT_AUTHOR_DATE and GIT_COMMITTER_DATE at `iso` (also read by trove's own git calls). */
export function at(iso: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { GIT_AUTHOR_DATE: iso, GIT_COMMITTER_DATE: iso, ...extra };
}

export function git(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function declare(dir: string, e: { name: string; type: string; categories: string[]; path?: string; mutability?: string }): string {
  const path = e.path ?? `${e.type}/${e.categories.join('/')}/${e.name}`;
  const file = join(dir, '.trove/registry/entities', `${e.name}.yaml`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `trove-entity: 1\nname: ${e.name}\ntype: ${e.type}\ncategories: [${e.categories.join(', ')}]\npath: ${path}\nmutability: ${e.mutability ?? 'mutable'}\ndescription: ""\n`);
  return path;
}

export interface FixtureVersion {
  readonly name: string;
  readonly type: string;
  readonly path: string;
  readonly version: string;
  readonly files: Record<string, string | Buffer>;
  readonly uses?: string[];
  readonly metrics?: Record<string, number | string>;
}

/** Write the files, trove add, commit, and tag NAME@VERSION with the record as the message. */
export function makeVersion(dir: string, v: FixtureVersion, env: NodeJS.ProcessEnv = {}): string {
  for (const [rel, data] of Object.entries(v.files)) {
    const abs = join(dir, v.path, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, data);
  }
  const r = runCli(dir, ['add', v.path], env);
  if (r.code !== 0) throw new Error(`trove add ${v.path} failed: ${r.stderr}`);
  git(dir, ['add', '-A'], env);
  git(dir, ['commit', '-q', '-m', `${v.name} ${v.version}`], env);
  const pointer = readFileSync(join(dir, `${v.path}.trove`), 'utf8');
  const field = (k: string): string => new RegExp(`^${k}: (.*)$`, 'm').exec(pointer)![1]!;
  const message = versionTagMessage({ format: 1, entity: v.name, type: v.type, version: v.version, path: v.path, dataOid: field('oid'), dataKind: field('kind') as 'dir', dataSize: Number(field('size')), dataFiles: Number(field('files')), uses: [...(v.uses ?? [])].sort(), metrics: v.metrics ?? {} });
  tag(dir, `${v.name}@${v.version}`, message, env);
  return message;
}

// git tag -F - reads stdin: execFileSync with input.
export function tag(dir: string, name: string, message: string, env: NodeJS.ProcessEnv = {}, commit = 'HEAD'): void {
  execFileSync('git', ['tag', '-a', '--cleanup=verbatim', '-F', '-', name, commit], { cwd: dir, input: message, env: { ...process.env, ...env } });
}

/**
 * A fake `gh` first on PATH: records its argv (one per line) and the body
 * file, prints a pull-request URL; `auth status` exits with `authExit`.
 */
export function fakeGh(binDir: string, logDir: string, options: { authExit?: number; name?: 'gh' | 'glab' } = {}): { env: NodeJS.ProcessEnv; args: () => string[] | null; body: () => string | null } {
  mkdirSync(binDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const argsFile = join(logDir, 'gh.args');
  const bodyFile = join(logDir, 'gh.body');
  const script = `#!/bin/sh
if [ "$1" = auth ]; then exit ${options.authExit ?? 0}; fi
: > '${argsFile}'
for a in "$@"; do printf '%s\\n' "$a" >> '${argsFile}'; done
while [ $# -gt 0 ]; do
  if [ "$1" = --body-file ]; then cp "$2" '${bodyFile}'; fi
  shift
done
echo https://github.com/example/mlproject/pull/1
`;
  const file = join(binDir, options.name ?? 'gh');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return {
    env: { PATH: `${binDir}${delimiter}${pathWithout(['gh', 'glab'])}` },
    args: () => (existsSync(argsFile) ? readFileSync(argsFile, 'utf8').split('\n').slice(0, -1) : null),
    body: () => (existsSync(bodyFile) ? readFileSync(bodyFile, 'utf8') : null),
  };
}

/** PATH without any directory holding one of `names` (a machine where they are not installed). */
export function pathWithout(names: string[]): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => d !== '' && !names.some((n) => existsSync(join(d, n))))
    .join(delimiter);
}

/** An 8×8 grey-level "digit" as a binary PGM: a few strokes placed by the digit and the seed (real image bytes, not random noise). */
export function digitImage(digit: number, seed: number): Buffer {
  const px = Buffer.alloc(64);
  const strokes: Record<number, [number, number][]> = {
    0: [[1, 2], [1, 5], [6, 2], [6, 5], [3, 1], [3, 6]], 1: [[1, 4], [3, 4], [5, 4], [6, 4]], 2: [[1, 2], [1, 5], [3, 5], [5, 2], [6, 5]],
    3: [[1, 2], [1, 5], [3, 4], [6, 2], [6, 5]], 4: [[1, 2], [3, 2], [3, 5], [5, 5], [6, 5]], 5: [[1, 5], [1, 2], [3, 2], [5, 5], [6, 2]],
    6: [[1, 5], [3, 2], [5, 2], [6, 5], [4, 4]], 7: [[1, 2], [1, 5], [3, 5], [5, 4], [6, 3]], 8: [[1, 3], [3, 3], [4, 4], [6, 3], [2, 5]], 9: [[1, 3], [3, 5], [2, 2], [5, 5], [6, 4]],
  };
  for (const [y, x] of strokes[digit % 10]!) for (const [dy, dx] of [[0, 0], [0, 1], [1, 0]] as const) px[Math.min(7, y + dy) * 8 + Math.min(7, x + dx + (seed % 2))] = 200 + ((seed * 7 + y) % 55);
  return Buffer.concat([Buffer.from('P5\n8 8\n255\n'), px]);
}

export const T = {
  declared: '2026-01-01T09:00:00Z',
  v1: '2026-01-01T10:00:00Z',
  v2: '2026-01-02T10:00:00Z',
};

/**
 * Declarations of mnist (dataset), labelsmnist (labels) and modelmnist
 * (model) under handwritten/digits, and two versions of each; model v2 was
 * made from mnist v2 and labels v2 and scores better.
 */
export function buildMnist(dir: string, via: 'git' | 'cli' = 'git'): { model: string; dataset: string; labels: string } {
  if (via === 'cli') return buildMnistCli(dir);
  const dataset = declare(dir, { name: 'mnist', type: 'dataset', categories: ['handwritten', 'digits'], mutability: 'strict' });
  const labels = declare(dir, { name: 'labelsmnist', type: 'labels', categories: ['handwritten', 'digits'], mutability: 'strict' });
  const model = declare(dir, { name: 'modelmnist', type: 'model', categories: ['handwritten', 'digits'] });
  git(dir, ['add', '-A'], at(T.declared));
  git(dir, ['commit', '-q', '-m', 'declare mnist, labelsmnist, modelmnist'], at(T.declared));
  const images = (from: number, to: number): Record<string, Buffer> => Object.fromEntries(Array.from({ length: to - from }, (_, i) => [`img${String(from + i).padStart(3, '0')}.pgm`, digitImage(from + i, from + i)]));
  const labelCsv = (n: number): string => 'file,label\n' + Array.from({ length: n }, (_, i) => `img${String(i).padStart(3, '0')}.pgm,${i % 10}\n`).join('');
  makeVersion(dir, { name: 'mnist', type: 'dataset', path: dataset, version: 'v1.0.0', files: images(0, 20) }, at(T.v1));
  makeVersion(dir, { name: 'labelsmnist', type: 'labels', path: labels, version: 'v1.0.0', files: { 'labels.csv': labelCsv(20) } }, at(T.v1));
  makeVersion(dir, { name: 'modelmnist', type: 'model', path: model, version: 'v1.0.0', files: { 'model.bin': Buffer.from('weights-v1-'.repeat(300)) }, uses: ['mnist@v1.0.0', 'labelsmnist@v1.0.0'], metrics: { accuracy: 0.95 } }, at(T.v1));
  makeVersion(dir, { name: 'mnist', type: 'dataset', path: dataset, version: 'v2.0.0', files: images(20, 30) }, at(T.v2));
  makeVersion(dir, { name: 'labelsmnist', type: 'labels', path: labels, version: 'v2.0.0', files: { 'labels-2.csv': labelCsv(30) } }, at(T.v2));
  makeVersion(dir, { name: 'modelmnist', type: 'model', path: model, version: 'v2.0.0', files: { 'model.bin': Buffer.from('weights-v2-'.repeat(400)), 'config.json': '{"layers":3}\n' }, uses: ['mnist@v2.0.0', 'labelsmnist@v2.0.0'], metrics: { accuracy: 0.9746 } }, at(T.v2));
  return { model, dataset, labels };
}

function cli(dir: string, args: string[], env: NodeJS.ProcessEnv): void {
  const r = runCli(dir, args, env);
  if (r.code !== 0) throw new Error(`trove ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
}

/** buildMnist through trove create and trove version, as a user would. */
function buildMnistCli(dir: string): { model: string; dataset: string; labels: string } {
  const cat = ['--category', 'handwritten', '--category', 'digits'];
  cli(dir, ['create', 'dataset', 'mnist', ...cat, '--mutability', 'strict'], at(T.declared));
  cli(dir, ['create', 'labels', 'labelsmnist', ...cat, '--mutability', 'strict'], at(T.declared));
  cli(dir, ['create', 'model', 'modelmnist', ...cat, '--mutability', 'mutable'], at(T.declared));
  git(dir, ['commit', '-q', '-m', 'declare mnist, labelsmnist, modelmnist'], at(T.declared));
  const paths = { dataset: 'dataset/handwritten/digits/mnist', labels: 'labels/handwritten/digits/labelsmnist', model: 'model/handwritten/digits/modelmnist' };
  const put = (path: string, files: Record<string, string | Buffer>): void => {
    for (const [rel, data] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path, rel)), { recursive: true });
      writeFileSync(join(dir, path, rel), data);
    }
  };
  const images = (from: number, to: number): Record<string, Buffer> => Object.fromEntries(Array.from({ length: to - from }, (_, i) => [`img${String(from + i).padStart(3, '0')}.pgm`, digitImage(from + i, from + i)]));
  const labelCsv = (n: number): string => 'file,label\n' + Array.from({ length: n }, (_, i) => `img${String(i).padStart(3, '0')}.pgm,${i % 10}\n`).join('');
  put(paths.dataset, images(0, 20));
  cli(dir, ['version', 'mnist'], at(T.v1));
  put(paths.labels, { 'labels.csv': labelCsv(20) });
  cli(dir, ['version', 'labelsmnist'], at(T.v1));
  put(paths.model, { 'model.bin': Buffer.from('weights-v1-'.repeat(300)) });
  cli(dir, ['version', 'modelmnist', '--metric', 'accuracy=0.95', '--dataset', 'mnist', '--labels', 'labelsmnist'], at(T.v1));
  put(paths.dataset, images(20, 30));
  cli(dir, ['version', 'mnist'], at(T.v2));
  put(paths.labels, { 'labels-2.csv': labelCsv(30) }); // strict: a new version adds files, never changes one
  cli(dir, ['version', 'labelsmnist'], at(T.v2));
  put(paths.model, { 'model.bin': Buffer.from('weights-v2-'.repeat(400)), 'config.json': '{"layers":3}\n' });
  cli(dir, ['version', 'modelmnist', '--metric', 'accuracy=0.9746', '--dataset', 'mnist', '--labels', 'labelsmnist'], at(T.v2));
  return paths;
}
