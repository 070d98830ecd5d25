// Push and pull. After a workload's other steps, each tool publishes its
// repository -- the data and the git history -- to a directory remote, then a
// fresh `git clone` brings the data back into place; then the same against an
// S3-compatible server (moto, started here on 127.0.0.1 for one tool at a
// time). Every clone is hashed and compared with the latest commit.
//
// Where. The remote side -- the bare `origin`, the directory remote, moto's
// spool dir -- lives on another file system than the work dir when there is
// one (by default a per-run dir in /dev/shm; BENCH_REMOTE_DIR overrides):
// git-lfs's file:// agent hard-links objects when it can, which on one file
// system would turn its push and pull into a few link() calls. Clones go into
// the work dir. Remote-side data is removed as soon as a tool is done with it.
//
// Counting. Directory remote: bytes = sum of the file sizes the push added on
// the remote / the clone's store holds after the pull; requests = the tool's
// own count (trove's --json result; the peers do not count). S3: every
// request goes through a small TCP relay in this process that counts bytes
// each way (HTTP headers included), and moto logs one line per request on
// stderr: that count is the "requests" figure for every tool; trove's own
// count is shown beside it.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { fileBytes, peakRss, round, runSeq, syncDisks } from './measure.mjs';
import { TROVE_JOBS } from './tools.mjs';

// The "…J" rows repeat a push or pull with a peer that transfers with fewer
// jobs than trove by default asked for trove's number (git-annex -J N;
// TROVE_JOBS), beside the row with its default; trove's and git-lfs's cells
// there point at their own row above, which already ran with at least that many.
export const REMOTE_ROWS = [
  { id: 'dirPush', kind: 'time', label: 'push to a directory remote (data of every commit + git history), tools\' defaults' },
  { id: 'dirPushJ', kind: 'time', label: '… git-annex at trove\'s 4 jobs (`-J 4`)', jobs: 'dir' },
  { id: 'dirPushBytes', kind: 'bytes', label: 'bytes written to the remote (sum of file sizes)' },
  { id: 'dirPushReq', kind: 'count', label: 'requests (the tool\'s own count)' },
  { id: 'dirPull', kind: 'time', label: 'fresh git clone + pull from the directory remote, tools\' defaults' },
  { id: 'dirPullJ', kind: 'time', label: '… git-annex at trove\'s 4 jobs (`-J 4`)', jobs: 'dir' },
  { id: 'dirPullBytes', kind: 'bytes', label: 'bytes in the clone\'s store after the pull' },
  { id: 'dirPullReq', kind: 'count', label: 'requests (the tool\'s own count)' },
  { id: 's3Push', kind: 'time', label: 'push to S3 on moto (data of every commit + git history), tools\' defaults' },
  { id: 's3PushJ', kind: 'time', label: '… git-annex at trove\'s 8 jobs (`-J 8`)', jobs: 's3' },
  { id: 's3PushBytes', kind: 'bytes', label: 'bytes sent over HTTP (headers included)' },
  { id: 's3PushReq', kind: 'count', label: 'requests seen by the S3 server (own count)' },
  { id: 's3Pull', kind: 'time', label: 'fresh git clone + pull from S3 on moto, tools\' defaults' },
  { id: 's3PullJ', kind: 'time', label: '… git-annex at trove\'s 8 jobs (`-J 8`)', jobs: 's3' },
  { id: 's3PullBytes', kind: 'bytes', label: 'bytes received over HTTP (headers included)' },
  { id: 's3PullReq', kind: 'count', label: 'requests seen by the S3 server (own count)' },
];
const JOB_ROWS = REMOTE_ROWS.filter((r) => r.jobs);

const KINDS = { dir: 'dir', s3: 's3' };
const MOTO = 'moto_server';
const S3_KEY = 'bench';
const S3_SECRET = 'bench-secret-key';
const pad = (s, n) => String(s).padEnd(n);

// ------------------------------------------------------------------ cleanup
//
// moto runs in its own process group; the scratch dirs of the push/pull steps
// are registered here as soon as they exist. On any exit -- normal, an
// uncaught error, or SIGINT/SIGTERM (bench/lib/measure.mjs exits on those) --
// moto is killed and whatever scratch is left is removed.

const liveServers = new Set();
const scratch = new Set();

function killGroup(child, sig) {
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
}

function rmTree(dir) {
  if (!fs.existsSync(dir)) return;
  spawnSync('chmod', ['-R', 'u+w', dir], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
}

process.on('exit', () => {
  for (const child of liveServers) killGroup(child, 'SIGKILL');
  for (const dir of scratch) {
    try {
      rmTree(dir);
    } catch {
      /* best effort */
    }
  }
});

const devOf = (p) => {
  try {
    return fs.statSync(p).dev;
  } catch {
    return null;
  }
};

function fsTypeOf(p) {
  const r = spawnSync('stat', ['-f', '-c', '%T', p], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Choose where the remote side of the push/pull steps lives:
 * { dir, separate (another file system than workDir), fsType, perRun }.
 */
export function chooseRemoteBase(workDir, override) {
  fs.mkdirSync(workDir, { recursive: true });
  if (override) {
    const dir = path.resolve(override);
    fs.mkdirSync(dir, { recursive: true });
    return { dir, separate: devOf(dir) !== devOf(workDir), fsType: fsTypeOf(dir), perRun: false };
  }
  const shm = '/dev/shm';
  if (devOf(shm) != null && devOf(shm) !== devOf(workDir)) {
    try {
      // leftovers of runs that died without cleaning up (their pid is gone)
      for (const name of fs.readdirSync(shm)) {
        const m = /^trove-bench-(\d+)$/.exec(name);
        if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) rmTree(path.join(shm, name));
      }
      const dir = path.join(shm, `trove-bench-${process.pid}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
      scratch.add(dir);
      return { dir, separate: true, fsType: fsTypeOf(dir), perRun: true };
    } catch {
      /* not usable: fall back to the work dir */
    }
  }
  return { dir: workDir, separate: false, fsType: fsTypeOf(workDir), perRun: false };
}

/** Remove the per-run remote base (a no-op if there is none). */
export function removeRemoteBase(base) {
  if (base?.perRun) {
    rmTree(base.dir);
    scratch.delete(base.dir);
  }
}

let motoPath;
/** Path of moto_server, or null. */
export function findMoto() {
  if (motoPath === undefined) {
    const r = spawnSync('sh', ['-c', `command -v ${MOTO}`], { encoding: 'utf8' });
    motoPath = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  }
  return motoPath;
}

/** Environment for the S3 steps: fixed fake credentials, nothing inherited from AWS_*. */
function s3Env(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('AWS_')) out[k] = v;
  Object.assign(out, { AWS_ACCESS_KEY_ID: S3_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET, AWS_EC2_METADATA_DISABLED: 'true' });
  // git-annex refuses to talk to loopback addresses unless told to.
  const n = Number(out.GIT_CONFIG_COUNT ?? 0) || 0;
  out[`GIT_CONFIG_KEY_${n}`] = 'annex.security.allowed-ip-addresses';
  out[`GIT_CONFIG_VALUE_${n}`] = '127.0.0.1';
  out.GIT_CONFIG_COUNT = String(n + 1);
  return out;
}

// ------------------------------------------------------------------ S3 server

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A TCP relay to 127.0.0.1:target that counts bytes each way. */
function startRelay(target) {
  const counters = { up: 0, down: 0, connections: 0 };
  const sockets = new Set();
  const server = net.createServer((c) => {
    counters.connections++;
    const u = net.connect(target, '127.0.0.1');
    for (const s of [c, u]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    c.on('data', (d) => {
      counters.up += d.length;
    });
    u.on('data', (d) => {
      counters.down += d.length;
    });
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
    c.pipe(u);
    u.pipe(c);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        counters,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    );
  });
}

async function s3Client(port) {
  // The SDK warns once per process that Node 20 support is ending.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_SECRET },
  });
}

/**
 * Start moto on a free loopback port, a counting relay in front of it, and
 * create `bucket`. Clients use relay.port; the harness's own calls (bucket
 * creation, listing) go to moto directly and fall outside every counted window.
 */
async function startS3(remoteRoot, bucket, log) {
  const moto = findMoto();
  if (!moto) throw new Error(`${MOTO} not found on PATH`);
  const tmp = path.join(remoteRoot, 'moto-tmp'); // moto spools large objects to TMPDIR
  fs.mkdirSync(tmp, { recursive: true });
  let why = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const log_ = { requests: 0, byMethod: {}, status5xx: 0, other: [] };
    const child = spawn(moto, ['-H', '127.0.0.1', '-p', String(port)], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', TMPDIR: tmp },
    });
    liveServers.add(child);
    let exited = null;
    child.on('error', (err) => {
      exited = err.message;
    });
    child.on('exit', (code, sig) => {
      exited ??= `exited (${code ?? sig})`;
      liveServers.delete(child);
    });
    let buf = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      buf += s;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /"([A-Z]+) \S+ HTTP\/[\d.]+" (\d{3})/.exec(line);
        if (m) {
          log_.requests++;
          log_.byMethod[m[1]] = (log_.byMethod[m[1]] ?? 0) + 1;
          if (m[2].startsWith('5')) log_.status5xx++;
        } else if (line.trim()) {
          log_.other.push(line.trim());
          if (log_.other.length > 20) log_.other.shift();
        }
      }
    });
    const until = Date.now() + 30_000;
    let up = false;
    while (!exited && Date.now() < until) {
      if ((up = await canConnect(port))) break;
      await sleep(100);
    }
    if (!up) {
      why = exited ? `${MOTO} ${exited}: ${log_.other.slice(-3).join(' / ')}` : `${MOTO} did not listen within 30 s`;
      killGroup(child, 'SIGKILL');
      log(`s3        moto attempt ${attempt} failed: ${why}`);
      continue;
    }
    const relay = await startRelay(port);
    const stop = async () => {
      await relay.close();
      if (liveServers.has(child)) {
        killGroup(child, 'SIGTERM');
        for (let i = 0; i < 50 && liveServers.has(child); i++) await sleep(100);
        if (liveServers.has(child)) killGroup(child, 'SIGKILL');
      }
    };
    try {
      const c = await s3Client(port);
      const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
      await c.send(new CreateBucketCommand({ Bucket: bucket }));
      c.destroy();
    } catch (err) {
      await stop();
      throw new Error(`creating bucket ${bucket} on moto failed: ${err.message}`);
    }
    log(`s3        moto on 127.0.0.1:${port}, counting relay on :${relay.port}, bucket ${bucket}`);
    return {
      host: '127.0.0.1',
      port: relay.port,
      endpoint: `http://127.0.0.1:${relay.port}`,
      bucket,
      alive: () => liveServers.has(child),
      /** Counters now, once the server log has stopped growing. */
      async snapshot() {
        let n = -1;
        for (let i = 0; i < 40 && n !== log_.requests; i++) {
          n = log_.requests;
          await sleep(150);
        }
        return { requests: log_.requests, byMethod: { ...log_.byMethod }, status5xx: log_.status5xx, up: relay.counters.up, down: relay.counters.down, connections: relay.counters.connections };
      },
      /** Objects and bytes in the bucket (asked of moto directly, not counted). */
      async stored() {
        try {
          const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
          const c = await s3Client(port);
          let objects = 0;
          let bytes = 0;
          let token;
          do {
            const r = await c.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
            for (const o of r.Contents ?? []) {
              objects++;
              bytes += o.Size ?? 0;
            }
            token = r.IsTruncated ? r.NextContinuationToken : undefined;
          } while (token);
          c.destroy();
          return { objects, bytes };
        } catch {
          return null;
        }
      },
      stop,
    };
  }
  throw new Error(why || `${MOTO} did not start`);
}

/** moto's count, unless its log said nothing while clients did connect (a changed log format). */
const serverCount = (d) => (d.requests === 0 && d.connections > 0 ? null : d.requests);

function diff(a, b) {
  const byMethod = {};
  for (const [k, v] of Object.entries(b.byMethod)) if (v - (a.byMethod[k] ?? 0)) byMethod[k] = v - (a.byMethod[k] ?? 0);
  return {
    requests: b.requests - a.requests,
    byMethod,
    status5xx: b.status5xx - a.status5xx,
    up: b.up - a.up,
    down: b.down - a.down,
    connections: b.connections - a.connections,
  };
}

// ------------------------------------------------------------------ steps

/** trove's --json result among the outputs of a command list, or null. */
function troveJson(stdouts) {
  for (const out of stdouts ?? []) {
    for (const line of out.split('\n').reverse()) {
      if (!line.startsWith('{')) continue;
      try {
        const j = JSON.parse(line);
        if (j && j.version === 1 && typeof j.command === 'string') return j;
      } catch {
        /* not ours */
      }
    }
  }
  return null;
}

class RemoteCtx {
  constructor(tool, cfg, log, suffix = '') {
    Object.assign(this, { tool, cfg, log, suffix });
    this.cells = {};
  }

  say(id, text) {
    this.log(`${pad(this.tool.name, 9)} ${pad(`${id}${this.suffix}`, 14)} ${text}`);
  }

  /** Mark every cell of a remote kind (dir / s3) not applicable or not measured. */
  skipKind(kind, field, reason) {
    for (const row of REMOTE_ROWS.filter((r) => r.id.startsWith(kind) && !r.jobs)) this.cells[row.id] = { kind: row.kind, [field]: reason };
    this.say(kind, `${field === 'na' ? 'n/a' : 'not measured'}: ${reason}`);
  }

  /** Untimed commands; returns an error line or null. */
  async untimed(cmds, opts) {
    if (cmds.length === 0) return null;
    const r = await runSeq(cmds, opts);
    return r.ok ? null : `${r.failedCommand}: ${r.error}`;
  }

  async timed(id, cmds, opts) {
    syncDisks();
    const r = await runSeq(cmds, opts);
    const cell = { kind: 'time', ok: r.ok, wallS: round(r.wallS), rssKiB: r.rssKiB, commands: r.commands };
    const j = troveJson(r.stdout);
    if (!r.ok) {
      Object.assign(cell, { error: j?.error?.message ? `${j.error.code ?? 'error'}: ${j.error.message}` : r.error, failedCommand: r.failedCommand });
    }
    this.cells[id] = cell;
    this.say(id, r.ok ? `${r.wallS.toFixed(2)} s` : `FAILED: ${cell.error}`);
    return { cell, json: j?.ok ? j.result : null };
  }
}

/**
 * One remote kind for one tool: untimed setup, timed push, timed clone + pull,
 * verification and counts. `server` is the S3 server for kind 's3'.
 */
async function pushPull(rc, kind, repo, env, r0, server, check) {
  let r = r0;
  const { tool, cfg } = rc;
  const p = kind; // row id prefix
  const inRepo = { cwd: repo, env, timeoutS: cfg.timeoutS };
  const outside = { cwd: path.dirname(r.clone), env, timeoutS: cfg.timeoutS };
  if (kind === 'dir') fs.mkdirSync(r.dir, { recursive: true }); // git-annex wants it to exist

  r = { ...r, dataRemote: `${kind === 'dir' ? 'd' : 's3'}${rc.suffix}`, ...(rc.suffix ? { jobs: TROVE_JOBS[kind] } : {}) };
  const setupErr = await rc.untimed(tool.remoteSetup(kind, r), inRepo);
  if (setupErr) {
    rc.skipKind(kind, 'notMeasured', `setting up the remote failed: ${setupErr}`);
    return;
  }

  // ---- push
  const remoteData = kind === 'dir' ? tool.remoteData(r) : null;
  const before = kind === 'dir' ? fileBytes(remoteData) : await server.snapshot();
  const push = await rc.timed(`${p}Push`, tool.push(kind, r), inRepo);
  const own = push.json;
  if (kind === 'dir') {
    const after = fileBytes(remoteData);
    rc.cells[`${p}PushBytes`] = push.cell.ok && before != null && after != null ? { kind: 'bytes', bytes: after - before } : { kind: 'bytes', skipped: 'step failed' };
    rc.cells[`${p}PushReq`] = { kind: 'count', count: own ? own.requests : null };
  } else {
    const d = diff(before, await server.snapshot());
    const stored = await server.stored();
    Object.assign(push.cell, { server: d, stored });
    rc.cells[`${p}PushBytes`] = { kind: 'bytes', bytes: d.up, down: d.down };
    rc.cells[`${p}PushReq`] = { kind: 'count', count: serverCount(d), own: own ? own.requests : null, byMethod: d.byMethod };
    rc.say(`${p}Push`, `server: ${d.requests} requests ${JSON.stringify(d.byMethod)}, ${d.up} B up, ${d.down} B down; bucket ${stored ? `${stored.objects} objects, ${stored.bytes} B` : '?'}`);
  }
  if (own) push.cell.reported = { objects: own.objects, bytes: own.bytes, packs: own.packs, requests: own.requests };
  if (!push.cell.ok) {
    const why = { kind: 'time', ok: false, error: 'not run: the push failed' };
    rc.cells[`${p}Pull`] = why;
    rc.cells[`${p}PullBytes`] = { kind: 'bytes', skipped: 'push failed' };
    rc.cells[`${p}PullReq`] = { kind: 'count', count: null };
    return;
  }

  // ---- fresh clone + pull
  rmTree(r.clone);
  const before2 = kind === 's3' ? await server.snapshot() : null;
  const pull = await rc.timed(`${p}Pull`, tool.pull(kind, r), outside);
  const fetched = pull.json?.fetch ?? null;
  if (fetched) pull.cell.reported = { objects: fetched.objects, bytes: fetched.bytes, requests: fetched.requests };
  if (kind === 'dir') {
    rc.cells[`${p}PullBytes`] = pull.cell.ok ? { kind: 'bytes', bytes: fileBytes(path.join(r.clone, tool.storeDir)) } : { kind: 'bytes', skipped: 'step failed' };
    rc.cells[`${p}PullReq`] = { kind: 'count', count: fetched ? fetched.requests : null };
  } else {
    const d = diff(before2, await server.snapshot());
    pull.cell.server = d;
    rc.cells[`${p}PullBytes`] = { kind: 'bytes', bytes: d.down, up: d.up };
    rc.cells[`${p}PullReq`] = { kind: 'count', count: serverCount(d), own: fetched ? fetched.requests : null, byMethod: d.byMethod };
    rc.say(`${p}Pull`, `server: ${d.requests} requests ${JSON.stringify(d.byMethod)}, ${d.up} B up, ${d.down} B down`);
  }
  if (pull.cell.ok && check.expected != null) {
    const actual = check.digest(r.clone);
    if (actual !== check.expected) {
      Object.assign(pull.cell, { ok: false, wrong: true, error: 'the clone\'s files do not match the latest commit after the pull' });
      rc.say(`${p}Pull`, `WRONG CONTENT: ${pull.cell.error}`);
    }
  }
}

/**
 * Push and pull for one tool in its workload repository `repo`. `check` =
 * { digest(root), expected }: the digest of the latest commit's data.
 * `defer(dir)` hands a scratch dir to the run's end-of-run removal.
 */
export async function runRemotes(tool, cfg, env, log, opts) {
  const main = await remotePass(tool, cfg, env, log, opts, '');
  // The peers again, asked for trove's parallel transfers: a second bare
  // origin and data remote (names ending in J), fresh clones.
  // Only for a tool whose default is fewer than trove's: git-lfs's default of
  // 8 concurrent transfers is already at least trove's 4 / 8, and trove's own
  // row above already ran at its default.
  let jobs = null;
  if (tool.fewerJobsThanTrove && cfg.peerJobs !== false) jobs = await remotePass(tool, cfg, env, log, opts, 'J');
  for (const row of JOB_ROWS) {
    const base = row.id.slice(0, -1);
    let cell;
    if (jobs) cell = { ...jobs.cells[base], jobsOf: base };
    else if (main.cells[base]?.na) cell = { ...main.cells[base] };
    else if (tool.fewerJobsThanTrove) cell = { kind: 'time', notMeasured: 'BENCH_PEER_JOBS=0' };
    else cell = { kind: 'time', same: tool.jobsShort ?? 'its default' };
    main.cells[row.id] = cell;
  }
  if (jobs) {
    main.peakRssKiB = peakRss(main.cells);
    if (jobs.harnessError) main.harnessError = [main.harnessError, `at trove's jobs: ${jobs.harnessError}`].filter(Boolean).join('; ');
  }
  return main;
}

async function remotePass(tool, cfg, env, log, { wl, repo, check, defer }, suffix) {
  const rc = new RemoteCtx(tool, cfg, log, suffix);
  const base = cfg.remoteBase ?? { dir: cfg.workDir, separate: false };
  // clones (work dir) and the remote side (base; see the header)
  const local = path.join(cfg.workDir, `${wl}-${tool.name}-remote${suffix}`);
  const remote = base.separate ? path.join(base.dir, `${wl}-${tool.name}${suffix}`) : path.join(base.dir, `${wl}-${tool.name}-remote-side${suffix}`);
  let harnessError = null;
  try {
    for (const d of [local, remote]) {
      rmTree(d);
      fs.mkdirSync(d, { recursive: true });
      scratch.add(d);
    }
    defer(local);
    const originDir = path.join(remote, 'origin.git');
    const origin = pathToFileURL(originDir).href;
    const gitRemote = `origin${suffix}`;
    for (const [args, cwd] of [[['init', '-q', '--bare', originDir], remote], [['remote', 'add', gitRemote, origin], repo]]) {
      const g = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
      if (g.status !== 0) throw new Error(`git ${args.join(' ')}: ${g.stderr.trim()}`);
    }
    // Every commit of main that carries data (newest first), read before the
    // remote setup adds its own: each tool sends the data of all of them.
    const revs = spawnSync('git', ['rev-list', 'main'], { cwd: repo, env, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    const common = { originDir, origin, gitRemote, revs };

    const dirRemote = path.join(remote, 'dir-remote');
    await pushPull(rc, KINDS.dir, repo, env, { ...common, dir: dirRemote, clone: path.join(local, 'clone-dir') }, null, check);
    if (base.separate) rmTree(dirRemote); // free the memory (tmpfs) before S3

    if (tool.s3Unsupported) {
      rc.skipKind('s3', 'na', tool.s3Unsupported);
    } else if (!findMoto()) {
      rc.skipKind('s3', 'notMeasured', `${MOTO} not found on PATH`);
    } else {
      let server = null;
      try {
        server = await startS3(remote, `bench-${wl}-${tool.name}${suffix}`.toLowerCase(), log);
      } catch (err) {
        rc.skipKind('s3', 'notMeasured', `the S3 server did not start: ${err.message}`);
      }
      if (server) {
        try {
          const r = { ...common, clone: path.join(local, 'clone-s3'), s3: server };
          await pushPull(rc, KINDS.s3, repo, s3Env(env), r, server, check);
          if (!server.alive()) log(`s3        moto exited during the ${tool.name} steps`);
        } finally {
          await server.stop();
        }
      }
    }
  } catch (err) {
    log(`${pad(tool.name, 9)} push/pull harness error: ${err.stack ?? err}`);
    harnessError = String(err.message ?? err);
  } finally {
    if (base.separate) {
      rmTree(remote); // no discard penalty on another file system: free it now
      scratch.delete(remote);
    } else {
      defer(remote);
    }
  }
  return finishRemote(rc.cells, harnessError);
}

/** The result of a tool whose push/pull steps could not run at all. */
export function remoteNotRun(reason) {
  return finishRemote({}, reason, REMOTE_ROWS);
}

function finishRemote(have, harnessError, rows = REMOTE_ROWS.filter((r) => !r.jobs)) {
  const cells = {};
  for (const row of rows) {
    cells[row.id] =
      have[row.id] ??
      (row.kind === 'time'
        ? { kind: 'time', ok: false, error: harnessError ? `harness: ${harnessError}` : 'not run' }
        : { kind: row.kind, skipped: 'not run', ...(row.kind === 'count' ? { count: null } : {}) });
  }
  return {
    status: 'ran',
    cells,
    peakRssKiB: peakRss(cells),
    ...(harnessError ? { harnessError } : {}),
  };
}
