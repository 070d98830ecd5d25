import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGit } from '../../src/platform/git.js';
import { gitLog, renameSource } from '../../src/platform/gitLog.js';
import { isZeroOid, parseRawLog, rawLogFormat } from '../../src/platform/parseRawLog.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';

// Real `git log -z --raw` output from a repository built for it: a root commit,
// paths with spaces, a newline, non-ASCII and the parser's own marker bytes,
// a side branch merged in, a deletion and an exact rename.
const SPACE = 'dir with space/a b.trove';
const NEWLINE = 'new\nline.trove';
const UNICODE = 'données/模型 ö.trove';
const MARKER = 'odd\x1ename\x1f\x01.trove';

function history(): { repo: TmpRepo; ids: Record<string, string> } {
  const repo = createTmpRepo({ init: false });
  const ids: Record<string, string> = {};
  const commit = (name: string, ...args: string[]): void => {
    repo.git('commit', '-q', ...args, '-m', name);
    ids[name] = repo.git('rev-parse', 'HEAD').trim();
  };
  repo.write(SPACE, 'v1');
  repo.write(NEWLINE, 'n');
  repo.write(UNICODE, 'u');
  repo.git('add', '-A');
  commit('root');
  repo.git('checkout', '-q', '-b', 'side');
  repo.write(MARKER, 'm');
  repo.git('add', '-A');
  commit('side');
  repo.git('checkout', '-q', 'main');
  repo.write(SPACE, 'v2');
  repo.git('add', '-A');
  commit('modify');
  repo.git('merge', '-q', '--no-ff', '--no-edit', 'side');
  ids.merge = repo.git('rev-parse', 'HEAD').trim();
  repo.git('rm', '-q', '--', NEWLINE);
  commit('delete');
  repo.git('mv', '--', UNICODE, 'renamed.trove');
  commit('rename');
  return { repo, ids };
}

test('parseRawLog reads real git log -z --raw: root commit, merge against its first parent, deletion, rename and odd paths', async () => {
  const { repo, ids } = history();
  try {
    const out = await createGit(repo.dir).run(['log', '-z', '--raw', '--no-abbrev', '--root', '--find-renames=100%', '--diff-merges=first-parent', rawLogFormat(['%H', '%s']), 'main']);
    const commits = parseRawLog(out.stdout);
    const by = new Map(commits.map((c) => [c.fields[0], c]));
    assert.deepEqual(commits.map((c) => c.fields[1]), ['rename', 'delete', "Merge branch 'side'", 'modify', 'side', 'root']);
    assert.deepEqual(by.get(ids.root)!.changes.map((c) => [c.status, c.path, isZeroOid(c.oldOid), c.oldMode]).sort(), [
      ['A', SPACE, true, '000000'],
      ['A', UNICODE, true, '000000'],
      ['A', NEWLINE, true, '000000'],
    ].sort());
    assert.deepEqual(by.get(ids.merge)!.changes.map((c) => [c.status, c.path]), [['A', MARKER]], 'the merge shows what it brought in against its first parent');
    const [del] = by.get(ids.delete!)!.changes;
    assert.deepEqual([del!.status, del!.path, isZeroOid(del!.newOid), del!.newMode, isZeroOid(del!.oldOid)], ['D', NEWLINE, true, '000000', false]);
    assert.deepEqual(by.get(ids.rename!)!.changes.map((c) => [c.status, c.score, c.from, c.path, c.oldOid === c.newOid]), [['R', 100, UNICODE, 'renamed.trove', true]]);
    const [mod] = by.get(ids.modify!)!.changes;
    assert.equal(mod!.oldOid, repo.git('rev-parse', `${ids.root}:${SPACE}`).trim());
    assert.equal(mod!.newOid, repo.git('rev-parse', `${ids.modify}:${SPACE}`).trim());
  } finally {
    repo.cleanup();
  }
});

test('parseRawLog reads real --format= and diff-tree output (no headers) and an empty log', async () => {
  const { repo, ids } = history();
  try {
    const git = createGit(repo.dir);
    const noHeader = parseRawLog((await git.run(['log', '-z', '--format=', '--raw', '--root', '--no-abbrev', '--no-renames', '--diff-merges=first-parent', 'main'])).stdout);
    assert.equal(noHeader.length, 1);
    assert.deepEqual(noHeader[0]!.changes.map((c) => c.status).join(''), 'DADAMAAAA', 'rename as D+A, delete, merge, modify, side, root x3');
    const tree = parseRawLog((await git.run(['diff-tree', '-r', '-z', '--raw', '--no-abbrev', '--find-renames=100%', ids.root!, 'main'])).stdout);
    assert.deepEqual(tree[0]!.changes.map((c) => [c.status, c.from ?? '', c.path]).sort(), [['A', '', MARKER], ['D', '', NEWLINE], ['M', '', SPACE], ['R', UNICODE, 'renamed.trove']].sort());
    assert.deepEqual(parseRawLog((await git.run(['log', '-z', '--raw', rawLogFormat(['%H']), 'main', '--', 'nothing-here'])).stdout), []);
  } finally {
    repo.cleanup();
  }
});

test('gitLog keeps a path holding its own commit marker \\x1e whole (the hand parser split the commit there) and renameSource finds the rename', async () => {
  const { repo, ids } = history();
  try {
    const git = createGit(repo.dir);
    const commits = await gitLog(git, { revs: ['main'], paths: [MARKER], raw: true });
    assert.deepEqual(commits.map((c) => [c.commit, c.subject]), [[ids.side, 'side']]);
    assert.deepEqual(commits[0]!.changes.map((c) => [c.status, c.path]), [['A', MARKER]]);
    assert.equal(await renameSource(git, ids.rename!, 'renamed.trove'), UNICODE);
    assert.equal(await renameSource(git, ids.root!, SPACE), undefined, 'a root commit renames nothing');
  } finally {
    repo.cleanup();
  }
});
