import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, createTmpRepo, pseudoRandom, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';

const TEMP = /^\..+\.tmp-\d+-[0-9a-f]{8}-[0-9a-z]+$/;

/** Every trove temp file in the work tree (outside .git and .trove). */
function tempsIn(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${d.name}` : d.name;
    if (p === '.git' || p === '.trove') continue;
    if (TEMP.test(d.name)) out.push(p);
    else if (d.isDirectory()) out.push(...tempsIn(dir, p));
  }
  return out;
}

function digest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Start `trove args`; kill -9 it when a temp file of its own appears in the
 * work tree (mode 'temp') or after `delayMs`. Returns whether it was killed
 * before it finished.
 */
async function killDuring(dir: string, args: string[], mode: 'temp' | number): Promise<boolean> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: 'ignore' });
  let exited = false;
  const done = new Promise<void>((r) => child.on('exit', () => ((exited = true), r())));
  const started = Date.now();
  const ready = (): boolean => (mode === 'temp' ? tempsIn(dir).length > 0 : Date.now() - started >= mode);
  while (!exited && !ready()) await new Promise((r) => setTimeout(r, 2));
  const killed = !exited;
  if (killed) child.kill('SIGKILL');
  await done;
  return killed;
}

/** 300 small files in a tracked directory (the worker-thread path) and one 24 MiB chunked file, pushed to a directory remote. */
function seeded(): { repo: TmpRepo; remote: string; expected: Map<string, string>; cleanup: () => void } {
  const repo = createTmpRepo();
  const remote = mkdtempSync(join(tmpdir(), 'trove-remote-'));
  for (let i = 0; i < 300; i++) repo.write(`imgs/f${String(i).padStart(5, '0')}.bin`, pseudoRandom(4000 + i, i + 1));
  repo.write('big.bin', pseudoRandom(24 * 1024 * 1024, 77));
  assert.equal(runCli(repo.dir, ['add', 'imgs', 'big.bin']).code, 0);
  assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'store', remote]).code, 0);
  assert.equal(runCli(repo.dir, ['push']).code, 0);
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'v1');
  const expected = new Map<string, string>();
  expected.set('big.bin', digest(join(repo.dir, 'big.bin')));
  for (const n of readdirSync(join(repo.dir, 'imgs'))) expected.set(`imgs/${n}`, digest(join(repo.dir, 'imgs', n)));
  return { repo, remote, expected, cleanup: () => (repo.cleanup(), rmSync(remote, { recursive: true, force: true })) };
}

function assertRecovered(repo: TmpRepo, expected: Map<string, string>, what: string): void {
  const st = runJson(repo.dir, ['status']);
  assert.equal(st.code, 0, st.stderr);
  assert.equal(st.result.clean, true, `${what}: status is clean`);
  assert.deepEqual(tempsIn(repo.dir), [], `${what}: no temp file remains`);
  assert.equal(repo.git('status', '--porcelain', '--untracked-files=all'), '', `${what}: git sees nothing to add`);
  for (const [p, h] of expected) assert.equal(digest(join(repo.dir, p)), h, `${what}: ${p} is byte-identical`);
}

const MOMENTS: ('temp' | number)[] = ['temp', 150, 'temp', 300, 'temp'];

test('a killed checkout does not leave temp files that the next checkout takes for local changes', async () => {
  const { repo, expected, cleanup } = seeded();
  try {
    let killedWithTemps = 0;
    for (const [i, moment] of MOMENTS.entries()) {
      rmSync(join(repo.dir, 'imgs'), { recursive: true, force: true });
      rmSync(join(repo.dir, 'big.bin'), { force: true });
      const target = i % 2 === 0 ? [] : i % 4 === 1 ? ['big.bin'] : ['imgs'];
      const killed = await killDuring(repo.dir, ['checkout', ...target], moment);
      if (killed && tempsIn(repo.dir).length > 0) killedWithTemps++;
      const r = runCli(repo.dir, ['checkout'], { TROVE_LOCK_TIMEOUT_MS: '5000' });
      assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
      assertRecovered(repo, expected, `checkout run ${i}`);
    }
    assert.ok(killedWithTemps > 0, 'at least one run was killed with temp files on disk');
  } finally {
    cleanup();
  }
});

test('a killed pull does not leave temp files that the next pull takes for local changes', async () => {
  const { repo, expected, cleanup } = seeded();
  try {
    let killedWithTemps = 0;
    for (const [i, moment] of MOMENTS.entries()) {
      rmSync(join(repo.dir, 'imgs'), { recursive: true, force: true });
      rmSync(join(repo.dir, 'big.bin'), { force: true });
      rmSync(join(repo.dir, '.trove/cache'), { recursive: true, force: true });
      const killed = await killDuring(repo.dir, ['pull'], moment);
      if (killed && tempsIn(repo.dir).length > 0) killedWithTemps++;
      const r = runCli(repo.dir, ['pull'], { TROVE_LOCK_TIMEOUT_MS: '5000' });
      assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
      assertRecovered(repo, expected, `pull run ${i}`);
    }
    assert.ok(killedWithTemps > 0, 'at least one run was killed with temp files on disk');
  } finally {
    cleanup();
  }
});

test('status does not list a temp file left in a tracked directory as added', () => {
  const { repo, cleanup } = seeded();
  try {
    // A temp name of a process that no longer exists (pid 2^22 - 1 is above the usual pid_max) ...
    const stale = 'imgs/.f00007.bin.tmp-4194303-0123abcd-5';
    repo.write(stale, 'half a file');
    // ... and a user's file that only looks similar: data, kept.
    const st = runJson(repo.dir, ['status']);
    assert.equal(st.result.clean, true, JSON.stringify(st.result));
    assert.deepEqual(tempsIn(repo.dir), [], 'the abandoned temp was removed');
    repo.write('imgs/.notes.tmp-draft', 'mine');
    const st2 = runJson(repo.dir, ['status']);
    assert.equal(st2.result.clean, false, 'a file that is not trove\'s exact temp pattern is data');
    assert.equal(readFileSync(join(repo.dir, 'imgs/.notes.tmp-draft'), 'utf8'), 'mine');
  } finally {
    cleanup();
  }
});
