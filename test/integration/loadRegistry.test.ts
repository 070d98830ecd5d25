import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createGit, type Git } from '../../src/platform/git.js';
import { loadConfig } from '../../src/platform/config.js';
import { loadRegistry } from '../../src/registry/loadRegistry.js';
import type { RegistryContext } from '../../src/registry/RegistryContext.js';
import { serializeEntityRecord } from '../../src/core/entityRecord.js';
import { versionTagMessage } from '../../src/core/versionRecord.js';
import { isTroveError } from '../../src/errors/index.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';

function countingGit(cwd: string): Git & { calls: string[][] } {
  const inner = createGit(cwd);
  const calls: string[][] = [];
  return { cwd, calls, run: (args, o) => (calls.push([...args]), inner.run(args, o)) };
}

function ctxOf(repo: TmpRepo, git: Git = createGit(repo.dir)): RegistryContext {
  return { root: repo.dir, git, config: loadConfig(join(repo.dir, '.trove')) };
}

const OID = (i: number): string => `sha256:${i.toString(16).padStart(64, '0')}`;

/** `entities` × `versions` registered versions as annotated tags, written by one git fast-import, and their declarations in the work tree. */
export function seedRegistry(repo: TmpRepo, entities: number, versions: number): void {
  for (let e = 0; e < entities; e++) {
    repo.write(`.trove/registry/entities/e${e}.yaml`, serializeEntityRecord({ format: 1, name: `e${e}`, type: 'dataset', categories: ['c'], path: `data/e${e}`, mutability: 'mutable', description: '' }));
  }
  const data = (s: string): string => `data ${Buffer.byteLength(s)}\n${s}`;
  const lines = ['commit refs/heads/main', 'mark :1', 'committer T <t@example.com> 1700000000 +0000', data('base\n')];
  let n = 0;
  for (let e = 0; e < entities; e++) {
    for (let v = 1; v <= versions; v++) {
      const msg = versionTagMessage({ format: 1, entity: `e${e}`, type: 'dataset', version: `v${v}.0.0`, path: `data/e${e}`, dataOid: OID(++n), dataKind: 'dir', dataSize: 10 * v, dataFiles: v, uses: [], metrics: { accuracy: v / 100 } });
      lines.push(`tag e${e}@v${v}.0.0`, 'from :1', `tagger T <t@example.com> ${1700000000 + n} +0000`, data(msg));
    }
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.dir, input: lines.join('\n') + '\n' });
}

test('loadRegistry reads 100 entities and 2,000 versions with one git process', async () => {
  const repo = createTmpRepo();
  try {
    seedRegistry(repo, 100, 20);
    const git = countingGit(repo.dir);
    const snap = await loadRegistry(ctxOf(repo, git));
    assert.equal(git.calls.length, 1, `git calls: ${JSON.stringify(git.calls)}`);
    assert.equal(snap.commit, null);
    assert.equal(snap.entities.size, 100);
    const e7 = snap.entities.get('e7')!;
    assert.equal(e7.versions.length, 20);
    assert.deepEqual(e7.versions.slice(0, 3).map((v) => v.version), ['v1.0.0', 'v2.0.0', 'v3.0.0']);
    assert.equal(e7.versions.at(-1)!.version, 'v20.0.0', 'SemVer order, not string order');
    assert.equal(e7.versions[0]!.tag, 'e7@v1.0.0');
    assert.equal(e7.versions[0]!.author, 'T <t@example.com>');
    assert.equal(e7.versions[0]!.metrics.accuracy, 0.01);
    assert.equal(e7.file, '.trove/registry/entities/e7.yaml');
    assert.deepEqual(snap.warnings, []);
  } finally {
    repo.cleanup();
  }
});

test('loadRegistry skips an unreadable tag with a warning naming it; foreign and undeclared tags are ignored', async () => {
  const repo = createTmpRepo();
  try {
    seedRegistry(repo, 2, 1);
    repo.git('tag', '-a', '-m', 'Register e0 v2.0.0\n\ntrove-version: 1\nentity: e0\ngarbage', 'e0@v2.0.0', 'main');
    repo.git('tag', '-a', '-m', 'release', 'v1.0', 'main');
    repo.git('tag', '-a', '-m', 'x', 'other@v1.0.0', 'main');
    repo.git('tag', 'e1@v9.0.0', 'main');
    const snap = await loadRegistry(ctxOf(repo));
    assert.equal(snap.entities.get('e0')!.versions.length, 1);
    assert.ok(snap.warnings.some((w) => w.includes('e0@v2.0.0')), snap.warnings.join('\n'));
    assert.ok(snap.warnings.some((w) => w.includes('e1@v9.0.0') && /lightweight/.test(w)), snap.warnings.join('\n'));
    assert.equal(snap.warnings.length, 2);
  } finally {
    repo.cleanup();
  }
});

test('loadRegistry marks deregistered versions and deprecated entities from GTO tags', async () => {
  const repo = createTmpRepo();
  try {
    seedRegistry(repo, 2, 2);
    repo.git('tag', '-a', '-m', 'deregister', 'e0@v1.0.0!#3', 'main');
    repo.git('tag', '-a', '-m', 'deprecate', 'e1@deprecated#3', 'main');
    const snap = await loadRegistry(ctxOf(repo));
    assert.deepEqual(snap.entities.get('e0')!.versions.map((v) => v.deprecated), [true, false]);
    assert.equal(snap.entities.get('e1')!.deprecated, true);
    assert.equal(snap.entities.get('e0')!.deprecated, false);
  } finally {
    repo.cleanup();
  }
});

test('hand-garbled entity file: loadRegistry names the file and line', async () => {
  const repo = createTmpRepo();
  try {
    seedRegistry(repo, 1, 1);
    repo.write('.trove/registry/entities/e0.yaml', 'trove-entity: 1\nname: e0\ntype: dataset\ncategories: [a, b\nmutability: strict\n');
    await assert.rejects(loadRegistry(ctxOf(repo)), (e: unknown) => isTroveError(e, 'BAD_RECORD') && e.data?.file === '.trove/registry/entities/e0.yaml' && typeof e.data?.line === 'number');
    repo.write('.trove/registry/entities/e0.yaml', 'trove-entity: 1\nname: e0\ntype: dataset\nmutability: banana\n');
    await assert.rejects(loadRegistry(ctxOf(repo)), (e: unknown) => isTroveError(e, 'BAD_RECORD') && e.data?.line === 4);
    repo.write('.trove/registry/entities/e0.yaml', 'trove-entity: 1\nname: e0\ntype: dataset\npath: ../x\n');
    await assert.rejects(loadRegistry(ctxOf(repo)), (e: unknown) => isTroveError(e, 'UNSAFE_PATH') && e.data?.line === 4);
  } finally {
    repo.cleanup();
  }
});

test('loadRegistry --rev reads the declarations committed there, not the work tree', async () => {
  const repo = createTmpRepo();
  try {
    seedRegistry(repo, 3, 2);
    repo.git('add', '.trove/registry');
    repo.git('commit', '-q', '-m', 'declare');
    rmSync(join(repo.dir, '.trove/registry/entities/e1.yaml'));
    assert.equal((await loadRegistry(ctxOf(repo))).entities.size, 2);
    const git = countingGit(repo.dir);
    const snap = await loadRegistry(ctxOf(repo, git), { rev: 'HEAD' });
    assert.equal(snap.entities.size, 3);
    assert.equal(snap.commit, repo.git('rev-parse', 'HEAD').trim());
    assert.ok(git.calls.length <= 3, `git calls: ${JSON.stringify(git.calls)}`);
    const until = await loadRegistry(ctxOf(repo), { rev: 'HEAD', tagsUntil: 1700000003 });
    assert.deepEqual([...until.entities.values()].map((e) => e.versions.length), [2, 1, 0]);
  } finally {
    repo.cleanup();
  }
});

test('a symlinked registry directory is refused, never read through', async () => {
  const repo = createTmpRepo();
  try {
    mkdirSync(join(repo.dir, 'elsewhere'));
    mkdirSync(join(repo.dir, '.trove/registry'), { recursive: true });
    symlinkSync(join(repo.dir, 'elsewhere'), join(repo.dir, '.trove/registry/entities'));
    await assert.rejects(loadRegistry(ctxOf(repo)), (e: unknown) => isTroveError(e, 'UNSAFE_PATH'));
  } finally {
    repo.cleanup();
  }
});
