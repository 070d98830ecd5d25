// Running and measuring commands.
//
// Wall time is taken with process.hrtime around the child (ms resolution);
// peak RSS comes from GNU time's %M, which is the largest resident set of the
// command and of every descendant it waited for (git's filter processes,
// git-annex's helpers, ...). Each command runs in its own process group so a
// timeout can kill the whole tree.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const GNU_TIME = '/usr/bin/time';
const haveGnuTime = (() => {
  const r = spawnSync(GNU_TIME, ['-f', '%e %M', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /^\d+(\.\d+)? \d+\s*$/m.test(r.stderr);
})();

const CAPTURE_LIMIT = 256 * 1024;
let seq = 0;
const live = new Set();

function killAll() {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export { haveGnuTime };

/**
 * Run one command. Resolves (never rejects) with
 * { ok, code, signal, timedOut, wallS, rssKiB, stdout, stderr, argv }.
 */
export function runCmd(cmd, args, { cwd, env = process.env, timeoutS = 3600 } = {}) {
  return new Promise((resolve) => {
    const timeFile = path.join(os.tmpdir(), `trove-bench-time-${process.pid}-${seq++}.txt`);
    const argv = haveGnuTime ? [GNU_TIME, '-o', timeFile, '-f', '%e %M', cmd, ...args] : [cmd, ...args];
    const out = { stdout: '', stderr: '' };
    let timedOut = false;
    const t0 = process.hrtime.bigint();
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      resolve(done(null, null, err));
      return;
    }
    live.add(child.pid);
    const keep = (k) => (chunk) => {
      if (out[k].length < CAPTURE_LIMIT) out[k] += chunk.toString('utf8');
    };
    child.stdout.on('data', keep('stdout'));
    child.stderr.on('data', keep('stderr'));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutS * 1000);
    let spawnError = null;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child.pid);
      resolve(done(code, signal, spawnError));
    });

    function done(code, signal, err) {
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      let rssKiB = null;
      try {
        const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
        const m = /^(\d+(?:\.\d+)?) (\d+)$/.exec(lines[lines.length - 1].trim());
        if (m) rssKiB = Number(m[2]);
        fs.rmSync(timeFile, { force: true });
      } catch {
        /* no time file (spawn failure, killed) */
      }
      if (err) out.stderr += `${err.message}\n`;
      return {
        ok: !err && !timedOut && code === 0,
        code,
        signal,
        timedOut,
        wallS,
        rssKiB,
        stdout: out.stdout,
        stderr: out.stderr,
        argv: [cmd, ...args],
      };
    }
  });
}

/**
 * Run a list of commands [{cmd, args}] in sequence, stopping at the first
 * failure. Wall times add up; peak RSS is the max.
 */
export async function runSeq(cmds, opts) {
  let wallS = 0;
  let rssKiB = null;
  const commands = [];
  const stdout = []; // per command, for callers that parse results (not stored)
  for (const { cmd, args } of cmds) {
    const r = await runCmd(cmd, args, opts);
    wallS += r.wallS;
    if (r.rssKiB != null) rssKiB = Math.max(rssKiB ?? 0, r.rssKiB);
    commands.push({ argv: displayArgv(r.argv), wallS: round(r.wallS), rssKiB: r.rssKiB, code: r.code });
    stdout.push(r.stdout);
    if (!r.ok) {
      return { ok: false, wallS, rssKiB, commands, stdout, error: failureLine(r), failedCommand: displayArgv(r.argv).join(' ') };
    }
  }
  return { ok: true, wallS, rssKiB, commands, stdout };
}

/** Shorten `node /abs/dist/cli/trove.cjs x` (or tsc's dist/src/cli/bin.js) to `trove x`, cap long path lists. */
function displayArgv(argv) {
  let a = argv;
  if (a[0] === process.execPath && /(bin\.js|trove\.cjs)$/.test(a[1] ?? '')) a = ['trove', ...a.slice(2)];
  if (a.length > 12) a = [...a.slice(0, 10), `... (${a.length - 10} more)`];
  return a;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The line that best says why a command failed. */
export function failureLine(r) {
  if (r.timedOut) return `timed out (${displayArgv(r.argv)[0]} ${displayArgv(r.argv)[1] ?? ''})`.trim();
  const pick = (text) => {
    const lines = text
      .replace(ANSI, '')
      .split('\n')
      .map((l) => l.split('\r').filter((p) => p.trim()).pop() ?? '')
      .map((l) => l.trim())
      .filter(Boolean);
    if (lines.length === 0) return null;
    // Node stack dumps start with a location line; the message comes later.
    if (/^(node:|file:\/\/|\/\S+:\d+)/.test(lines[0])) {
      return lines.find((l) => /\b[A-Z]\w*Error\b|^Error\b/.test(l)) ?? lines[0];
    }
    return lines[0];
  };
  const line = pick(r.stderr) ?? pick(r.stdout) ?? `exit code ${r.code ?? r.signal}`;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** The largest peak RSS among a tool's cells for one workload (null when none was measured). */
export function peakRss(cells) {
  const rss = Object.values(cells)
    .map((c) => c.rssKiB)
    .filter((x) => x != null);
  return rss.length ? Math.max(...rss) : null;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return null;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function round(x, digits = 4) {
  return x == null ? x : Number(x.toFixed(digits));
}

/** Apparent bytes under a path (hard links counted once); 0 if absent. */
export function dirBytes(p) {
  if (!fs.existsSync(p)) return 0;
  const r = spawnSync('du', ['-sb', p], { encoding: 'utf8' });
  if (r.status !== 0 && !r.stdout) return null;
  return Number(r.stdout.split(/\s/)[0]);
}

/** Sum of the sizes of the regular files under a path (directories and their
 * entries not counted); 0 if absent, null if it cannot be listed. */
export function fileBytes(p) {
  if (!fs.existsSync(p)) return 0;
  const r = spawnSync('find', [p, '-type', 'f', '-printf', '%s\\n'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) return null;
  let n = 0;
  for (const line of r.stdout.split('\n')) if (line) n += Number(line);
  return n;
}

/** Flush dirty pages so a timed step does not pay for earlier writes. */
export function syncDisks() {
  spawnSync('sync');
}

/**
 * Flush, then drop the clean page cache (root only; false where not
 * allowed). On this VM new page-cache pages cost more the more cache earlier
 * work left (all of it kernel time): without this, the tool that runs last in
 * a workload pays for the gigabytes its predecessors wrote. Called before
 * each tool's phase of a workload, the same for every tool, so each starts
 * from the same state; within a phase the cache is warm as a user's would be.
 */
export function dropPageCache() {
  syncDisks();
  try {
    fs.writeFileSync('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}

/**
 * Flush, then wait (up to maxS) until the disk is quiet. On a file system
 * mounted with online discard, deleting the previous tool's gigabytes queues
 * discards that stall the next tool's file creates for tens of seconds; the
 * tool that happens to run next would pay for its predecessor's cleanup.
 * Reads PSI (/proc/pressure/io); where that is absent, only syncs.
 */
export async function settleDisks(maxS = 90) {
  syncDisks();
  const until = Date.now() + maxS * 1000;
  for (;;) {
    let some = 0;
    try {
      some = Number(/some avg10=([\d.]+)/.exec(fs.readFileSync('/proc/pressure/io', 'utf8'))?.[1] ?? 0);
    } catch {
      return;
    }
    if (some < 0.5 || Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Run a short helper command synchronously; returns trimmed stdout or null. */
export function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return r.status === 0 ? r.stdout.trim() : null;
}
