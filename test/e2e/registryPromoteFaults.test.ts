import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { at, buildMnist, fakeGh, git, pathWithout, tag, T } from '../helpers/registryFixture.js';

const LATER = '2026-02-01T10:00:00Z';

/** A repository with the mnist registry and a directory trove remote; `origin` (a bare repository) unless `withOrigin` is false. */
function withRegistry(fn: (repo: TmpRepo, work: string) => void, options: { withOrigin?: boolean } = {}): () => void {
  return () => {
    const work = mkdtempSync(join(tmpdir(), 'trove-promote-'));
    const repo = createTmpRepo();
    try {
      git(repo.dir, ['config', 'user.name', 'Ann']);
      git(repo.dir, ['config', 'user.email', 'ann@example.com']);
      assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'storage', join(work, 'store')]).code, 0);
      git(repo.dir, ['add', '-A']);
      git(repo.dir, ['commit', '-q', '-m', 'trove remote'], at(T.declared));
      buildMnist(repo.dir);
      if (options.withOrigin !== false) {
        git(work, ['init', '-q', '--bare', '-b', 'main', join(work, 'origin.git')]);
        git(repo.dir, ['remote', 'add', 'origin', join(work, 'origin.git')]);
        git(repo.dir, ['push', '-q', 'origin', 'main', '--tags']);
      }
      fn(repo, work);
    } finally {
      repo.cleanup();
      rmSync(work, { recursive: true, force: true });
    }
  };
}

const branchTip = (dir: string, branch: string): string => git(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).trim();

test('promote with no git remote keeps branch and commit and prints the push command', withRegistry((repo, work) => {
  const gh = fakeGh(join(work, 'bin'), join(work, 'log'));
  const r = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production'], gh.env);
  assert.equal(r.code, 3);
  assert.equal(r.error.code, 'PROMOTE_INCOMPLETE');
  assert.equal(r.error.data.step, 'git-push');
  assert.equal(r.error.data.branch, 'trove/promote/modelmnist-v2.0.0-production');
  assert.equal(branchTip(repo.dir, r.error.data.branch), r.error.data.commit);
  assert.match(r.error.hint, /git remote add origin URL && git push --atomic origin refs\/heads\/trove\/promote\/modelmnist-v2\.0\.0-production:refs\/heads\/trove\/promote\/modelmnist-v2\.0\.0-production .*refs\/tags\/modelmnist@v2\.0\.0/);
  assert.equal(gh.args(), null, 'no pull request without a pushed branch');
  // The work tree and the index are untouched; the commit changes only the stage file.
  assert.equal(git(repo.dir, ['status', '--porcelain']), '');
  assert.equal(git(repo.dir, ['diff', '--name-only', 'main', r.error.data.commit]).trim(), '.trove/registry/stages/modelmnist.yaml');
}, { withOrigin: false }));

test('promote with gh missing prints the exact gh pr create command', withRegistry((repo) => {
  const env = { PATH: pathWithout(['gh', 'glab']) };
  const r = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production'], env);
  assert.equal(r.code, 0, r.stderr);
  const pr = r.result.pullRequest;
  assert.equal(pr.opened, false);
  assert.equal(pr.reason, 'no-tool');
  assert.equal(pr.command, `gh pr create --base main --head trove/promote/modelmnist-v2.0.0-production --title 'Promote modelmnist v2.0.0 to production' --body-file ${pr.bodyFile}`);
  const text = runCli(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'staging'], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /neither gh nor glab is installed/);
  assert.match(text.stdout, /^  gh pr create --base main --head trove\/promote\/modelmnist-v2\.0\.0-staging /m);
}));

test('promote with gh not logged in prints the exact command and creates nothing', withRegistry((repo, work) => {
  const gh = fakeGh(join(work, 'bin'), join(work, 'log'), { authExit: 1 });
  const r = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production'], gh.env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result.pullRequest.opened, false);
  assert.equal(r.result.pullRequest.reason, 'not-authenticated');
  assert.match(r.result.pullRequest.command, /^gh pr create --base main --head trove\/promote\/modelmnist-v2\.0\.0-production /);
  assert.equal(gh.args(), null);
  // The branch is pushed all the same: the command works as printed.
  assert.match(git(join(work, 'origin.git'), ['branch', '--list']), /trove\/promote\/modelmnist-v2\.0\.0-production/);
}));

for (const [what, url] of [['a missing path', '/nonexistent/trove-test/origin.git'], ['a closed port', 'http://127.0.0.1:1/origin.git']] as const) {
  test(`promote offline (remote at ${what}) keeps branch and commit; exit 3`, withRegistry((repo, work) => {
    git(repo.dir, ['remote', 'add', 'origin', url]);
    const gh = fakeGh(join(work, 'bin'), join(work, 'log'));
    const r = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production'], gh.env);
    assert.equal(r.code, 3);
    assert.equal(r.error.code, 'PROMOTE_INCOMPLETE');
    assert.equal(r.error.data.step, 'git-push');
    assert.equal(branchTip(repo.dir, r.error.data.branch), r.error.data.commit);
    assert.match(r.error.hint, /^git push --atomic origin refs\/heads\/trove\/promote\/modelmnist-v2\.0\.0-production:/);
    assert.equal(gh.args(), null);
  }, { withOrigin: false }));
}

test('promote of a deprecated version is refused; no branch is made', withRegistry((repo, work) => {
  const d = runJson(repo.dir, ['deprecate', 'modelmnist@v1.0.0', '-m', 'trained on leaked test data'], at(LATER));
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.result.tag, 'modelmnist@v1.0.0!#1');
  const gh = fakeGh(join(work, 'bin'), join(work, 'log'));
  const r = runJson(repo.dir, ['promote', 'modelmnist@v1.0.0', '--to', 'production'], gh.env);
  assert.equal(r.code, 2);
  assert.equal(r.error.code, 'USAGE');
  assert.equal(r.error.data.rule, 'deprecated');
  assert.equal(git(repo.dir, ['branch', '--list', 'trove/promote/*']), '');
  // A deprecated version is not the latest either; a second deprecation takes the next GTO counter.
  const again = runJson(repo.dir, ['deprecate', 'modelmnist@v2.0.0'], at(LATER));
  assert.equal(again.result.tag, 'modelmnist@v2.0.0!#2');
  const reg = runJson(repo.dir, ['registry']);
  assert.equal(reg.result.entities.find((e: { name: string }) => e.name === 'modelmnist').latest, null);
}));

test('promote to a stage that is not configured is refused naming the stages', withRegistry((repo) => {
  const r = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'prod']);
  assert.equal(r.code, 2);
  assert.equal(r.error.data.rule, 'stage');
  assert.deepEqual(r.error.data.stages, ['dev', 'staging', 'production']);
}));

test('registry history lists registration, assignment and deprecation with time and author', withRegistry((repo, work) => {
  const gh = fakeGh(join(work, 'bin'), join(work, 'log'));
  const p = runJson(repo.dir, ['promote', 'modelmnist@v1.0.0', '--to', 'staging'], { ...at('2026-01-10T10:00:00Z'), ...gh.env });
  assert.equal(p.code, 0, p.stderr);
  git(repo.dir, ['merge', '-q', '--no-ff', '-m', 'merge promotion', p.result.branch], at('2026-01-11T10:00:00Z'));
  assert.equal(runJson(repo.dir, ['deprecate', 'modelmnist'], at('2026-01-12T10:00:00Z')).code, 0);
  const r = runJson(repo.dir, ['registry', 'history', 'modelmnist']);
  assert.equal(r.code, 0, r.stderr);
  const events = r.result.events.map((e: any) => [e.date, e.kind, e.version ?? null, e.stage ?? null, e.author]);
  assert.deepEqual(events, [
    [T.v1, 'register', 'v1.0.0', null, 'Ann <ann@example.com>'],
    [T.v2, 'register', 'v2.0.0', null, 'Ann <ann@example.com>'],
    ['2026-01-11T10:00:00Z', 'assign', 'v1.0.0', 'staging', 'Ann <ann@example.com>'],
    ['2026-01-12T10:00:00Z', 'deprecate', null, null, 'Ann <ann@example.com>'],
  ]);
  // An older GTO repository's own stage tag (NAME#stage#N on the version's commit) is history too.
  tag(repo.dir, 'modelmnist#production#3', 'Assigning stage production\n', at('2026-01-13T10:00:00Z'), 'modelmnist@v2.0.0^{commit}');
  const gto = runJson(repo.dir, ['registry', 'history', 'modelmnist']);
  assert.deepEqual(gto.result.events.at(-1), { time: Date.parse('2026-01-13T10:00:00Z') / 1000, date: '2026-01-13T10:00:00Z', kind: 'assign', entity: 'modelmnist', version: 'v2.0.0', stage: 'production', author: 'Ann <ann@example.com>', tag: 'modelmnist#production#3', commit: git(repo.dir, ['rev-parse', 'modelmnist@v2.0.0^{commit}']).trim() });
  const since = runJson(repo.dir, ['registry', 'history', '--since', '2026-01-11']);
  assert.deepEqual(since.result.events.map((e: any) => e.kind), ['assign', 'deprecate', 'assign']);
  const text = runCli(repo.dir, ['registry', 'history', 'modelmnist']);
  assert.match(text.stdout, /^2026-01-11 10:00:00  assigned modelmnist v1\.0\.0 to staging  by Ann <ann@example\.com>/m);
}));

test('registry check names the version whose data is missing on the remote; exit 1', withRegistry((repo, work) => {
  const gh = fakeGh(join(work, 'bin'), join(work, 'log'));
  // v1 goes through promote (its data is pushed); v2 is put in production by hand, data not pushed.
  const p = runJson(repo.dir, ['promote', 'modelmnist@v1.0.0', '--to', 'staging'], gh.env);
  assert.equal(p.code, 0, p.stderr);
  git(repo.dir, ['merge', '-q', '--no-ff', '-m', 'merge', p.result.branch]);
  const commit = git(repo.dir, ['rev-parse', 'modelmnist@v2.0.0^{commit}']).trim();
  const file = join(repo.dir, '.trove/registry/stages/modelmnist.yaml');
  const current = git(repo.dir, ['show', 'HEAD:.trove/registry/stages/modelmnist.yaml']);
  writeFileSync(file, current.replace('stages:\n', `stages:\n  production:\n    - version: v2.0.0\n      commit: ${commit}\n      assigned: 2026-01-20T10:00:00Z\n      by: "Ann <ann@example.com>"\n`));
  const raw = runCli(repo.dir, ['--json', 'registry', 'check']);
  assert.equal(raw.code, 1, raw.stderr);
  const r = JSON.parse(raw.stdout);
  assert.equal(r.result.ok, false);
  assert.ok(r.result.missing.includes('modelmnist@v2.0.0'), r.result.missing);
  assert.ok(!r.result.missing.includes('modelmnist@v1.0.0'));
  const held = r.result.versions.find((v: { tag: string }) => v.tag === 'modelmnist@v2.0.0');
  assert.deepEqual(held.heldBy, ['modelmnist#production']);
  assert.ok(held.examples.includes('model/handwritten/digits/modelmnist/model.bin'), held.examples);
  const text = runCli(repo.dir, ['registry', 'check']);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /MISSING\s+modelmnist@v2\.0\.0\s+\(modelmnist#production\): \d+ object\(s\) not on storage/);
}));

test('hand-garbled stage file: registry names the file and the line (BAD_RECORD)', withRegistry((repo) => {
  repo.write('.trove/registry/stages/modelmnist.yaml', 'trove-stages: 1\nentity: modelmnist\nstages:\n  production:\n    - version: v2.0.0\n      commit: [oops\n');
  const r = runJson(repo.dir, ['registry']);
  assert.equal(r.code, 1);
  assert.equal(r.error.code, 'BAD_RECORD');
  assert.match(r.error.data.file, /\.trove\/registry\/stages\/modelmnist\.yaml$/);
  assert.equal(r.error.data.line, 7);
  const p = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production']);
  assert.equal(p.error.code, 'BAD_RECORD');
}, { withOrigin: false }));

test('ordered stages: production needs staging first (rule order), --force overrides; NAME#STAGE promotes what a stage holds; --no-pr opens nothing', withRegistry((repo, work) => {
  repo.write('.trove/config.yaml', `${git(repo.dir, ['show', 'HEAD:.trove/config.yaml'])}registry:\n  ordered: true\n  stages:\n    - {name: staging}\n    - {name: production, versions: 1}\n`);
  git(repo.dir, ['commit', '-q', '-am', 'ordered stages']);
  git(repo.dir, ['push', '-q', 'origin', 'main']);
  const gh = fakeGh(join(work, 'bin'), join(work, 'log'));
  const refused = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production'], gh.env);
  assert.equal(refused.code, 2);
  assert.equal(refused.error.data.rule, 'order');
  assert.match(refused.error.hint, /trove promote modelmnist@v2\.0\.0 --to staging/);
  const staging = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'staging', '--no-pr'], gh.env);
  assert.equal(staging.code, 0, staging.stderr);
  assert.equal(staging.result.pullRequest.reason, 'disabled');
  assert.equal(gh.args(), null);
  git(repo.dir, ['merge', '-q', '--no-ff', '-m', 'merge', staging.result.branch]);
  git(repo.dir, ['push', '-q', 'origin', 'main']);
  const prod = runJson(repo.dir, ['promote', 'modelmnist#staging', '--to', 'production'], gh.env);
  assert.equal(prod.code, 0, prod.stderr);
  assert.equal(prod.result.tag, 'modelmnist@v2.0.0');
  const forced = runJson(repo.dir, ['promote', 'modelmnist@v1.0.0', '--to', 'production', '--force', '--branch', 'hotfix/rollback'], gh.env);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.result.branch, 'hotfix/rollback');
  // An existing branch that is not trove's own (here the checked-out main) is never moved.
  const mainBefore = git(repo.dir, ['rev-parse', 'main']).trim();
  const mine = runJson(repo.dir, ['promote', 'modelmnist@v1.0.0', '--to', 'staging', '--branch', 'main'], gh.env);
  assert.equal(mine.code, 2);
  assert.equal(mine.error.data.branch, 'main');
  assert.equal(git(repo.dir, ['rev-parse', 'main']).trim(), mainBefore);
}));

test('promote run again replaces its own branch, here and on the remote (a lease: only what this clone pushed)', withRegistry((repo, work) => {
  const gh = fakeGh(join(work, 'bin'), join(work, 'log'));
  const first = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production', '--no-pr'], { ...gh.env, ...at('2026-03-01T10:00:00Z') });
  assert.equal(first.code, 0, first.stderr);
  const again = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production', '--no-pr'], { ...gh.env, ...at('2026-03-02T10:00:00Z') });
  assert.equal(again.code, 0, again.stderr);
  assert.notEqual(again.result.commit, first.result.commit);
  assert.match(again.result.warnings.join('\n'), /existed/);
  assert.equal(git(join(work, 'origin.git'), ['rev-parse', `refs/heads/${again.result.branch}`]).trim(), again.result.commit);
}));

test('registry --at that is not a date, --at with --rev, and an unknown action are USAGE (exit 2)', withRegistry((repo) => {
  assert.equal(runJson(repo.dir, ['registry', '--at', 'last tuesday-ish']).error.code, 'USAGE');
  assert.equal(runJson(repo.dir, ['registry', '--at', '2026-01-01', '--rev', 'HEAD']).code, 2);
  assert.equal(runJson(repo.dir, ['registry', 'histroy']).code, 2);
  assert.equal(runJson(repo.dir, ['registry', 'check', '--at', '2026-01-01']).code, 2);
  // --rev: the declarations and stage files of that commit (before the models were declared: none).
  const first = git(repo.dir, ['rev-list', '--max-parents=0', 'HEAD']).trim();
  assert.deepEqual(runJson(repo.dir, ['registry', '--rev', first]).result.entities, []);
  assert.deepEqual(runJson(repo.dir, ['registry', '--type', 'dataset']).result.entities.map((e: { name: string }) => e.name), ['mnist']);
}, { withOrigin: false }));

test('promote with no trove remote keeps branch and commit; exit 3 at step data, hint adds a remote', withRegistry((repo, work) => {
  assert.equal(runCli(repo.dir, ['remote', 'remove', 'storage']).code, 0);
  const gh = fakeGh(join(work, 'bin'), join(work, 'log'));
  const r = runJson(repo.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production'], gh.env);
  assert.equal(r.code, 3);
  assert.equal(r.error.code, 'PROMOTE_INCOMPLETE');
  assert.equal(r.error.data.step, 'data');
  assert.match(r.error.hint, /^Add a trove remote \(trove remote add -d storage URL\), then run trove promote modelmnist@v2\.0\.0 --to production -r origin$/);
  assert.equal(branchTip(repo.dir, r.error.data.branch), r.error.data.commit);
  // Nothing reached the Git remote: no half-proposed promotion.
  assert.equal(git(join(work, 'origin.git'), ['branch', '--list', 'trove/*']), '');
  assert.equal(gh.args(), null);
}));
