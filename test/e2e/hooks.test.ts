import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { commitData, troveRepo, trovePrefixed, withSandbox } from '../helpers/hookSandbox.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

/** The "training script" of the workflow: writes models/model.bin for a given version. */
const TRAIN = `import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
const v = process.argv[2];
const parts = [];
for (let i = 0; i < 2000; i++) parts.push(createHash('sha256').update(v + ':' + i).digest());
mkdirSync('models', { recursive: true });
writeFileSync('models/model.bin', Buffer.concat(parts));
`;

function train(dir: string, version: string): Buffer {
  execFileSync(process.execPath, ['train.mjs', version], { cwd: dir });
  return readFileSync(join(dir, 'models/model.bin'));
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('the seed workflow: git push sends the model, git clone and git pull bring it, git checkout brings back the older one, a deleted model comes back', withSandbox((s) => {
  // Once per machine, like git lfs install: new clones get the hooks.
  const g = s.troveJson(s.base, 'install', '--global');
  assert.equal(g.code, 0, g.stderr);
  assert.deepEqual(g.result.hooks.map((h: any) => h.action), ['installed', 'installed', 'installed', 'installed', 'installed']);

  const a = s.clone('a');
  assert.equal(s.trove(a, 'init').code, 0);
  assert.equal(s.trove(a, 'remote', 'add', '-d', 'storage', s.remote).code, 0);
  s.write(join(a, 'train.mjs'), TRAIN);
  const v1 = train(a, '1');
  assert.equal(s.trove(a, 'add', 'models/model.bin').code, 0);
  s.git(a, 'add', '-A');
  s.git(a, 'commit', '-q', '-m', 'model v1');
  const push1 = s.gitRun(a, ['push', 'origin', 'main']);
  assert.equal(push1.code, 0, push1.stderr);
  assert.match(push1.stderr, /trove: pushed \d+ object\(s\)/);

  // Clone B: nothing but git commands.
  const clone = s.gitRun(s.base, ['clone', s.origin, 'b']);
  assert.equal(clone.code, 0, clone.stderr);
  const b = join(s.base, 'b');
  assert.equal(sha(s.read(join(b, 'models/model.bin'))), sha(v1), 'git clone brought the model');

  const v2 = train(a, '2');
  assert.equal(s.trove(a, 'add', 'models/model.bin').code, 0);
  s.git(a, 'commit', '-q', '-am', 'model v2');
  s.git(a, 'push', '-q', 'origin', 'main');

  const pull = s.gitRun(b, ['pull', '--ff-only', 'origin', 'main']);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stderr, /trove: fetched .* restored models\/model\.bin/);
  assert.equal(sha(s.read(join(b, 'models/model.bin'))), sha(v2), 'git pull brought model v2');

  const back = s.gitRun(b, ['checkout', 'HEAD~1']);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(sha(s.read(join(b, 'models/model.bin'))), sha(v1), 'checking out the older commit brings back model v1');
  s.git(b, 'checkout', '-q', 'main');
  assert.equal(sha(s.read(join(b, 'models/model.bin'))), sha(v2));

  rmSync(join(b, 'models/model.bin'));
  const restored = s.trove(b, 'checkout', 'models/model.bin');
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(sha(s.read(join(b, 'models/model.bin'))), sha(v2), 'the model deleted by mistake came back');
  assert.equal(s.trove(b, 'status', '--exit-code').code, 0);
}));

test('rebase: the data follows the rebased commits, restored once when the rebase ends; a fast-forward rebase restores too', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  commitData(s, r, { 'data/a.bin': 'data v1', 'models/m.bin': 'model v1' }, 'base');
  s.git(r, 'checkout', '-q', '-b', 'feat');
  commitData(s, r, { 'models/m.bin': 'model feat' }, 'feat model');
  s.write(join(r, 'notes.txt'), 'feat notes');
  s.git(r, 'add', 'notes.txt');
  s.git(r, 'commit', '-q', '-m', 'notes');
  s.git(r, 'checkout', '-q', 'main');
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'model v1');
  commitData(s, r, { 'data/a.bin': 'data main' }, 'main data');
  s.git(r, 'checkout', '-q', 'feat');
  assert.equal(s.read(join(r, 'data/a.bin')).toString(), 'data v1');

  const rebase = s.gitRun(r, ['rebase', 'main']);
  assert.equal(rebase.code, 0, rebase.stderr);
  assert.match(rebase.stderr, /trove: rebase in progress/, 'the checkout of the base is skipped');
  assert.match(rebase.stderr, /trove: restored /, 'post-rewrite restored the data at the end');
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'model feat');
  assert.equal(s.read(join(r, 'data/a.bin')).toString(), 'data main');

  // main is behind feat now: rebasing it only fast-forwards (no post-rewrite).
  s.git(r, 'checkout', '-q', 'main');
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'model v1');
  const ff = s.gitRun(r, ['rebase', 'feat']);
  assert.equal(ff.code, 0, ff.stderr);
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'model feat');
  assert.equal(s.trove(r, 'status', '--exit-code').code, 0);
}));

test('a rebase that stops on a conflict: the resolving commit is not blocked by stale data, and the data is right when it ends', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  s.write(join(r, 'code.txt'), 'base\n');
  s.git(r, 'add', 'code.txt');
  commitData(s, r, { 'data/a.bin': 'data v1', 'models/m.bin': 'model v1' }, 'base');
  s.git(r, 'checkout', '-q', '-b', 'feat');
  s.write(join(r, 'code.txt'), 'feat\n');
  s.git(r, 'add', 'code.txt');
  commitData(s, r, { 'models/m.bin': 'model feat' }, 'feat');
  s.git(r, 'checkout', '-q', 'main');
  s.write(join(r, 'code.txt'), 'main\n');
  s.git(r, 'add', 'code.txt');
  commitData(s, r, { 'data/a.bin': 'data main' }, 'main');
  s.git(r, 'checkout', '-q', 'feat');
  const rebase = s.gitRun(r, ['rebase', 'main']);
  assert.equal(rebase.code, 1, 'stopped on the conflict in code.txt');
  s.write(join(r, 'code.txt'), 'resolved\n');
  s.git(r, 'add', 'code.txt');
  const cont = s.gitRun(r, ['rebase', '--continue'], { GIT_EDITOR: 'true' });
  assert.equal(cont.code, 0, cont.stderr);
  assert.doesNotMatch(cont.stderr, /commit stopped/);
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'model feat');
  assert.equal(s.read(join(r, 'data/a.bin')).toString(), 'data main');
  assert.equal(s.trove(r, 'status', '--exit-code').code, 0);
}));

test('detached HEAD, git switch, git restore and git checkout -- of a pointer all restore the data', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  const c1 = commitData(s, r, { 'models/m.bin': 'v1', 'data/x.csv': 'x1' }, 'v1');
  commitData(s, r, { 'models/m.bin': 'v2' }, 'v2');
  s.git(r, 'checkout', '-q', '-b', 'other');
  commitData(s, r, { 'models/m.bin': 'v3', 'data/x.csv': 'x3' }, 'v3');
  const m = (): string => s.read(join(r, 'models/m.bin')).toString();

  s.git(r, 'checkout', '-q', c1);
  assert.equal(s.git(r, 'rev-parse', '--abbrev-ref', 'HEAD').trim(), 'HEAD', 'detached');
  assert.equal(m(), 'v1');
  assert.equal(s.read(join(r, 'data/x.csv')).toString(), 'x1');
  s.git(r, 'switch', '-q', 'other');
  assert.equal(m(), 'v3');
  s.git(r, 'switch', '-q', 'main');
  assert.equal(m(), 'v2');
  assert.equal(s.read(join(r, 'data/x.csv')).toString(), 'x1');

  // A new version added (pointer staged), then the pointer restored from HEAD: the committed data comes back.
  s.write(join(r, 'models/m.bin'), 'v4 not wanted');
  assert.equal(s.trove(r, 'add', 'models/m.bin').code, 0);
  const restore = s.gitRun(r, ['restore', '--source=HEAD', '--staged', '--worktree', 'models/m.bin.trove']);
  assert.equal(restore.code, 0, restore.stderr);
  assert.equal(m(), 'v2');
  // An older pointer checked out by path.
  s.git(r, 'checkout', 'HEAD~1', '--', 'models/m.bin.trove');
  assert.equal(m(), 'v1');
}));

test('pre-push without a trove remote stops the push with the reason; TROVE_SKIP_PUSH=1, --no-verify and hooks.pre_push: off override it', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  commitData(s, r, { 'models/m.bin': pseudoRandom(10_000, 1) }, 'v1');
  s.git(r, 'remote', 'add', 'origin', s.origin);
  const push = s.gitRun(r, ['push', 'origin', 'main']);
  assert.notEqual(push.code, 0);
  assert.match(push.stderr, /trove: push stopped: the pushed commits need the data of models\/m\.bin, and no default trove remote is configured/);
  assert.match(push.stderr, /TROVE_SKIP_PUSH=1 git push \(or git push --no-verify/);
  assert.equal(s.git(r, 'ls-remote', s.origin).trim(), '');

  const skip = s.gitRun(r, ['push', 'origin', 'main'], { TROVE_SKIP_PUSH: '1' });
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stderr, /trove: TROVE_SKIP_PUSH=1/);
  commitData(s, r, { 'models/m.bin': 'v2' }, 'v2');
  assert.equal(s.gitRun(r, ['push', 'origin', 'main']).code === 0, false);
  assert.equal(s.gitRun(r, ['push', '--no-verify', 'origin', 'main']).code, 0);
  commitData(s, r, { 'models/m.bin': 'v3' }, 'v3');
  appendFileSync(join(r, '.trove/config.local.yaml'), 'hooks:\n  pre_push: off\n');
  const off = s.gitRun(r, ['push', 'origin', 'main']);
  assert.equal(off.code, 0, off.stderr);
  assert.deepEqual(trovePrefixed(off.stderr), []);
}));

test('pre-push to an unreachable remote stops the push; a commit that changes no pointer pushes without touching the remote', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  assert.equal(s.trove(r, 'remote', 'add', '-d', 'storage', 'http://127.0.0.1:1/').code, 0);
  commitData(s, r, { 'models/m.bin': 'v1' }, 'v1');
  s.git(r, 'remote', 'add', 'origin', s.origin);
  const push = s.gitRun(r, ['push', 'origin', 'main']);
  assert.notEqual(push.code, 0);
  assert.match(push.stderr, /trove: push stopped: could not send the data to the trove remote: .*storage/);
  assert.equal(s.git(r, 'ls-remote', s.origin).trim(), '');
  assert.equal(s.gitRun(r, ['push', '-q', 'origin', 'main'], { TROVE_SKIP_PUSH: '1' }).code, 0);
  // origin/main now has v1: a code-only commit needs no data, so the dead remote is not consulted.
  s.write(join(r, 'train.py'), 'print(1)\n');
  s.git(r, 'add', 'train.py');
  s.git(r, 'commit', '-q', '-m', 'code');
  const code = s.gitRun(r, ['push', 'origin', 'main']);
  assert.equal(code.code, 0, code.stderr);
  assert.deepEqual(trovePrefixed(code.stderr), []);
}));

test('pre-push sends the data of every pushed commit, not only of the tip', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  assert.equal(s.trove(r, 'remote', 'add', '-d', 'storage', s.remote).code, 0);
  const v1 = pseudoRandom(20_000, 1);
  commitData(s, r, { 'models/m.bin': v1 }, 'v1');
  commitData(s, r, { 'models/m.bin': pseudoRandom(20_000, 2) }, 'v2');
  s.git(r, 'remote', 'add', 'origin', s.origin);
  const push = s.gitRun(r, ['push', 'origin', 'main']);
  assert.equal(push.code, 0, push.stderr);
  // A fresh clone (no hooks) can fetch the data of the first commit from the remote.
  const c = s.clone('c');
  const pull = s.troveJson(c, 'pull', '--rev', 'HEAD~1');
  assert.equal(pull.code, 0, pull.stderr);
  assert.ok(s.read(join(c, 'models/m.bin')).equals(v1));
}));

test('pre-commit stops on data changed but not added and names the path; hooks.pre_commit: add adds it into the commit', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  commitData(s, r, { 'models/m.bin': 'v1', 'data/a.csv': 'a' }, 'v1');
  s.write(join(r, 'models/m.bin'), 'v2, not added');
  s.write(join(r, 'data/new.csv'), 'new file');
  const stopped = s.gitRun(r, ['commit', '--allow-empty', '-m', 'x']);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /trove: commit stopped: tracked data changed but not added: data\/new\.csv, models\/m\.bin/);
  assert.match(stopped.stderr, /run trove add data models\/m\.bin and commit again/);
  assert.equal(s.git(r, 'rev-list', '--count', 'HEAD').trim(), '1');

  appendFileSync(join(r, '.trove/config.yaml'), 'hooks:\n  pre_commit: add\n');
  s.git(r, 'add', '.trove/config.yaml');
  const added = s.gitRun(r, ['commit', '-m', 'auto add']);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stderr, /trove: added data, models\/m\.bin and staged/);
  const committed = s.git(r, 'show', 'HEAD:models/m.bin.trove');
  assert.match(committed, new RegExp(`oid: sha256:${sha(Buffer.from('v2, not added'))}`));
  assert.equal(s.git(r, 'status', '--porcelain').trim(), '', 'pointers went into the commit');
  assert.equal(s.trove(r, 'status', '--exit-code').code, 0);
}));

test('pre-commit does not ask to add data that is only at another stored version (after git reset --hard)', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  commitData(s, r, { 'models/m.bin': 'v1' }, 'v1');
  commitData(s, r, { 'models/m.bin': 'v2' }, 'v2');
  s.git(r, 'reset', '-q', '--hard', 'HEAD~1'); // runs no hook: the data stays at v2
  const c = s.gitRun(r, ['commit', '--allow-empty', '-m', 'x']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /trove: models\/m\.bin differ\(s\) from the pointer by a version already stored; trove checkout restores/);
}));

test('post-checkout never overwrites changes that were not added: it names them and restores the rest', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  commitData(s, r, { 'models/m.bin': 'm1', 'data/d.csv': 'd1' }, 'v1');
  commitData(s, r, { 'models/m.bin': 'm2', 'data/d.csv': 'd2' }, 'v2');
  s.write(join(r, 'models/m.bin'), 'my unsaved work');
  const co = s.gitRun(r, ['checkout', 'HEAD~1']);
  assert.equal(co.code, 0, co.stderr);
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'my unsaved work');
  assert.equal(s.read(join(r, 'data/d.csv')).toString(), 'd1');
  assert.match(co.stderr, /trove: left models\/m\.bin as it is: it has changes that were not added \(trove add models\/m\.bin keeps them; trove checkout --force models\/m\.bin/);
}));

test('checking out a commit that does not track a model removes it (content kept in the store) unless it has un-added changes', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  s.write(join(r, 'README.md'), 'code only\n');
  s.git(r, 'add', 'README.md');
  s.git(r, 'commit', '-q', '-m', 'before any data');
  commitData(s, r, { 'models/m.bin': 'm1', 'data/d.csv': 'd1' }, 'data');
  const back = s.gitRun(r, ['checkout', 'HEAD~1']);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stderr, /trove: removed data, models\/m\.bin: not tracked at this commit/);
  assert.equal(existsSync(join(r, 'models')), false, 'the emptied directory went too, as Git does');
  assert.equal(existsSync(join(r, 'data')), false);
  assert.equal(s.git(r, 'status', '--porcelain').trim(), '', 'nothing untracked that git add -A could commit');
  s.git(r, 'checkout', '-q', 'main');
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'm1');
  s.write(join(r, 'models/m.bin'), 'unsaved');
  const again = s.gitRun(r, ['checkout', 'HEAD~1']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'unsaved');
  assert.match(again.stderr, /trove: left models\/m\.bin in place: not tracked at this commit/);
  assert.equal(existsSync(join(r, 'data')), false);
}));

test('offline: a pull whose data cannot be fetched says so in one line, Git succeeds, and trove pull finishes later', withSandbox((s) => {
  assert.equal(s.trove(s.base, 'install', '--global').code, 0);
  const a = s.clone('a');
  assert.equal(s.trove(a, 'init').code, 0);
  assert.equal(s.trove(a, 'remote', 'add', '-d', 'storage', s.remote).code, 0);
  commitData(s, a, { 'models/m.bin': 'm1' }, 'v1');
  s.git(a, 'push', '-q', 'origin', 'main');
  const b = s.clone('b');
  assert.equal(s.read(join(b, 'models/m.bin')).toString(), 'm1');
  commitData(s, a, { 'models/m.bin': 'm2' }, 'v2');
  s.git(a, 'push', '-q', 'origin', 'main');

  assert.equal(s.trove(b, 'remote', 'add', '--local', '--force', 'storage', 'http://127.0.0.1:1/').code, 0);
  const pull = s.gitRun(b, ['pull', '--ff-only', 'origin', 'main']);
  assert.equal(pull.code, 0, pull.stderr);
  const lines = trovePrefixed(pull.stderr);
  assert.equal(lines.length, 1, pull.stderr);
  assert.match(lines[0]!, /^trove: 1 file\(s\) \(models\/m\.bin\) not restored: could not fetch them: .*trove pull when the remote is reachable/);
  assert.equal(s.read(join(b, 'models/m.bin')).toString(), 'm1', 'the old version stays, untouched');
  rmSync(join(b, '.trove/config.local.yaml'));
  assert.equal(s.trove(b, 'pull').code, 0);
  assert.equal(s.read(join(b, 'models/m.bin')).toString(), 'm2');
}));

test('pre-push from a clone that never fetched the data: fine when the remote has it, stopped when the data is nowhere', withSandbox((s) => {
  const a = troveRepo(s, 'a');
  assert.equal(s.trove(a, 'remote', 'add', '-d', 'storage', s.remote).code, 0);
  commitData(s, a, { 'models/m.bin': pseudoRandom(30_000, 1) }, 'v1');
  s.git(a, 'remote', 'add', 'origin', s.origin);
  s.git(a, 'push', '-q', 'origin', 'main');

  const b = s.clone('b'); // no hooks yet: the data is not fetched
  assert.equal(existsSync(join(b, 'models/m.bin')), false);
  assert.equal(s.trove(b, 'install').code, 0);
  const mirror = join(s.base, 'mirror.git');
  s.git(s.base, 'init', '-q', '--bare', mirror);
  s.git(b, 'remote', 'add', 'mirror', mirror);
  const ok = s.gitRun(b, ['push', 'mirror', 'main']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(trovePrefixed(ok.stderr), [], 'everything the commits need is on the remote already');

  // A commits v2 but pushes it without its data: now the data exists only in A.
  commitData(s, a, { 'models/m.bin': pseudoRandom(30_000, 2) }, 'v2');
  assert.equal(s.gitRun(a, ['push', '-q', 'origin', 'main'], { TROVE_SKIP_PUSH: '1' }).code, 0);
  assert.equal(s.gitRun(b, ['pull', '-q', '--ff-only', 'origin', 'main']).code, 0);
  const stopped = s.gitRun(b, ['push', 'mirror', 'main']);
  assert.notEqual(stopped.code, 0);
  assert.match(stopped.stderr, /trove: push stopped: 1 file\(s\) the pushed commits need are neither here nor on storage \(models\/m\.bin\)/);
}));

test('switching between versions of a 300-file dataset rewrites only the files that changed between the commits, and a local edit in an unchanged file is left alone silently', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  const v1: Record<string, Buffer> = {};
  for (let i = 0; i < 300; i++) v1[`data/d${i % 10}/f${i}.bin`] = pseudoRandom(500 + i, i + 1);
  commitData(s, r, v1, 'v1');
  const v2 = { ...v1, 'data/d1/f1.bin': pseudoRandom(700, 1001), 'data/d2/f2.bin': pseudoRandom(900, 1002), 'data/new/g.bin': pseudoRandom(300, 1003) };
  commitData(s, r, v2, 'v2');
  const inode = (p: string) => statSync(join(r, p)).ino;
  const untouched = 'data/d5/f5.bin';
  const before = inode(untouched);
  // An un-added edit in a file the switch does not change: nothing to overwrite, nothing to warn about.
  s.write(join(r, 'data/d7/f7.bin'), 'my experiment');
  const co = s.gitRun(r, ['checkout', '-q', 'HEAD~1']);
  assert.equal(co.code, 0, co.stderr);
  for (const p of ['data/d1/f1.bin', 'data/d2/f2.bin']) assert.ok(s.read(join(r, p)).equals(v1[p]!), `${p} is v1 again`);
  assert.equal(existsSync(join(r, 'data/new/g.bin')), false, 'a file v1 does not have is removed');
  assert.equal(inode(untouched), before, 'an unchanged file was not rewritten');
  assert.equal(s.read(join(r, 'data/d7/f7.bin')).toString(), 'my experiment');
  assert.deepEqual(trovePrefixed(co.stderr).filter((l) => /left|DIRTY|not restored/.test(l)), []);
  const back = s.gitRun(r, ['checkout', '-q', 'main']);
  assert.equal(back.code, 0, back.stderr);
  for (const p of ['data/d1/f1.bin', 'data/d2/f2.bin', 'data/new/g.bin']) assert.ok(s.read(join(r, p)).equals(v2[p as keyof typeof v2]!), `${p} is v2 again`);
  assert.equal(inode(untouched), before);
}));

test('a restore after git checkout in a repo with 5k unrelated Git files takes the changed pointers from diff-tree, not ls-tree of both commits', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  for (let i = 0; i < 5000; i++) s.write(join(r, `src/m${i % 50}/f${i}.txt`), `line ${i}\n`);
  const v1: Record<string, Buffer> = { 'models/m.bin': pseudoRandom(800, 7) };
  for (let i = 0; i < 40; i++) v1[`data/f${i}.bin`] = pseudoRandom(300 + i, i + 1);
  commitData(s, r, v1, 'v1');
  commitData(s, r, { 'data/f3.bin': pseudoRandom(500, 99), 'extra.bin': pseudoRandom(100, 98) }, 'v2');
  const mInode = statSync(join(r, 'models/m.bin')).ino;
  const log = join(s.base, 'git-argv.log');
  const wrapper = join(s.base, 'git-logging.sh');
  s.write(log, '');
  s.write(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec git "$@"\n`);
  execFileSync('chmod', ['+x', wrapper]);
  const co = s.gitRun(r, ['checkout', '-q', 'HEAD~1'], { TROVE_GIT: wrapper });
  assert.equal(co.code, 0, co.stderr);
  assert.ok(s.read(join(r, 'data/f3.bin')).equals(v1['data/f3.bin']!), 'the changed file is restored');
  assert.equal(existsSync(join(r, 'extra.bin')), false, 'an artifact the commit does not track is removed');
  assert.equal(statSync(join(r, 'models/m.bin')).ino, mInode, 'an artifact whose pointer did not change is left alone');
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  assert.ok(calls.some((c) => c.startsWith('diff-tree ')), `diff-tree was run: ${calls.join(' | ')}`);
  assert.deepEqual(calls.filter((c) => c.startsWith('ls-tree')), [], 'no listing of a whole commit');
}));
