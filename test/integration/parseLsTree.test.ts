import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGit, listTreeBlobs } from '../../src/platform/git.js';
import { parseLsTree } from '../../src/platform/parseLsTree.js';
import { createTmpRepo } from '../helpers/tmpRepo.js';

test('parseLsTree reads real git ls-tree -z output: odd paths, executables, symlinks, trees', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    const odd = 'dir with space/tab\there\nnewline ö.txt';
    repo.write(odd, 'x');
    repo.write('run.sh', '#!/bin/sh\n');
    repo.git('add', '-A');
    repo.git('update-index', '--chmod=+x', 'run.sh');
    repo.git('commit', '-qm', 'one');
    const git = createGit(repo.dir);
    const top = parseLsTree((await git.run(['ls-tree', '-z', '--full-tree', 'HEAD'])).stdout);
    assert.deepEqual(top.map((e) => [e.mode, e.type, e.path]), [['040000', 'tree', 'dir with space'], ['100755', 'blob', 'run.sh']]);
    const blobs = await listTreeBlobs(git, 'HEAD', () => true);
    assert.deepEqual(blobs.map((b) => b.path), [odd, 'run.sh']);
    assert.equal(blobs[0]!.blob, repo.git('rev-parse', `HEAD:${odd}`).trim());
  } finally {
    repo.cleanup();
  }
});
