import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pseudoRandom, runCli, runJson } from './tmpRepo.js';

export interface Clone {
  readonly dir: string;
  git(...args: string[]): string;
  write(path: string, data: string | Uint8Array): void;
  read(path: string): Buffer;
  trove(...args: string[]): { code: number; result: any; stderr: string; error?: any };
}

/** A bare Git origin plus clones of it: the shape of a team sharing one repository and one trove remote. */
export interface Team {
  readonly base: string;
  readonly origin: string;
  clone(name: string): Clone;
  cleanup(): void;
}

export function createTeam(): Team {
  const base = mkdtempSync(join(tmpdir(), 'trove-team-'));
  const origin = join(base, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  return {
    base,
    origin,
    clone(name) {
      const dir = join(base, name);
      execFileSync('git', ['clone', '-q', origin, dir], { stdio: 'ignore' });
      const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      git('config', 'user.email', `${name}@example.com`);
      git('config', 'user.name', name);
      git('config', 'commit.gpgsign', 'false');
      return {
        dir,
        git,
        write(path, data) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), data);
        },
        read: (path) => readFileSync(join(dir, path)),
        trove: (...args) => runJson(dir, args),
      };
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/**
 * The collaboration workflow of the issue, end to end: A adds data and a
 * model, commits, git push, trove push; B clones, trove pull, has identical
 * bytes; B changes the data and pushes; A pulls it. `configureRemote` adds the
 * remote (in A, committed) and whatever per-clone settings a clone needs.
 */
export function runCollaboration(team: Team, addRemote: (c: Clone) => void, perClone: (c: Clone) => void = () => undefined): void {
  const a = team.clone('a');
  assert.equal(runCli(a.dir, ['init']).code, 0);
  for (let i = 0; i < 40; i++) a.write(`data/part${i % 4}/f${i}.bin`, pseudoRandom(1000 + i * 97, i + 1));
  a.write('models/model.bin', pseudoRandom(3 * 1024 * 1024 + 7, 99));
  assert.equal(a.trove('add', 'data', 'models/model.bin').code, 0);
  addRemote(a);
  perClone(a);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'data and model v1');
  a.git('push', '-q', 'origin', 'main');
  const pushed = a.trove('push');
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.ok(pushed.result.objects > 40, `pushed ${pushed.result.objects} objects`);

  const b = team.clone('b');
  perClone(b);
  const pulled = b.trove('pull');
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.ok(b.read('models/model.bin').equals(a.read('models/model.bin')), 'model is byte-identical in B');
  for (let i = 0; i < 40; i++) assert.ok(b.read(`data/part${i % 4}/f${i}.bin`).equals(a.read(`data/part${i % 4}/f${i}.bin`)));

  // B changes one file and adds another; A gets both.
  b.write('data/part1/f1.bin', Buffer.from('changed by B'));
  b.write('data/part3/new.bin', pseudoRandom(5000, 1234));
  assert.equal(b.trove('add', 'data').code, 0);
  b.git('commit', '-q', '-am', 'B updates the data');
  const bPush = b.trove('push');
  assert.equal(bPush.code, 0, bPush.stderr);
  assert.ok(bPush.result.objects >= 2 && bPush.result.objects < 10, `B sends only what changed (${bPush.result.objects} objects)`);
  b.git('push', '-q', 'origin', 'main');

  a.git('pull', '-q', '--ff-only', 'origin', 'main');
  const aPull = a.trove('pull');
  assert.equal(aPull.code, 0, aPull.stderr);
  assert.equal(a.read('data/part1/f1.bin').toString(), 'changed by B');
  assert.ok(a.read('data/part3/new.bin').equals(b.read('data/part3/new.bin')));
  assert.equal(runCli(a.dir, ['status']).code, 0);
}
