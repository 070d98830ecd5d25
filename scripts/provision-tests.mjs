#!/usr/bin/env node
// Installs what the test suite's real servers need, where missing, before
// `npm test` runs the tests (issue 17 point 7: the README's one test command
// passes on a fresh machine). Each check is a file test or one quick probe,
// so on a provisioned machine this costs well under a second.
//
//   git, OpenSSH's sshd, Chromium  apt-get, when root or when `sudo -n` works
//   Azurite                         npm ci --prefix test/servers (its own package, ~175 MB)
//   moto (S3)                       python3 -m pip install 'moto[server]'
//
// What cannot be installed here is named in one sentence: the exact command,
// and which test files will fail without it. The tests still run (exit 0):
// the rest of the suite is worth its result. TROVE_TEST_PROVISION=0 skips
// every install and only reports what is missing.
//
// Not installed here: scikit-learn, pandas and torch. The tests use them when
// python3 can import them and fall back without them; torch alone is ~1 GB,
// too much to fetch behind a newcomer's back (.ci/run installs them).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const installing = process.env.TROVE_TEST_PROVISION !== '0';
const say = (line) => console.log(`provision-tests: ${line}`);
const missing = [];
let lastStderr = '';

const onPath = (cmd) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, cmd)));
const run = (cmd, args, opts = {}) => {
  say(`running: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8', ...opts });
  lastStderr = r.stderr ?? '';
  if (r.stderr) process.stderr.write(r.stderr);
  return r.status === 0 ? null : (r.error?.message ?? (r.stderr.trim().split('\n').at(-1) || `exit ${r.status ?? r.signal}`));
};

// The tests' own paths (test/helpers/sshServer.ts, uiBrowser.ts, azuriteServer.ts, motoServer.ts).
const SSHD = '/usr/sbin/sshd';
const CHROMIUM = process.env.TROVE_CHROMIUM ?? '/usr/bin/chromium';
const AZURITE = join(root, 'test', 'servers', 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
const REMOTE_COLLAB = 'test/e2e/remoteCollab.test.ts';

// 1. apt packages: one apt-get for all of them.
const apt = [
  { pkg: 'git', present: () => onPath('git'), tests: 'almost every test' },
  { pkg: 'openssh-server', present: () => existsSync(SSHD), tests: `test/remote/sftp.test.ts and ${REMOTE_COLLAB}` },
  { pkg: 'chromium', present: () => existsSync(CHROMIUM), tests: 'the web UI tests (test/e2e/ui*.test.ts)', note: process.env.TROVE_CHROMIUM ? ` (or point TROVE_CHROMIUM at a Chromium; it names ${CHROMIUM})` : '' },
  { pkg: 'python3 python3-pip', present: () => onPath('python3') || onPath('moto_server'), tests: 'the S3 tests (moto)' },
].filter((p) => !p.present());
if (apt.length > 0) {
  const names = apt.flatMap((p) => p.pkg.split(' '));
  const root0 = process.getuid?.() === 0;
  const sudo = !root0 && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  let failed = installing ? null : 'TROVE_TEST_PROVISION=0';
  if (installing && (root0 || sudo)) {
    const pre = root0 ? [] : ['sudo', '-n'];
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const [cmd, ...args] = [...pre, 'apt-get'];
    failed = run(cmd, [...args, 'update', '-qq'], { env }) ?? run(cmd, [...args, 'install', '-y', '-qq', ...names], { env });
  } else if (installing) failed = 'not root and sudo needs a password';
  for (const p of apt) {
    if (p.present()) continue;
    missing.push(`${p.pkg} ${p.pkg.includes(' ') ? 'are' : 'is'} missing (${failed ?? 'apt-get did not provide it'}): run \`${root0 ? '' : 'sudo '}apt-get install -y ${p.pkg}\`${p.note ?? ''}, else ${p.tests} will fail.`);
  }
}

// 2. Azurite, from test/servers' lockfile.
if (!existsSync(AZURITE)) {
  const failed = installing ? runNpm(['ci', '--prefix', 'test/servers', '--no-audit', '--no-fund']) : 'TROVE_TEST_PROVISION=0';
  if (!existsSync(AZURITE)) {
    missing.push(`Azurite is missing (${failed ?? 'not found after npm ci'}): run \`npm --prefix test/servers ci\`, else test/remote/azure.test.ts and ${REMOTE_COLLAB} will fail.`);
  }
}

// 3. moto: motoServer.ts runs `python3 -c <wrapper>` importing moto.server (moto_server when there is no python3).
const motoPresent = () => {
  if (!onPath('python3')) return onPath('moto_server');
  const probe = "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in ('moto', 'flask', 'flask_cors')) else 1)";
  return spawnSync('python3', ['-c', probe], { stdio: 'ignore' }).status === 0;
};
if (!motoPresent()) {
  let failed = 'TROVE_TEST_PROVISION=0';
  if (installing && onPath('python3')) failed = run('python3', ['-m', 'pip', 'install', '-q', 'moto[server]']);
  else if (installing) failed = 'no python3';
  if (!motoPresent()) {
    const managed = /externally.managed/i.test(lastStderr);
    const why = managed ? 'pip refused: this python3 is externally managed, PEP 668' : (failed ?? 'not importable after pip install');
    const cmd = managed ? "python3 -m pip install --user --break-system-packages 'moto[server]'` (or put a venv's python3 first on PATH" : "python3 -m pip install 'moto[server]'";
    missing.push(`moto is missing (${why}): run \`${cmd}${managed ? ')' : '`'}, else test/remote/s3.test.ts, test/integration/remoteLockS3.test.ts, test/e2e/remoteProxyFaults.test.ts and ${REMOTE_COLLAB} will fail.`);
  }
}

if (missing.length === 0) say('sshd, Chromium, Azurite and moto are present');
else for (const m of missing) console.error(`provision-tests: ${m}`);

/** npm itself: the one running `npm test` when there is one, else npm on PATH. */
function runNpm(args) {
  const cli = process.env.npm_execpath;
  return cli && cli.endsWith('.js') ? run(process.execPath, [cli, ...args]) : run('npm', args);
}
