import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { at, buildMnist, fakeGh, git, T } from '../helpers/registryFixture.js';

// The 003 flow: promotion to production by pull request, through a bare Git
// remote and a directory trove remote; a reviewer merges with plain git; a
// third clone sees the stages now and as they were, and pulls production's data.
const T3 = '2026-01-03T10:00:00Z'; // promote v1
const T4 = '2026-01-03T11:00:00Z'; // reviewer merges v1
const T5 = '2026-01-04T10:00:00Z'; // promote v2
const BETWEEN = '2026-01-04T12:00:00Z';
const T6 = '2026-01-05T10:00:00Z'; // reviewer merges v2

let work: string;
let author: TmpRepo;
let origin: string;
let reviewer: string;
let third: string;
let paths: ReturnType<typeof buildMnist>;
let gh: ReturnType<typeof fakeGh>;

function clone(name: string, user: string): string {
  const dir = join(work, name);
  git(work, ['clone', '-q', origin, dir]);
  git(dir, ['config', 'user.name', user]);
  git(dir, ['config', 'user.email', `${user.toLowerCase()}@example.com`]);
  return dir;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'trove-003-'));
  origin = join(work, 'origin.git');
  git(work, ['init', '-q', '--bare', '-b', 'main', origin]);
  author = createTmpRepo();
  git(author.dir, ['config', 'user.name', 'Ann']);
  git(author.dir, ['config', 'user.email', 'ann@example.com']);
  assert.equal(runCli(author.dir, ['remote', 'add', '-d', 'storage', join(work, 'store')]).code, 0);
  git(author.dir, ['add', '-A']);
  git(author.dir, ['commit', '-q', '-m', 'trove remote'], at(T.declared));
  // Through trove create and trove version, as the 002/003 seeds describe.
  paths = buildMnist(author.dir, 'cli');
  git(author.dir, ['remote', 'add', 'origin', origin]);
  git(author.dir, ['push', '-q', 'origin', 'main', '--tags']);
  reviewer = clone('reviewer', 'Rita');
  gh = fakeGh(join(work, 'bin'), join(work, 'ghlog'));
});

after(() => {
  author.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function review(branch: string, when: string): void {
  git(reviewer, ['fetch', '-q', 'origin']);
  git(reviewer, ['merge', '-q', '--ff-only', 'origin/main']);
  git(reviewer, ['merge', '-q', '--no-ff', '-m', `Merge ${branch}`, `origin/${branch}`], at(when));
  git(reviewer, ['push', '-q', 'origin', 'main']);
}

test('003 flow: promote v1 to production opens a PR through fake gh, with --base main and --head the promote branch', () => {
  const r = runJson(author.dir, ['promote', 'modelmnist@v1.0.0', '--to', 'production'], { ...at(T3), ...gh.env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result.branch, 'trove/promote/modelmnist-v1.0.0-production');
  assert.equal(r.result.pullRequest.opened, true);
  assert.equal(r.result.pullRequest.url, 'https://github.com/example/mlproject/pull/1');
  const args = gh.args()!;
  assert.deepEqual(args.slice(0, 2), ['pr', 'create']);
  assert.equal(args[args.indexOf('--base') + 1], 'main');
  assert.equal(args[args.indexOf('--head') + 1], 'trove/promote/modelmnist-v1.0.0-production');
  // The branch and the tags are on the Git remote; the work tree and HEAD did not move.
  assert.match(git(origin, ['branch', '--list', 'trove/promote/*']), /trove\/promote\/modelmnist-v1\.0\.0-production/);
  assert.match(git(origin, ['tag', '--list']), /mnist@v1\.0\.0/);
  assert.equal(git(author.dir, ['status', '--porcelain']), '');
  // The data of the model and of what it was made from is on the trove remote.
  assert.deepEqual([...r.result.data.versions].sort(), ['labelsmnist@v1.0.0', 'mnist@v1.0.0', 'modelmnist@v1.0.0']);
  review(r.result.branch, T4);
});

test('003 flow: promote v2 to production: the PR body has the metrics beside v1, the lineage, the data changed and "Data on remote: yes"', () => {
  const r = runJson(author.dir, ['promote', 'modelmnist@v2.0.0', '--to', 'production'], { ...at(T5), ...gh.env });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.result.previous, ['v1.0.0']);
  assert.deepEqual(r.result.replaced, ['v1.0.0']);
  const args = gh.args()!;
  assert.equal(args[args.indexOf('--head') + 1], 'trove/promote/modelmnist-v2.0.0-production');
  const body = gh.body()!;
  assert.match(body, /\| accuracy \| 0\.95 \| 0\.9746 \|/);
  assert.match(body, /`mnist@v2\.0\.0` \(dataset\)/);
  assert.match(body, /`labelsmnist@v2\.0\.0` \(labels\)/);
  assert.match(body, /1 file\(s\) added .*1 changed/);
  assert.match(body, /Data on remote: yes \(storage\)/);
  // The stage file on the branch holds v2 only (production holds one version).
  const stageFile = git(author.dir, ['show', `${r.result.branch}:.trove/registry/stages/modelmnist.yaml`]);
  assert.match(stageFile, /production:\n    - version: v2\.0\.0\n/);
  assert.doesNotMatch(stageFile, /v1\.0\.0/);
  review(r.result.branch, T6);
});

test('003 flow: after the merge, a third clone\'s registry shows v2 in production; --at before the merge shows v1', () => {
  third = clone('third', 'Tom');
  const now = runJson(third, ['registry']);
  assert.equal(now.code, 0, now.stderr);
  const model = now.result.entities.find((e: { name: string }) => e.name === 'modelmnist');
  assert.deepEqual(model.stages.production, ['v2.0.0']);
  assert.equal(model.latest, 'v2.0.0');
  const then = runJson(third, ['registry', '--at', BETWEEN]);
  assert.equal(then.code, 0, then.stderr);
  assert.deepEqual(then.result.entities.find((e: { name: string }) => e.name === 'modelmnist').stages.production, ['v1.0.0']);
  const before = runJson(third, ['registry', '--at', T3]);
  assert.deepEqual(before.result.entities.find((e: { name: string }) => e.name === 'modelmnist').stages.production, []);
  const text = runCli(third, ['registry']);
  assert.match(text.stdout, /modelmnist\s+model\s+v2\.0\.0 .*v2\.0\.0/);
});

test('003 flow: trove pull in the third clone brings production\'s model and its data, byte for byte', () => {
  const r = runJson(third, ['pull']);
  assert.equal(r.code, 0, r.stderr);
  for (const p of [paths.model, paths.dataset, paths.labels]) {
    for (const f of git(author.dir, ['ls-files', '--others', '--ignored', '--exclude-standard', p]).split('\n').filter(Boolean)) {
      assert.deepEqual(readFileSync(join(third, f)), readFileSync(join(author.dir, f)), f);
    }
  }
  assert.deepEqual(readFileSync(join(third, paths.model, 'model.bin')), Buffer.from('weights-v2-'.repeat(400)));
});

test('registry history lists registrations, the assignments with who promoted and when they were merged, and the replaced version', () => {
  const r = runJson(third, ['registry', 'history', 'modelmnist']);
  assert.equal(r.code, 0, r.stderr);
  const events = r.result.events.map((e: any) => `${e.date} ${e.kind} ${e.version}${e.stage ? ` ${e.stage}` : ''} ${e.author}`);
  assert.deepEqual(events, [
    `${T.v1} register v1.0.0 Ann <ann@example.com>`,
    `${T.v2} register v2.0.0 Ann <ann@example.com>`,
    `${T4} assign v1.0.0 production Ann <ann@example.com>`,
    `${T6} assign v2.0.0 production Ann <ann@example.com>`,
    `${T6} unassign v1.0.0 production Rita <rita@example.com>`,
  ]);
  assert.equal(r.result.events[2].committedBy, 'Rita <rita@example.com>');
});

test('registry check: every version production holds, and what it was made from, is on the remote', () => {
  const r = runJson(third, ['registry', 'check']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result.ok, true);
  assert.deepEqual(r.result.versions.map((v: { tag: string }) => v.tag).sort(), ['labelsmnist@v2.0.0', 'mnist@v2.0.0', 'modelmnist@v2.0.0']);
  // --all: every version, also those no stage holds now (v1 went up with its own promotion).
  const all = runJson(third, ['registry', 'check', '--all']);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.result.versions.length, 6);
});
