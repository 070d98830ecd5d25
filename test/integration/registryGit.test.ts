import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createGit, type Git } from '../../src/platform/git.js';
import { createAnnotatedTag, deleteTag, listTagRecords, lsRemoteTags } from '../../src/platform/gitRefs.js';
import { commitFiles } from '../../src/platform/gitCommitPaths.js';
import { isTroveError } from '../../src/errors/index.js';
import { createTmpRepo } from '../helpers/tmpRepo.js';

/** A Git that counts the processes it starts. */
function countingGit(cwd: string): Git & { calls: string[][] } {
  const inner = createGit(cwd);
  const calls: string[][] = [];
  return { cwd, calls, run: (args, o) => (calls.push([...args]), inner.run(args, o)) };
}

/** `n` annotated tags name{i}@v1.0.0 on one commit, written by one `git fast-import` (seconds for thousands, where `git tag` takes a process each). */
export function fastImportTags(dir: string, n: number, message: (i: number) => string): void {
  const lines: string[] = [];
  const data = (s: string): string => `data ${Buffer.byteLength(s)}\n${s}`;
  lines.push('commit refs/heads/main', 'mark :1', 'committer T <t@example.com> 1700000000 +0000', data('base\n'));
  for (let i = 0; i < n; i++) lines.push(`tag e${i}@v1.0.0`, 'from :1', `tagger T <t@example.com> ${1700000000 + i} +0000`, data(message(i)));
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: lines.join('\n') + '\n' });
}

test('listTagRecords reads 2,000 annotated tags in one process', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    fastImportTags(repo.dir, 2000, (i) => `Register e${i} v1.0.0\n\ntrove-version: 1\nentity: e${i}\n`);
    repo.git('tag', 'lightweight', 'main');
    const git = countingGit(repo.dir);
    const tags = await listTagRecords(git);
    assert.equal(git.calls.length, 1, 'one git process for the whole list');
    assert.equal(tags.length, 2001);
    const commit = repo.git('rev-parse', 'main').trim();
    const t = tags.find((r) => r.tag === 'e1234@v1.0.0')!;
    assert.equal(t.objectType, 'tag');
    assert.equal(t.commit, commit, 'peeled to the commit');
    assert.equal(t.time, 1700001234);
    assert.equal(t.author, 'T <t@example.com>');
    assert.equal(t.message, 'Register e1234 v1.0.0\n\ntrove-version: 1\nentity: e1234\n');
    const lw = tags.find((r) => r.tag === 'lightweight')!;
    assert.deepEqual([lw.objectType, lw.commit, lw.message, lw.time], ['commit', commit, '', 0]);
  } finally {
    repo.cleanup();
  }
});

test('createAnnotatedTag keeps the message verbatim and refuses an existing tag with VERSION_EXISTS', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    repo.git('commit', '-q', '--allow-empty', '-m', 'one');
    const git = createGit(repo.dir);
    const head = repo.git('rev-parse', 'HEAD').trim();
    const msg = 'Register m v1.0.0\n\n# not a comment\nmetric.a: 1\n';
    const id = await createAnnotatedTag(git, 'm@v1.0.0', head, msg);
    assert.equal((await listTagRecords(git))[0]!.message, msg);
    await assert.rejects(createAnnotatedTag(git, 'm@v1.0.0', head, msg), (e: unknown) => isTroveError(e, 'VERSION_EXISTS') && e.data?.where === 'local');
    await deleteTag(git, 'm@v1.0.0', '1'.repeat(40)).then(() => assert.fail('deleted a tag that is another object'), () => undefined);
    await deleteTag(git, 'm@v1.0.0', id);
    assert.equal((await listTagRecords(git)).length, 0);
    await deleteTag(git, 'm@v1.0.0');
  } finally {
    repo.cleanup();
  }
});

test('lsRemoteTags lists a remote\'s tags with their peeled commits; an unreachable remote is REMOTE', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    repo.git('commit', '-q', '--allow-empty', '-m', 'one');
    repo.git('tag', '-a', '-m', 'x', 'm@v1.0.0');
    repo.git('tag', '-a', '-m', 'y', 'n@v1.0.0');
    const git = createGit(repo.dir);
    const tags = await lsRemoteTags(git, repo.dir, ['m@*']);
    assert.deepEqual(tags.map((t) => [t.tag, t.commit]), [['m@v1.0.0', repo.git('rev-parse', 'HEAD').trim()]]);
    await assert.rejects(lsRemoteTags(git, join(repo.dir, 'nowhere')), (e: unknown) => isTroveError(e, 'REMOTE'));
  } finally {
    repo.cleanup();
  }
});

test('commitFiles leaves the user index and worktree untouched', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    repo.write('a.txt', 'a1\n');
    repo.write('b.txt', 'b1\n');
    repo.write('gone.txt', 'x\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'base');
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.write('a.txt', 'a2 staged\n');
    repo.git('add', 'a.txt');
    repo.write('b.txt', 'b2 not staged\n');
    const indexHash = (): string => createHash('sha256').update(readFileSync(join(repo.dir, '.git', 'index'))).digest('hex');
    const before = indexHash();
    const git = createGit(repo.dir);
    const commit = await commitFiles(git, { base, ref: 'HEAD', message: 'record\n\nbody', files: [{ path: 'reg/new.yaml', content: 'n: 1\n' }, { path: 'gone.txt', content: null }] });
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), commit, 'HEAD (the branch) moved to the commit');
    assert.equal(repo.git('rev-parse', 'HEAD^').trim(), base);
    assert.equal(repo.git('show', 'HEAD:reg/new.yaml'), 'n: 1\n');
    assert.equal(repo.git('show', 'HEAD:a.txt'), 'a1\n', 'the staged change was not swept in');
    assert.equal(repo.git('ls-tree', '--name-only', 'HEAD').split('\n').includes('gone.txt'), false);
    assert.equal(repo.git('log', '-1', '--format=%B', 'HEAD').trim(), 'record\n\nbody');
    assert.equal(indexHash(), before, 'the index file is byte-identical');
    assert.equal(readFileSync(join(repo.dir, 'a.txt'), 'utf8'), 'a2 staged\n');
    assert.equal(readFileSync(join(repo.dir, 'b.txt'), 'utf8'), 'b2 not staged\n');
    assert.equal(existsSync(join(repo.dir, 'reg/new.yaml')), false, 'nothing written to the work tree');
    assert.equal(existsSync(join(repo.dir, 'gone.txt')), true);
    // compare-and-swap: a stale expected value moves nothing
    await assert.rejects(commitFiles(git, { base, ref: 'HEAD', message: 'late', files: [{ path: 'z', content: 'z' }] }), (e: unknown) => isTroveError(e, 'GIT') && e.data?.reason === 'ref-moved');
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), commit);
    // a new branch: expectOld null means "must not exist"
    const side = await commitFiles(git, { base, ref: 'refs/heads/side', expectOld: null, message: 'side', files: [{ path: 's', content: 's' }] });
    assert.equal(repo.git('rev-parse', 'side').trim(), side);
    await assert.rejects(commitFiles(git, { base, ref: 'refs/heads/side', expectOld: null, message: 'again', files: [] }), (e: unknown) => isTroveError(e, 'GIT'));
  } finally {
    repo.cleanup();
  }
});

test('commitFiles makes the first commit of an unborn branch', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    const commit = await commitFiles(createGit(repo.dir), { base: null, ref: 'HEAD', expectOld: null, message: 'first', files: [{ path: 'f', content: Buffer.from([1, 2]) }] });
    assert.equal(repo.git('rev-parse', 'main').trim(), commit);
  } finally {
    repo.cleanup();
  }
});
