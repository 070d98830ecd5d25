import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { commitData, troveRepo, trovePrefixed, withSandbox } from '../helpers/hookSandbox.js';
import { pseudoRandom, runCli } from '../helpers/tmpRepo.js';
import { pathWithoutTrove } from '../helpers/troveOnPath.js';

test('a foreign hook is chained: it runs first with the same stdin, and its failure still stops the commit', withSandbox((s) => {
  const r = s.init('r');
  assert.equal(s.trove(r, 'init').code, 0);
  assert.equal(s.trove(r, 'remote', 'add', '-d', 'storage', s.remote).code, 0);
  const hooks = join(r, '.git/hooks');
  writeFileSync(join(hooks, 'pre-commit'), '#!/bin/sh\necho "foreign pre-commit ran" >&2\n[ -f .block ] && exit 3\nexit 0\n', { mode: 0o755 });
  writeFileSync(join(hooks, 'pre-push'), `#!/bin/sh\ncat > "${join(s.base, 'foreign-stdin')}"\necho "foreign pre-push ran with $1" >&2\n`, { mode: 0o755 });
  const inst = s.troveJson(r, 'install');
  assert.equal(inst.code, 0, inst.stderr);
  const byName = Object.fromEntries(inst.result.hooks.map((h: any) => [h.name, h]));
  assert.equal(byName['pre-commit'].action, 'chained');
  assert.equal(byName['pre-push'].action, 'chained');
  assert.equal(byName['post-checkout'].action, 'installed');
  assert.ok(existsSync(join(hooks, 'pre-commit.pre-trove')));

  commitData(s, r, { 'models/m.bin': pseudoRandom(50_000, 3) }, 'v1');
  writeFileSync(join(r, '.block'), '');
  const blocked = s.gitRun(r, ['commit', '--allow-empty', '-m', 'blocked']);
  assert.equal(blocked.code, 1);
  assert.match(blocked.stderr, /foreign pre-commit ran/);
  assert.equal(s.git(r, 'log', '--format=%s').trim().split('\n')[0], 'v1', 'no commit was made');
  rmSync(join(r, '.block'));
  const ok = s.gitRun(r, ['commit', '--allow-empty', '-m', 'ok']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /foreign pre-commit ran/);

  s.git(r, 'remote', 'add', 'origin', s.origin);
  const push = s.gitRun(r, ['push', 'origin', 'main']);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stderr, /foreign pre-push ran with origin/);
  assert.match(push.stderr, /trove: pushed/, "trove's part ran after the foreign hook");
  const head = s.git(r, 'rev-parse', 'HEAD').trim();
  assert.match(readFileSync(join(s.base, 'foreign-stdin'), 'utf8'), new RegExp(`^refs/heads/main ${head} refs/heads/main 0{40}\\n$`), 'the foreign hook got the same stdin');
}));

test('install twice changes nothing; an older trove hook is upgraded in place; uninstall puts back exactly what was there', withSandbox((s) => {
  const r = s.init('r');
  assert.equal(s.trove(r, 'init').code, 0);
  const hooks = join(r, '.git/hooks');
  const foreign = '#!/bin/sh\necho mine\n';
  writeFileSync(join(hooks, 'post-merge'), foreign, { mode: 0o750 });
  writeFileSync(join(hooks, 'pre-push'), '#!/bin/sh\n# trove-hook 0: an older trove\nexec trove hook pre-push "$@"\n', { mode: 0o755 });
  writeFileSync(join(r, '.gitattributes'), '*.bin binary\n');
  const first = s.troveJson(r, 'install');
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(Object.fromEntries(first.result.hooks.map((h: any) => [h.name, h.action])), { 'pre-commit': 'installed', 'post-checkout': 'installed', 'post-merge': 'chained', 'post-rewrite': 'installed', 'pre-push': 'upgraded' });
  assert.match(readFileSync(join(hooks, 'pre-push'), 'utf8'), /^# trove-hook 1:/m);
  assert.equal(first.result.mergeDriver.action, 'configured');
  assert.equal(first.result.gitattributes.action, 'added');
  assert.equal(s.git(r, 'config', '--local', 'merge.trove.driver').trim(), 'trove merge-driver %O %A %B %P');
  assert.equal(s.git(r, 'config', '--local', 'merge.trove.name').trim(), 'trove pointer merge');
  const snapshot = (): Record<string, string> => Object.fromEntries(readdirSync(hooks).filter((n) => !n.endsWith('.sample')).map((n) => [n, readFileSync(join(hooks, n), 'utf8')]));
  const before = { hooks: snapshot(), attributes: readFileSync(join(r, '.gitattributes'), 'utf8') };

  const second = s.troveJson(r, 'install');
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.result.hooks.map((h: any) => h.action), ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
  assert.equal(second.result.mergeDriver.action, 'unchanged');
  assert.equal(second.result.gitattributes.action, 'unchanged');
  assert.deepEqual(snapshot(), before.hooks);
  assert.equal(readFileSync(join(r, '.gitattributes'), 'utf8'), before.attributes);
  assert.equal(before.attributes.match(/merge=trove/g)?.length, 1);

  const un = s.troveJson(r, 'uninstall');
  assert.equal(un.code, 0, un.stderr);
  assert.deepEqual(Object.fromEntries(un.result.hooks.map((h: any) => [h.name, h.action])), { 'pre-commit': 'removed', 'post-checkout': 'removed', 'post-merge': 'restored', 'post-rewrite': 'removed', 'pre-push': 'removed' });
  assert.equal(readFileSync(join(hooks, 'post-merge'), 'utf8'), foreign);
  assert.equal(statSync(join(hooks, 'post-merge')).mode & 0o777, 0o750);
  assert.deepEqual(readdirSync(hooks).filter((n) => !n.endsWith('.sample')), ['post-merge']);
  assert.equal(readFileSync(join(r, '.gitattributes'), 'utf8'), '*.bin binary\n');
  assert.equal(s.gitRun(r, ['config', '--local', '--get', 'merge.trove.driver']).code, 1, 'merge driver unset');
  const again = s.troveJson(r, 'uninstall');
  assert.equal(again.code, 0);
  assert.equal(again.result.hooks.find((h: any) => h.name === 'post-merge').action, 'skipped', 'a foreign hook is never removed');
}));

test('a .gitattributes created by install is removed by uninstall, and one the user wrote with the attribute is kept', withSandbox((s) => {
  const r = s.init('r');
  assert.equal(s.trove(r, 'install').code, 0);
  assert.equal(readFileSync(join(r, '.gitattributes'), 'utf8').split('\n').filter((l) => l === '*.trove merge=trove').length, 1);
  assert.equal(s.trove(r, 'uninstall').code, 0);
  assert.equal(existsSync(join(r, '.gitattributes')), false);
  writeFileSync(join(r, '.gitattributes'), '*.trove merge=trove\n');
  assert.equal(s.troveJson(r, 'install').result.gitattributes.action, 'unchanged');
  assert.equal(s.troveJson(r, 'uninstall').result.gitattributes.action, 'kept');
  assert.equal(readFileSync(join(r, '.gitattributes'), 'utf8'), '*.trove merge=trove\n');
}));

test('core.hooksPath is respected: the hooks go where Git runs them', withSandbox((s) => {
  const r = s.init('r');
  assert.equal(s.trove(r, 'init').code, 0);
  s.git(r, 'config', 'core.hooksPath', '.githooks');
  const inst = s.troveJson(r, 'install');
  assert.equal(inst.code, 0, inst.stderr);
  assert.equal(inst.result.hooksDir, join(r, '.githooks'));
  assert.ok(existsSync(join(r, '.githooks/pre-commit')));
  assert.equal(existsSync(join(r, '.git/hooks/pre-commit')), false);
  commitData(s, r, { 'models/m.bin': 'v1' }, 'v1');
  s.write(join(r, 'models/m.bin'), 'changed, not added');
  const c = s.gitRun(r, ['commit', '--allow-empty', '-m', 'x']);
  assert.equal(c.code, 1, 'the hook in core.hooksPath ran and stopped the commit');
  assert.match(c.stderr, /models\/m\.bin/);
}));

test('husky and the pre-commit framework are detected: trove prints the lines to add and writes no hook', withSandbox((s) => {
  const r = s.init('r');
  assert.equal(s.trove(r, 'init').code, 0);
  s.git(r, 'config', 'core.hooksPath', '.husky/_');
  s.write(join(r, '.husky/_/h'), '# husky runner\n');
  const text = s.trove(r, 'install');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /husky manages the Git hooks here/);
  assert.match(text.stdout, /# \.husky\/pre-commit\n.*trove hook pre-commit -- "\$@"/);
  assert.match(text.stdout, /# \.husky\/pre-push\n.*trove hook pre-push -- "\$@"/);
  assert.deepEqual(readdirSync(join(r, '.husky/_')), ['h'], 'nothing written into husky\'s directory');
  const json = s.troveJson(r, 'install');
  assert.equal(json.result.manager.name, 'husky');
  assert.ok(json.result.hooks.every((h: any) => h.action === 'skipped'));

  // The printed line works as a hook body.
  const line = json.result.manager.add.find((a: any) => a.file === '.husky/pre-commit').lines[0];
  s.write(join(r, '.husky/_/pre-commit'), `#!/bin/sh\n${line}\n`);
  chmodSync(join(r, '.husky/_/pre-commit'), 0o755);
  commitData(s, r, { 'models/m.bin': 'v1' }, 'v1');
  s.write(join(r, 'models/m.bin'), 'changed');
  const c = s.gitRun(r, ['commit', '--allow-empty', '-m', 'x']);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /trove: commit stopped/);

  const p = s.init('p');
  s.write(join(p, '.pre-commit-config.yaml'), 'repos: []\n');
  const pc = s.troveJson(p, 'install');
  assert.equal(pc.code, 0, pc.stderr);
  assert.equal(pc.result.manager.name, 'pre-commit');
  assert.ok(pc.result.manager.add[0].lines.includes('        entry: trove hook pre-push'));
  assert.match(pc.result.manager.then, /^pre-commit install -t pre-commit -t post-checkout/);
  assert.equal(existsSync(join(p, '.git/hooks/pre-commit')), false);
  const forced = s.troveJson(p, 'install', '--force');
  assert.equal(forced.result.hooks.find((h: any) => h.name === 'pre-commit').action, 'installed');
}));

test('without trove on PATH each hook says so in one line and Git goes on; pre-push stops unless TROVE_SKIP_PUSH=1', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  commitData(s, r, { 'models/m.bin': 'v1' }, 'v1');
  commitData(s, r, { 'models/m.bin': 'v2' }, 'v2');
  s.git(r, 'remote', 'add', 'origin', s.origin);
  const noTrove = { PATH: pathWithoutTrove(s.env.PATH!) };

  const commit = s.gitRun(r, ['commit', '--allow-empty', '-m', 'no trove'], noTrove);
  assert.equal(commit.code, 0, commit.stderr);
  assert.deepEqual(trovePrefixed(commit.stderr), ['trove: not found on PATH, so its pre-commit hook did nothing (install trove, or run trove uninstall)']);
  const co = s.gitRun(r, ['checkout', '-q', 'HEAD~1'], noTrove);
  assert.equal(co.code, 0, co.stderr);
  assert.deepEqual(trovePrefixed(co.stderr), ['trove: not found on PATH, so its post-checkout hook did nothing (install trove, or run trove uninstall)']);
  s.git(r, 'checkout', '-q', 'main');

  const push = s.gitRun(r, ['push', 'origin', 'main'], noTrove);
  assert.notEqual(push.code, 0);
  assert.match(push.stderr, /trove: not found on PATH, so the data of this push cannot be sent.*TROVE_SKIP_PUSH=1/);
  assert.equal(s.git(r, 'ls-remote', s.origin).trim(), '', 'nothing was pushed');
  const skipped = s.gitRun(r, ['push', 'origin', 'main'], { ...noTrove, TROVE_SKIP_PUSH: '1' });
  assert.equal(skipped.code, 0, skipped.stderr);
}));

test('hooks in a repository without .trove say so in one line and never break Git', withSandbox((s) => {
  const r = s.init('plain');
  assert.equal(s.trove(r, 'install').code, 0, 'install works before trove init');
  s.write(join(r, 'a.txt'), 'a');
  s.git(r, 'add', 'a.txt');
  const c = s.gitRun(r, ['commit', '-m', 'a']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(trovePrefixed(c.stderr), ['trove: no trove repository here (no .trove/config.yaml), so its pre-commit hook did nothing']);
  const sw = s.gitRun(r, ['switch', '-c', 'b']);
  assert.equal(sw.code, 0);
  s.write(join(r, 'a.txt'), 'b');
  s.git(r, 'commit', '-q', '-am', 'b');
  const back = s.gitRun(r, ['checkout', 'main']);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(trovePrefixed(back.stderr).length, 1);
  s.git(r, 'remote', 'add', 'origin', s.origin);
  const push = s.gitRun(r, ['push', 'origin', 'main']);
  assert.equal(push.code, 0, 'pre-push does not stop a push without trove data');
}));

test('trove hook with --json reports what the hook did; an unknown hook name is a usage error', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  commitData(s, r, { 'models/m.bin': 'm1' }, 'v1');
  rmSync(join(r, 'models/m.bin'));
  const j = s.troveJson(r, 'hook', 'post-merge', '--', '0');
  assert.equal(j.code, 0, j.stderr);
  assert.equal(j.result.hook, 'post-merge');
  assert.equal(j.result.action, 'restored');
  assert.deepEqual(j.result.details.restored, ['models/m.bin']);
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'm1');
  const bad = s.troveJson(r, 'hook', 'post-commit');
  assert.equal(bad.code, 2);
  assert.equal(bad.error.code, 'USAGE');
  // The form the installed hooks use skips the argument parser: same errors, same exit codes.
  const fast = runCli(r, ['hook', 'post-commit', '--', 'x'], s.env);
  assert.equal(fast.code, 2);
  assert.match(fast.stderr, /^error: "post-commit" is not a hook trove handles\.\nhint: Use one of /);
  rmSync(join(r, 'models/m.bin'));
  const again = runCli(r, ['hook', 'post-merge', '--', '0'], s.env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /trove: restored models\/m\.bin/);
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'm1');
}));

test('a bad hooks setting is a CONFIG error naming the key; the hooks report it in one line and let the commit through', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  commitData(s, r, { 'models/m.bin': 'm1' }, 'v1');
  appendFileSync(join(r, '.trove/config.local.yaml'), 'hooks:\n  pre_commit: sometimes\n');
  const st = s.troveJson(r, 'status');
  assert.equal(st.code, 2);
  assert.equal(st.error.code, 'CONFIG');
  assert.match(st.error.message, /hooks\.pre_commit/);
  const c = s.gitRun(r, ['commit', '--allow-empty', '-m', 'x']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(trovePrefixed(c.stderr).length, 1);
  assert.match(c.stderr, /trove: its pre-commit hook could not run: hooks\.pre_commit/);
}));

test('under the pre-commit framework (no arguments, no stdin) the PRE_COMMIT_* variables stand in for them', withSandbox((s) => {
  const r = troveRepo(s, 'r');
  const c1 = commitData(s, r, { 'models/m.bin': 'm1' }, 'v1');
  const c2 = commitData(s, r, { 'models/m.bin': 'm2' }, 'v2');
  s.git(r, 'checkout', '-q', c1);
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'm1');
  s.git(r, 'checkout', '-q', '--no-recurse-submodules', 'main');
  rmSync(join(r, 'models/m.bin'));
  const co = runCli(r, ['hook', 'post-checkout'], { ...s.env, PRE_COMMIT: '1', PRE_COMMIT_FROM_REF: c1, PRE_COMMIT_TO_REF: c2, PRE_COMMIT_CHECKOUT_TYPE: '1' });
  assert.equal(co.code, 0, co.stderr);
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'm2');
  const push = runCli(r, ['hook', 'pre-push'], { ...s.env, PRE_COMMIT: '1', PRE_COMMIT_TO_REF: c2, PRE_COMMIT_FROM_REF: '', PRE_COMMIT_REMOTE_NAME: 'origin', PRE_COMMIT_REMOTE_URL: s.origin });
  assert.equal(push.code, 1, 'the pushed commits need data and there is no trove remote');
  assert.match(push.stderr, /trove: push stopped: the pushed commits need the data of models\/m\.bin/);
  const amend = runCli(r, ['--json', 'hook', 'post-rewrite'], { ...s.env, PRE_COMMIT: '1', PRE_COMMIT_REWRITE_COMMAND: 'amend' });
  assert.equal(JSON.parse(amend.stdout).result.action, 'nothing', 'amend does not touch the work tree');
}));

test('install --global twice is idempotent, and uninstall --global unsets what it set', withSandbox((s) => {
  const first = s.troveJson(s.base, 'install', '--global');
  assert.equal(first.code, 0, first.stderr);
  const template = join(s.env.XDG_CONFIG_HOME!, 'trove', 'git-template');
  assert.equal(first.result.templateDir, template);
  assert.equal(s.git(s.base, 'config', '--global', 'init.templateDir').trim(), template);
  assert.equal(s.git(s.base, 'config', '--global', 'merge.trove.driver').trim(), 'trove merge-driver %O %A %B %P');
  assert.match(readFileSync(join(template, 'hooks/post-checkout'), 'utf8'), /^\[ -f \.trove\/config\.yaml \] \|\| exit 0$/m, 'silent outside trove repositories');
  const second = s.troveJson(s.base, 'install', '--global');
  assert.deepEqual(second.result.hooks.map((h: any) => h.action), ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
  assert.equal(second.result.mergeDriver.action, 'unchanged');
  // A repository without .trove made from the template: its hooks say nothing.
  const plain = s.init('plain');
  s.write(join(plain, 'a.txt'), 'a');
  s.git(plain, 'add', 'a.txt');
  const c = s.gitRun(plain, ['commit', '-m', 'a']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(trovePrefixed(c.stderr), []);

  const un = s.troveJson(s.base, 'uninstall', '--global');
  assert.equal(un.code, 0, un.stderr);
  assert.equal(un.result.templateDirUnset, true);
  assert.equal(s.gitRun(s.base, ['config', '--global', '--get', 'init.templateDir']).code, 1);
  assert.equal(s.gitRun(s.base, ['config', '--global', '--get', 'merge.trove.driver']).code, 1);
  assert.equal(existsSync(template), false);
}));

test('install: a hook path that is a directory, or a foreign hook beside an existing NAME.pre-trove, is skipped with the reason; outside Git it fails with exit 10', withSandbox((s) => {
  const r = s.init('r');
  const hooks = join(r, '.git/hooks');
  s.write(join(hooks, 'pre-commit/keep'), 'x');
  writeFileSync(join(hooks, 'pre-push'), '#!/bin/sh\necho new\n', { mode: 0o755 });
  writeFileSync(join(hooks, 'pre-push.pre-trove'), '#!/bin/sh\necho old\n', { mode: 0o755 });
  const r1 = s.troveJson(r, 'install');
  assert.equal(r1.code, 0, r1.stderr);
  const by = Object.fromEntries(r1.result.hooks.map((h: any) => [h.name, h]));
  assert.equal(by['pre-commit'].action, 'skipped');
  assert.match(by['pre-commit'].reason, /is a directory/);
  assert.equal(by['pre-push'].action, 'skipped');
  assert.match(by['pre-push'].reason, /both pre-push .* and pre-push\.pre-trove exist/);
  assert.equal(readFileSync(join(hooks, 'pre-push'), 'utf8'), '#!/bin/sh\necho new\n', 'neither file was touched');
  assert.equal(readFileSync(join(hooks, 'pre-push.pre-trove'), 'utf8'), '#!/bin/sh\necho old\n');
  assert.equal(by['post-checkout'].action, 'installed');
  const text = s.trove(r, 'install');
  assert.match(text.stdout, /skipped    \.git\/hooks\/pre-commit: .*is a directory/);

  const outside = s.troveJson(s.base, 'install');
  assert.equal(outside.code, 10);
  assert.equal(outside.error.code, 'NOT_A_GIT_REPO');
}));

test('with the real husky (v9, from npm): the lines trove install prints, put in husky\'s hook files, restore data on checkout and stop a commit of un-added data', withSandbox((s) => {
  const huskyBin = fileURLToPath(new URL('../../../node_modules/husky/bin.js', import.meta.url));
  const r = s.init('r');
  assert.equal(s.trove(r, 'init').code, 0);
  const husky = spawnSync(process.execPath, [huskyBin], { cwd: r, env: s.env, encoding: 'utf8' });
  assert.equal(husky.status, 0, husky.stderr);
  assert.equal(s.git(r, 'config', 'core.hooksPath').trim(), '.husky/_', 'husky installed itself');
  const inst = s.troveJson(r, 'install');
  assert.equal(inst.code, 0, inst.stderr);
  assert.equal(inst.result.manager.name, 'husky');
  assert.ok(inst.result.hooks.every((h: any) => h.action === 'skipped'), 'trove writes nothing into husky\'s directory');
  // What a user does with the printed advice: one line per husky hook file.
  for (const a of inst.result.manager.add) s.write(join(r, a.file), `${a.lines.join('\n')}\n`);

  commitData(s, r, { 'models/m.bin': 'model v1' }, 'v1');
  commitData(s, r, { 'models/m.bin': 'model v2' }, 'v2');
  const co = s.gitRun(r, ['checkout', '-q', 'HEAD~1']);
  assert.equal(co.code, 0, co.stderr);
  assert.match(co.stderr, /trove: restored models\/m\.bin/, 'husky ran trove\'s post-checkout');
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'model v1');
  s.git(r, 'checkout', '-q', 'main');
  assert.equal(s.read(join(r, 'models/m.bin')).toString(), 'model v2');
  s.write(join(r, 'models/m.bin'), 'trained again, not added');
  const c = s.gitRun(r, ['commit', '--allow-empty', '-m', 'x']);
  assert.equal(c.code, 1, 'husky ran trove\'s pre-commit, which stopped the commit');
  assert.match(c.stderr, /trove: commit stopped/);
}));
