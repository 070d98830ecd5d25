import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, createTmpRepo, pseudoRandom, runCli, runJson, unpackStore, type TmpRepo } from '../helpers/tmpRepo.js';
import { spawnSync } from 'node:child_process';

function inRepo(fn: (repo: TmpRepo) => void | Promise<void>) {
  return async () => {
    const repo = createTmpRepo();
    try {
      await fn(repo);
    } finally {
      repo.cleanup();
    }
  };
}

function chownTree(p: string, uid: number): void {
  chownSync(p, uid, uid);
  if (statSync(p).isDirectory()) for (const n of readdirSync(p)) chownTree(join(p, n), uid);
}

/** Two commits of models/model.bin and other.bin, pushed to a directory remote named nas. */
function twoCommitsOnRemote(repo: TmpRepo, remote: string): void {
  repo.write('models/model.bin', pseudoRandom(5000, 1));
  repo.write('other.bin', pseudoRandom(3000, 2));
  assert.equal(runCli(repo.dir, ['add', 'models/model.bin', 'other.bin']).code, 0);
  assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'nas', remote]).code, 0);
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'v1');
  repo.write('models/model.bin', pseudoRandom(5000, 3));
  repo.write('other.bin', pseudoRandom(3000, 4));
  assert.equal(runCli(repo.dir, ['add', 'models/model.bin', 'other.bin']).code, 0);
  repo.git('commit', '-q', '-am', 'v2');
}

test('a repository Git refuses for dubious ownership is reported with Git\'s reason and its safe.directory fix, not "run git init"', { skip: process.getuid?.() !== 0 && 'needs root to chown the repository to another uid' }, inRepo((repo) => {
  const home = mkdtempSync(join(tmpdir(), 'trove-home-'));
  try {
    chownTree(repo.dir, 12345);
    // A temp HOME and no system config: the user's global safe.directory list is neither read nor touched.
    const env = { HOME: home, GIT_CONFIG_NOSYSTEM: '1', XDG_CONFIG_HOME: home };
    const text = runCli(repo.dir, ['status'], env);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stderr, /dubious ownership/);
    assert.match(text.stderr, /hint: .*git config --global --add safe\.directory /);
    assert.doesNotMatch(text.stderr, /git init/);
    const json = runJson(repo.dir, ['status'], env);
    assert.equal(json.error.code, 'GIT');
    assert.equal(json.error.data.reason, 'dubious-ownership');
    assert.deepEqual(readdirSync(home), [], 'nothing was written to the global config');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}));

test('a directory outside any Git repository is still NOT_A_GIT_REPO with the git init hint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-nogit-'));
  try {
    const r = runJson(dir, ['status'], { GIT_CEILING_DIRECTORIES: tmpdir() });
    assert.equal(r.code, 10);
    assert.equal(r.error.code, 'NOT_A_GIT_REPO');
    assert.match(r.error.hint, /git init/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkout -r NAME means --remote, as in every other command, not a revision', inRepo((repo) => {
  const remote = join(repo.dir, '..', `${repo.dir.split('/').pop()}-nas`);
  try {
    twoCommitsOnRemote(repo, remote);
    assert.equal(runCli(repo.dir, ['push', '-r', 'nas']).code, 0);
    unpackStore(join(repo.dir, '.trove/cache'));
    rmSync(join(repo.dir, '.trove/cache/objects'), { recursive: true, force: true });
    rmSync(join(repo.dir, 'models/model.bin'));
    const r = runJson(repo.dir, ['checkout', '-r', 'nas', 'models/model.bin']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.result.fetch?.remote, 'nas');
  } finally {
    rmSync(remote, { recursive: true, force: true });
  }
}));

test('ls and log have no -r: a revision is --rev only, and -r is an unknown option there', inRepo((repo) => {
  repo.write('d/a.bin', 'a');
  assert.equal(runCli(repo.dir, ['add', 'd']).code, 0);
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'v1');
  for (const args of [['ls', '-r', 'HEAD'], ['log', '-r', 'HEAD', 'd']]) {
    const r = runJson(repo.dir, args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.error.code, 'USAGE');
  }
  assert.equal(runJson(repo.dir, ['ls', '--rev', 'HEAD', 'd']).code, 0);
}));

test('push --rev REV PATH takes PATH as a path, not as a second revision; --rev repeats for more', inRepo((repo) => {
  const remote = join(repo.dir, '..', `${repo.dir.split('/').pop()}-nas`);
  try {
    twoCommitsOnRemote(repo, remote);
    const one = runJson(repo.dir, ['push', '--rev', 'HEAD~1', 'models/model.bin']);
    assert.equal(one.code, 0, one.stderr);
    const everything = runJson(repo.dir, ['push', '--rev', 'HEAD~1', '--rev', 'HEAD']);
    assert.equal(everything.code, 0, everything.stderr);
    assert.ok(everything.result.objects > 0, 'other.bin of both commits was not sent by the path-limited push');
    assert.ok(everything.result.alreadyOnRemote >= 2, 'the model of HEAD and HEAD~1 went up with the first push');
  } finally {
    rmSync(remote, { recursive: true, force: true });
  }
}));

test('trove version and trove --version print trove\'s and Node\'s versions, as JSON with --json', () => {
  const text = runCli(tmpdir(), ['version']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^trove \d+\.\d+\.\d+\nnode \d+\.\d+\.\d+\n$/);
  assert.equal(runCli(tmpdir(), ['--version']).stdout, text.stdout);
  const json = runJson(tmpdir(), ['--version']);
  assert.equal(json.result.node, process.versions.node);
  assert.match(json.result.trove, /^\d+\.\d+\.\d+/);
});

test('a subcommand\'s --help lists the global options it accepts (--json, -q, -C)', () => {
  const r = runCli(tmpdir(), ['status', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Global Options:/);
  for (const o of ['--json', '-q, --quiet', '-C, --cwd']) assert.ok(r.stdout.includes(o), o);
});

test('trove mv leaves neither an empty staged .gitignore nor an empty directory behind', inRepo((repo) => {
  repo.write('models/model.bin', pseudoRandom(2000, 7));
  assert.equal(runCli(repo.dir, ['add', 'models/model.bin']).code, 0);
  repo.git('commit', '-q', '-m', 'v1');
  const r = runCli(repo.dir, ['mv', 'models/model.bin', 'archive/model.bin']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(join(repo.dir, 'models')), false, 'the emptied directory is gone');
  repo.git('commit', '-q', '-m', 'moved');
  assert.equal(repo.git('ls-files', 'models').trim(), '', 'no models/.gitignore is committed');
  assert.deepEqual(repo.git('ls-files', 'archive').trim().split('\n').sort(), ['archive/.gitignore', 'archive/model.bin.trove']);
  assert.equal(repo.git('status', '--porcelain').trim(), '');
}));

test('trove rm of the last artifact of a directory deletes the .gitignore it leaves empty, and stages that', inRepo((repo) => {
  repo.write('models/model.bin', pseudoRandom(2000, 8));
  assert.equal(runCli(repo.dir, ['add', 'models/model.bin']).code, 0);
  repo.git('commit', '-q', '-m', 'v1');
  assert.equal(runCli(repo.dir, ['rm', 'models/model.bin']).code, 0);
  assert.equal(existsSync(join(repo.dir, 'models/.gitignore')), false);
  assert.match(repo.git('status', '--porcelain', 'models/.gitignore'), /^D  models\/\.gitignore/);
}));

test('.troveignore (gitignore syntax, at the root and inside a tracked directory) keeps __pycache__/*.pyc out of a tracked directory, for add, status and checkout', inRepo((repo) => {
  repo.write('.troveignore', '# build output\n__pycache__/\n*.pyc\n!keep.pyc\n');
  repo.write('data/a.txt', 'a');
  repo.write('data/keep.pyc', 'kept by a negation');
  repo.write('data/b.pyc', 'compiled');
  repo.write('data/__pycache__/m.cpython-312.pyc', 'compiled');
  repo.write('data/sub/.troveignore', '/scratch*\n');
  repo.write('data/sub/scratch1.bin', 'scratch');
  repo.write('data/sub/real.bin', 'real');
  assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
  const files = runJson(repo.dir, ['ls', 'data']).result.files.map((f: any) => f.path);
  assert.deepEqual(files, ['data/a.txt', 'data/keep.pyc', 'data/sub/.troveignore', 'data/sub/real.bin']);
  repo.write('data/__pycache__/n.cpython-312.pyc', 'more');
  repo.write('data/sub/scratch2.bin', 'more scratch');
  assert.equal(runJson(repo.dir, ['status']).result.clean, true, 'new ignored files do not make the directory modified');
  assert.equal(runCli(repo.dir, ['checkout', '--force', 'data']).code, 0);
  assert.equal(existsSync(join(repo.dir, 'data/__pycache__/n.cpython-312.pyc')), true, 'checkout leaves ignored files alone');
  assert.equal(existsSync(join(repo.dir, 'data/sub/scratch2.bin')), true);
  repo.write('data/c.txt', 'c');
  assert.equal(runJson(repo.dir, ['status']).result.clean, false, 'a file that is not ignored still shows');
}));

test('text output names paths relative to the current directory, as arguments are (git\'s rule); --json keeps repository paths', inRepo((repo) => {
  repo.write('data/a.bin', 'a');
  repo.write('models/model.bin', 'm1');
  assert.equal(runCli(repo.dir, ['add', 'data', 'models/model.bin']).code, 0);
  repo.git('commit', '-q', '-m', 'v1');
  repo.write('models/model.bin', 'm2');
  repo.write('data/b.bin', 'b');
  const inData = join(repo.dir, 'data');
  const text = runCli(inData, ['status']);
  assert.match(text.stdout, /^modified +\.\.\/models\/model\.bin$/m);
  assert.match(text.stdout, /^ +added: +b\.bin /m);
  assert.doesNotMatch(text.stdout, /data\/b\.bin/);
  const added = runCli(inData, ['add', '../models/model.bin']);
  assert.match(added.stdout, / \.\.\/models\/model\.bin \(/);
  const json = runJson(inData, ['status']);
  assert.deepEqual(json.result.artifacts.map((a: any) => a.path).sort(), ['data', 'models/model.bin']);
  assert.match(runCli(repo.dir, ['status']).stdout, /^modified +data\/$/m, 'at the root, paths are unchanged');
}));

test('output piped into a reader that stops early (trove ls data | head -1) died with an EPIPE stack trace; it now stops quietly', inRepo((repo) => {
  for (let i = 0; i < 3000; i++) repo.write(`data/a-directory-with-a-long-name/file-${String(i).padStart(5, '0')}-whose-name-is-long-enough.txt`, `${i}\n`);
  assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ls data | head -1; exit \${PIPESTATUS[0]}`], { cwd: repo.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.stdout.trim().split('\n').length, 1, 'head printed one line');
  assert.equal(r.stderr, '', 'no stack trace');
  assert.equal(r.status, 0, 'trove exits 0: the reader closing early is not a failure');
}));
