/**
 * The Python client (python/, issue 15): a virtual environment made once
 * (`python3 -m venv --system-site-packages`, then `pip install ./python`), then
 * each test module of python/tests run with that interpreter and
 * TROVE_BIN pointing at the built CLI. One Node test per Python module, so a
 * failure names it; the unittest output is in the failure message. A module
 * whose tests all skip (scikit-learn missing…) passes and says why on stderr.
 * Skipped as a whole when python3 cannot make a venv.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../helpers/tmpRepo.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PYDIR = join(ROOT, 'python');
const TESTS = join(PYDIR, 'tests');

function canMakeVenv(): string | null {
  const r = spawnSync('python3', ['-c', 'import venv, sys; assert sys.version_info >= (3, 8)'], { encoding: 'utf8' });
  return r.status === 0 ? null : `python3 (>= 3.8, with venv) is not available: ${r.stderr || r.error?.message || ''}`.trim();
}

const unavailable = canMakeVenv();

describe('python client', { skip: unavailable ?? false }, () => {
  let venv = '';
  let python = '';

  before(() => {
    venv = mkdtempSync(join(tmpdir(), 'trove-py-venv-'));
    const mk = spawnSync('python3', ['-m', 'venv', '--system-site-packages', venv], { encoding: 'utf8' });
    assert.equal(mk.status, 0, `python3 -m venv failed: ${mk.stderr}`);
    python = join(venv, 'bin', 'python');
    // pip's default build isolation fetches setuptools for the build (the venv's setuptools 65 has no
    // bdist_wheel without the wheel package); the package itself has no dependencies.
    let pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', PYDIR], { encoding: 'utf8' });
    // no index reachable: build with what the venv sees (needs setuptools and wheel installed)
    if (pip.status !== 0) pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--no-index', '--no-build-isolation', PYDIR], { encoding: 'utf8' });
    assert.equal(pip.status, 0, `pip install ./python failed: ${pip.stderr}`);
  });
  after(() => {
    if (venv) rmSync(venv, { recursive: true, force: true });
  });

  const runModule = (module: string): void => {
    const r = spawnSync(python, ['-m', 'unittest', '-v', module], {
      cwd: TESTS,
      encoding: 'utf8',
      env: { ...process.env, TROVE_BIN: BIN, TROVE_REAL_BIN: BIN, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: '' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, `python -m unittest ${module} failed (exit ${r.status}):\n${out}`);
    const skipped = out.split('\n').filter((l) => / \.\.\. skipped /.test(l));
    if (skipped.length) process.stderr.write(`${module}: ${skipped.length} skipped:\n${skipped.join('\n')}\n`);
  };

  it('the installed package imports from the venv (pip install ./python)', () => {
    const r = spawnSync(python, ['-c', 'import trove, os; print(trove.__file__); print(trove.__version__)'], { cwd: TESTS, encoding: 'utf8', env: { ...process.env, PYTHONPATH: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.startsWith(venv), `imported from ${r.stdout}`);
  });

  it('values: NaN/infinities kept, numpy scalars converted, anything else a TypeError naming the key (test_values.py)', () => runModule('test_values'));
  it('errors: not installed and not a Git repository are one TroveError each with the fix (test_errors.py)', () => runModule('test_errors'));
  it('protocol: the client side of trove exp serve against a fake server (test_protocol.py)', () => runModule('test_protocol'));
  it('004 training script with import trove as keepsake: two runs, exp ls/show/diff, checkout of the best checkpoint scores the same (test_keepsake_e2e.py)', () => runModule('test_keepsake_e2e'));
  it('a training script killed with kill -9 mid-checkpoint shows as crashed with its reported checkpoints intact (test_killed.py)', () => runModule('test_killed'));
  it('a remote that is down during training: stop() says what is not pushed, trove exp push sends it later (test_remote_down.py)', () => runModule('test_remote_down'));
  it('002 notebook flow through the Python client on scikit-learn digits (test_registry_e2e.py)', () => runModule('test_registry_e2e'));
});
