import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, createTmpRepo, pseudoRandom, runCli, runJson } from '../helpers/tmpRepo.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

test('progress bars are drawn on a terminal (stderr is a TTY)', { skip: hasScript ? false : 'needs util-linux script(1) to provide a pseudo-terminal' }, () => {
  const repo = createTmpRepo();
  try {
    repo.write('big.bin', pseudoRandom(200 * 1024 * 1024, 3));
    const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} add big.bin`, '/dev/null'], { cwd: repo.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /Adding big\.bin \[[#.]+\] .*MiB\/200 MiB/);
  } finally {
    repo.cleanup();
  }
});

test('no progress output and no colour when stderr and stdout are not terminals', () => {
  const repo = createTmpRepo();
  try {
    repo.write('big.bin', pseudoRandom(64 * 1024 * 1024, 3));
    const r = runCli(repo.dir, ['add', 'big.bin'], { NO_COLOR: '' });
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /Adding|\u001b\[/);
    assert.doesNotMatch(r.stdout, /\u001b\[/);
    const q = runCli(repo.dir, ['-q', 'status']);
    assert.equal(q.stdout + q.stderr, '');
  } finally {
    repo.cleanup();
  }
});

test('NO_COLOR is honoured even when FORCE_COLOR is unset, and FORCE_COLOR turns colour on', () => {
  const repo = createTmpRepo();
  try {
    repo.write('a.bin', 'a');
    runCli(repo.dir, ['add', 'a.bin']);
    assert.match(runCli(repo.dir, ['status'], { NO_COLOR: '', FORCE_COLOR: '1' }).stdout, /\u001b\[32m/);
    assert.doesNotMatch(runCli(repo.dir, ['status'], { NO_COLOR: '1' }).stdout, /\u001b\[/);
  } finally {
    repo.cleanup();
  }
});

test('two clones sharing one cache directory: data added in one checks out in the other with no copy of its own', () => {
  const a = createTmpRepo();
  const shared = mkdtempSync(join(tmpdir(), 'trove-shared-'));
  const bDir = mkdtempSync(join(tmpdir(), 'trove-clone-'));
  try {
    a.write('.trove/config.local.yaml', `core:\n  cache: ${shared}\n`);
    a.write('models/m.pt', 'shared weights');
    assert.equal(runCli(a.dir, ['add', 'models']).code, 0);
    a.git('commit', '-qm', 'm');
    spawnSync('git', ['clone', '-q', a.dir, bDir]);
    assert.equal(runJson(bDir, ['status']).result.artifacts[0].inCache, false, 'a fresh clone has no content yet');
    const r = runCli(bDir, ['checkout'], { TROVE_CACHE_DIR: shared });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(bDir, 'models/m.pt'), 'utf8'), 'shared weights');
    assert.equal(existsSync(join(bDir, '.trove/cache/objects')), false, 'nothing was copied into the clone\'s own cache');
  } finally {
    a.cleanup();
    rmSync(shared, { recursive: true, force: true });
    rmSync(bDir, { recursive: true, force: true });
  }
});
