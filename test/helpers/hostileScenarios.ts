import { unpackStore } from './unpackStore.js';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  compareTree,
  copyTree,
  describeFailure,
  git,
  hashFile,
  initRepo,
  jsonError,
  listWorkFiles,
  randInt,
  trove,
  troveTempFiles,
  Verdict,
  writeSeededFile,
  type Scale,
  type Scenario,
} from './campaignKit.js';
import { writeSmall } from './crashScenarios.js';

/**
 * Hostile input, drawn at random from the seed: pointer files, manifest pages
 * and remote packs and indexes that are truncated, flipped, garbage, oversized
 * or subtly wrong. test/e2e/badInput.test.ts, faults.test.ts and
 * test/integration/transferFaults.test.ts check fixed cases (a malformed
 * pointer, hostile manifest paths, one flipped bit, faulty HTTP responses);
 * these fuzz the rest. Every command must end with a TroveError (never a crash
 * or a hang), place no wrong bytes, write nothing outside the repository and
 * leave other data intact.
 */

type Mutation = [name: string, apply: (b: Buffer, rng: () => number) => Buffer];

const junk = (n: number, rng: () => number): Buffer => Buffer.from(Array.from({ length: n }, () => randInt(rng, 0, 255)));

/** Mutations that know nothing of the format. */
const generic: Mutation[] = [
  ['truncated', (b, rng) => b.subarray(0, randInt(rng, 0, Math.max(0, b.length - 1)))],
  ['flipped bytes', (b, rng) => {
    const c = Buffer.from(b);
    for (let k = randInt(rng, 1, 3); k > 0 && c.length; k--) c[randInt(rng, 0, c.length - 1)]! ^= randInt(rng, 1, 255); // an index below c.length
    return c;
  }],
  ['garbage', (_, rng) => junk(randInt(rng, 1, 4096), rng)],
  ['oversized', (b, rng) => Buffer.concat([b, Buffer.alloc(randInt(rng, 1, 8) << 20, 'a')])],
  ['empty', () => Buffer.alloc(0)],
];

/** Replace the value of `key: …` in pointer text. */
const pointerField = (key: string, value: (rng: () => number) => string): Mutation => [`pointer ${key}`, (b, rng) => Buffer.from(b.toString().replace(new RegExp(`^${key}: .*$`, 'm'), `${key}: ${value(rng)}`))];
const pointerMutations: Mutation[] = [
  ...generic,
  pointerField('size', (rng) => ['99999999999999999999999', '-1', '1e300', '0x10', ''][randInt(rng, 0, 4)]!),
  pointerField('oid', (rng) => ['sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'0'.repeat(32)}`, `sha256:${'0'.repeat(64)}`][randInt(rng, 0, 3)]!),
  pointerField('kind', (rng) => ['folder', 'dir\u0000', 'file'][randInt(rng, 0, 2)]!),
  ['duplicate keys', (b) => Buffer.from(b.toString() + b.toString())],
  ['CRLF', (b) => Buffer.from(b.toString().replace(/\n/g, '\r\n'))],
];

/** Run each command with --json: it must end with a result or a TroveError, in time, never INTERNAL or a signal. */
async function survives(dir: string, commands: string[][], s: Scale, v: Verdict): Promise<void> {
  for (const args of commands) {
    const p = await trove(dir, ['--json', ...args], { timeoutMs: Math.min(s.timeoutMs, 120_000) });
    const e = jsonError(p);
    if (p.timedOut || p.signal || p.code === 70 || e?.code === 'INTERNAL') v.add('stuck', `crashed or hung: ${describeFailure(args, p)}`);
    else if (p.code !== 0 && !e && !(args[0] === 'fsck' && p.code === 1)) v.add('stuck', `no error object: ${describeFailure(args, p)}`);
    else if (e && !e.hint) v.metrics.noHint = (v.metrics.noHint ?? 0) + 1;
  }
}

/** Nothing written beside the repository or into its Git hooks. */
function staysInside(runDir: string, repo: string, hooksBefore: string[], v: Verdict): void {
  const outside = readdirSync(runDir).filter((n) => n !== 'repo');
  if (outside.length) v.add('corrupt', `wrote outside the repository: ${outside.join(', ')}`);
  const hooks = readdirSync(join(repo, '.git/hooks'));
  if (hooks.join() !== hooksBefore.join()) v.add('corrupt', `changed .git/hooks: ${hooks.join(', ')}`);
}

interface RepoTemplate {
  template: string;
  expected: Record<string, string>;
  contents: Set<string>;
}

async function prepareRepo(base: string, s: Scale): Promise<RepoTemplate> {
  const template = join(base, 'template');
  await initRepo(template);
  const expected = {
    'good.bin': writeSeededFile(join(template, 'good.bin'), 64 * 1024, 51),
    'model.bin': writeSeededFile(join(template, 'model.bin'), 3 * 1024 * 1024 + 5, 52),
    ...writeSmall(template, 40, 53),
  };
  const r = await trove(template, ['--json', 'add', 'good.bin', 'model.bin', 'data'], { timeoutMs: s.timeoutMs });
  if (r.code !== 0) throw new Error(describeFailure(['add'], r));
  git(template, 'commit', '-qm', 'data');
  return { template, expected, contents: new Set(Object.values(expected)) };
}

const READERS = [['status'], ['ls'], ['diff'], ['checkout'], ['checkout', 'good.bin'], ['gc', '--dry-run'], ['fsck']];

export const hostilePointer: Scenario<RepoTemplate> = {
  name: 'hostile: pointer',
  what: 'a pointer file (of a file or a directory) mutated at random; every reading command, then good.bin intact',
  prepare: (base, s) => prepareRepo(base, s),
  async run(t, { rng, dir, scale }) {
    const repo = join(dir, 'repo');
    mkdirSync(dir, { recursive: true });
    copyTree(t.template, repo);
    const hooks = readdirSync(join(repo, '.git/hooks'));
    const target = rng() < 0.5 ? 'model.bin' : 'data';
    const [name, apply] = pointerMutations[randInt(rng, 0, pointerMutations.length - 1)]!;
    writeFileSync(join(repo, `${target}.trove`), apply(readFileSync(join(repo, `${target}.trove`)), rng));
    rmSync(join(repo, target), { recursive: true, force: true });
    const v = new Verdict();
    v.metrics[`mutation: ${target} ${name}`] = 1;
    await survives(repo, READERS, scale, v);
    if (compareTree(repo, { 'good.bin': t.expected['good.bin']! }).length) v.add('lost', `good.bin changed or removed after ${target}.trove was ${name}`);
    placedBytesAreKnown(repo, t.contents, v);
    staysInside(dir, repo, hooks, v);
    return v.result();
  },
};

/** Every file in the work tree holds bytes that were written: no invented or mixed-up content placed. */
function placedBytesAreKnown(repo: string, contents: Set<string>, v: Verdict): void {
  for (const p of listWorkFiles(repo)) {
    if (p.endsWith('.trove') || p.endsWith('.gitignore')) continue;
    if (/\.tmp-/.test(p)) v.add('stuck', `temp file left: ${p}`);
    else if (!contents.has(hashFile(join(repo, p)))) v.add('corrupt', `placed bytes that were never written: ${p}`);
  }
}

/** The loose path of an object (the store unpacked first: these scenarios plant and read loose files). */
const oidPath = (repo: string, hex: string): string => {
  unpackStore(join(repo, '.trove/cache'));
  return join(repo, '.trove/cache/objects/sha256', hex.slice(0, 2), hex.slice(2));
};
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
function plant(repo: string, bytes: Buffer | string): string {
  const hex = sha(bytes);
  const p = oidPath(repo, hex);
  mkdirSync(dirname(p), { recursive: true });
  if (!existsSync(p)) writeFileSync(p, bytes);
  return hex;
}

const rows = (page: string): string[] => page.split('\n').slice(1).filter(Boolean);
const manifestMutations: Mutation[] = [
  ...generic,
  ['huge or negative size', (b, rng) => Buffer.from(b.toString().replace(/,(\d+),"sha256/, `,${['1e300', '18446744073709551617', '-5', '1.5'][randInt(rng, 0, 3)]},"sha256`))],
  ['unknown mode', (b) => Buffer.from(b.toString().replace(/,"f",/, ',"q",'))],
  ['duplicate rows', (b) => Buffer.from(b.toString() + rows(b.toString())[0] + '\n')],
  ['unsorted rows', (b) => Buffer.from([b.toString().split('\n')[0], ...rows(b.toString()).reverse()].join('\n') + '\n')],
  ['short oid', (b) => Buffer.from(b.toString().replace(/"sha256:[0-9a-f]{64}"/, '"sha256:abcdef"'))],
  ['content not in the store', (b, rng) => Buffer.from(b.toString().replace(/"sha256:[0-9a-f]{64}"/, `"sha256:${sha(junk(16, rng))}"`))],
  ['newer version', (b) => Buffer.from(b.toString().replace(/^trove-manifest 1/, 'trove-manifest 9'))],
  ['node header on leaf rows', (b) => Buffer.from(b.toString().replace(/^trove-manifest 1 leaf/, 'trove-manifest 1 node'))],
  ['many rows', (b) => {
    const first = rows(b.toString())[0]!;
    const lines = Array.from({ length: 20_000 }, (_, i) => first.replace(/^\["[^"]*"/, `["z/${String(i).padStart(6, '0')}"`));
    return Buffer.from(['trove-manifest 1 leaf', ...lines].join('\n') + '\n');
  }],
];

export const hostileManifest: Scenario<RepoTemplate> = {
  name: 'hostile: manifest',
  what: 'a directory whose manifest page is mutated at random (validly stored, so it must be parsed) or nested 2000 levels deep',
  prepare: (base, s) => prepareRepo(base, s),
  async run(t, { rng, dir, scale }) {
    const repo = join(dir, 'repo');
    mkdirSync(dir, { recursive: true });
    copyTree(t.template, repo);
    const hooks = readdirSync(join(repo, '.git/hooks'));
    const pointer = readFileSync(join(repo, 'data.trove'), 'utf8');
    const root = /oid: sha256:([0-9a-f]{64})/.exec(pointer)![1]!;
    const page = readFileSync(oidPath(repo, root));
    let hex: string;
    let name: string;
    if (rng() < 0.15) {
      // A chain of node pages, each with one child: deep enough to break a recursive walk.
      name = 'nested 2000 levels';
      const first = JSON.parse(rows(page.toString())[0]!)[0];
      const files = rows(page.toString()).length;
      const size = rows(page.toString()).reduce((n, l) => n + Number(JSON.parse(l)[2]), 0);
      hex = root;
      for (let d = 0; d < 2000; d++) hex = plant(repo, `trove-manifest 1 node\n${JSON.stringify([first, files, size, `sha256:${hex}`])}\n`);
    } else {
      const m = manifestMutations[randInt(rng, 0, manifestMutations.length - 1)]!;
      name = m[0];
      hex = plant(repo, m[1](page, rng));
    }
    writeFileSync(join(repo, 'data.trove'), pointer.replace(root, hex));
    rmSync(join(repo, 'data'), { recursive: true, force: true });
    const v = new Verdict();
    v.metrics[`mutation: ${name}`] = 1;
    await survives(repo, READERS, scale, v);
    if (compareTree(repo, { 'good.bin': t.expected['good.bin']!, 'model.bin': t.expected['model.bin']! }).length) v.add('lost', `good.bin or model.bin changed after a manifest was ${name}`);
    placedBytesAreKnown(repo, t.contents, v);
    staysInside(dir, repo, hooks, v);
    return v.result();
  },
};

const idxLines = (b: Buffer): string[] => b.toString().split('\n');
const packMutations: [string, 'pack' | 'idx', (b: Buffer, rng: () => number) => Buffer | null][] = [
  ...generic.map(([n, f]) => [`pack ${n}`, 'pack', f] as [string, 'pack', Mutation[1]]),
  ...generic.map(([n, f]) => [`index ${n}`, 'idx', f] as [string, 'idx', Mutation[1]]),
  ['pack deleted', 'pack', () => null],
  ['index length huge', 'idx', (b) => Buffer.from(idxLines(b).map((l, i) => (i === 1 ? l.replace(/ \d+$/, ' 9007199254740993') : l)).join('\n'))],
  ['index offsets overlap', 'idx', (b) => Buffer.from(idxLines(b).map((l, i) => (i === 2 ? l.replace(/^(\S+ \S+ )\d+/, '$10') : l)).join('\n'))],
  ['index names another object', 'idx', (b) => {
    const l = idxLines(b);
    if (l.length > 3) [l[1], l[2]] = [l[1]!.replace(/^(\S+ )\S+/, `$1${l[2]!.split(' ')[1]}`), l[2]!.replace(/^(\S+ )\S+/, `$1${l[1]!.split(' ')[1]}`)];
    return Buffer.from(l.join('\n'));
  }],
];

interface RemoteTemplate {
  base: string;
  template: string;
  expected: Record<string, string>;
}

export const hostilePack: Scenario<RemoteTemplate> = {
  name: 'hostile: remote pack',
  what: 'a pack or pack index on a directory remote mutated at random (renamed to match when the index changes); a fresh clone pulls',
  async prepare(base, s) {
    const run = join(base, 'run');
    mkdirSync(run, { recursive: true });
    git(run, 'init', '-q', '--bare', '-b', 'main', 'origin.git');
    git(run, 'clone', '-q', 'origin.git', 'a');
    const a = join(run, 'a');
    await initRepo(a);
    const expected = { 'model.bin': writeSeededFile(join(a, 'model.bin'), 3 * 1024 * 1024 + 5, 61), ...writeSmall(a, 60, 62) };
    for (const args of [['add', 'model.bin', 'data'], ['remote', 'add', '-d', 'store', join(run, 'remote')]]) {
      const r = await trove(a, ['--json', ...args], { timeoutMs: s.timeoutMs });
      if (r.code !== 0) throw new Error(describeFailure(args, r));
    }
    git(a, 'add', '-A');
    git(a, 'commit', '-qm', 'data');
    git(a, 'push', '-q', 'origin', 'main');
    const r = await trove(a, ['--json', 'push'], { timeoutMs: s.timeoutMs });
    if (r.code !== 0) throw new Error(describeFailure(['push'], r));
    git(run, 'clone', '-q', 'origin.git', 'b');
    const template = join(base, 'template');
    copyTree(run, template);
    return { base, template, expected };
  },
  async run(t, { rng, scale }) {
    const run = join(t.base, 'run');
    copyTree(t.template, run);
    const packs = join(run, 'remote/packs');
    const names = readdirSync(packs).filter((n) => n.endsWith('.idx')).map((n) => n.slice(0, -4)).sort();
    const victim = names[randInt(rng, 0, names.length - 1)]!;
    const [name, part, apply] = packMutations[randInt(rng, 0, packMutations.length - 1)]!;
    const file = join(packs, `${victim}.${part}`);
    chmodSync(file, 0o644);
    const out = apply(readFileSync(file), rng);
    if (out === null) rmSync(file);
    else writeFileSync(file, out);
    // An index that does not hash to its name counts as absent; renaming makes the reader parse it.
    if (out && part === 'idx' && rng() < 0.6) {
      const renamed = sha(out);
      renameSync(file, join(packs, `${renamed}.idx`));
      renameSync(join(packs, `${victim}.pack`), join(packs, `${renamed}.pack`));
    }
    const b = join(run, 'b');
    const v = new Verdict();
    v.metrics[`mutation: ${name}`] = 1;
    await survives(b, [['pull'], ['status'], ['fsck', '--remote', 'store', '--thorough']], scale, v);
    const fsck = await trove(b, ['--json', 'fsck'], { timeoutMs: scale.timeoutMs });
    if (fsck.code !== 0) v.add('corrupt', `local ${describeFailure(['fsck'], fsck)}`);
    for (const p of listWorkFiles(b)) {
      if (!(p in t.expected)) continue;
      if (hashFile(join(b, p)) !== t.expected[p]) v.add('corrupt', `placed wrong bytes: ${p}`);
    }
    const temps = troveTempFiles(b);
    if (temps.length) v.add('stuck', `temp files left: ${temps.slice(0, 3).join(', ')}`);
    return v.result();
  },
};

export const hostileScenarios: Scenario[] = [hostilePointer, hostileManifest, hostilePack];
