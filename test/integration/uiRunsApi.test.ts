import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initExperiment } from '../../src/api/initExperiment.js';
import { openRepo } from '../../src/workspace/Repo.js';
import { startUi, type UiServer } from '../../src/server/startUi.js';
import type { RunsResponse, SeriesResponse } from '../../src/server/types/runsTypes.js';
import { writeRuns, type FixtureRun } from '../helpers/experimentFixture.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';
import { getJson, startUiServer } from '../helpers/uiServer.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const C = 'c'.repeat(32);
const OLD = 'd'.repeat(32);
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

// loss minimized (primary), accuracy maximized (guess), val_err minimized (guess); run B MAXIMIZES loss as its primary metric.
const RUNS: FixtureRun[] = [
  {
    id: A,
    created: iso(T0),
    params: { lr: 0.1, batch: 32, seed: 1 },
    primary_metric: { name: 'loss', goal: 'minimize' },
    checkpoints: [
      { step: 0, created: iso(T0 + 1000), metrics: { loss: 0.9, accuracy: 0.3, val_err: 0.5 } },
      { step: 10, created: iso(T0 + 3500), metrics: { loss: 0.2, accuracy: 0.8, val_err: 0.1 } },
      { step: 20, created: iso(T0 + 7000), metrics: { loss: NaN, accuracy: 0.7, val_err: 0.3 } },
      { step: 30, created: iso(T0 + 9000), metrics: { loss: 0.4, accuracy: 0.75 } },
    ],
  },
  {
    id: B,
    created: iso(T0 + 60_000),
    params: { lr: 0.01, batch: 32, seed: 1 },
    primary_metric: { name: 'loss', goal: 'maximize' },
    checkpoints: [
      { step: 0, created: iso(T0 + 61_000), metrics: { loss: 0.5, accuracy: 0.1 } },
      { step: 5, created: iso(T0 + 62_000), metrics: { loss: 0.7, accuracy: Infinity } },
      { step: 9, created: iso(T0 + 64_000), metrics: { loss: 0.6, accuracy: 0.2 } },
    ],
  },
  { id: C, created: iso(T0 + 120_000), params: { lr: 0.001, batch: 32, seed: 1 }, status: 'crashed', checkpoints: [] },
  // written before summaries had metric_stats: the table falls back to best/latest
  {
    id: OLD,
    created: iso(T0 + 180_000),
    params: { lr: 0.1, batch: 32, seed: 1 },
    primary_metric: { name: 'loss', goal: 'minimize' },
    legacySummary: true,
    checkpoints: [
      { step: 1, created: iso(T0 + 181_000), metrics: { loss: 0.3, accuracy: 0.9 } },
      { step: 2, created: iso(T0 + 182_000), metrics: { loss: 0.1, accuracy: 0.4 } },
      { step: 3, created: iso(T0 + 183_000), metrics: { loss: 0.6, accuracy: 0.5 } },
    ],
  },
];

describe('trove ui: the runs routes', () => {
  let repo: TmpRepo;
  let ui: UiServer;
  let base: string;
  before(async () => {
    repo = createTmpRepo();
    writeRuns(repo.dir, RUNS);
    ui = await startUi({ repo: await openRepo({ cwd: repo.dir }), version: 'test' });
    base = ui.url.replace(/\/$/, '');
  });
  after(async () => {
    await ui?.close();
    repo?.cleanup();
  });

  test('GET /api/runs: every run newest first with best, last, min and max of every metric, goals from the primary metric or the name', async () => {
    const { status, body } = await getJson<RunsResponse>(base, '/api/runs');
    assert.equal(status, 200);
    assert.deepEqual(body.runs.map((r) => r.id), [OLD, C, B, A]);
    const a = body.runs.find((r) => r.id === A)!;
    assert.deepEqual(a.params, { lr: 0.1, batch: 32, seed: 1 });
    assert.equal(a.checkpoints, 4);
    assert.equal(a.status, 'stopped');
    // primary loss, minimize: NaN never best, last is the last checkpoint's value
    assert.deepEqual(a.metrics.loss, { goal: 'minimize', goal_source: 'primary', best: 0.2, last: 0.4, min: 0.2, max: 0.9, last_step: 30, exact: true });
    assert.deepEqual(a.metrics.accuracy, { goal: 'maximize', goal_source: 'guess', best: 0.8, last: 0.75, min: 0.3, max: 0.8, last_step: 30, exact: true });
    // val_err is missing from the last checkpoint: its last value is the one at step 20
    assert.deepEqual(a.metrics.val_err, { goal: 'minimize', goal_source: 'guess', best: 0.1, last: 0.3, min: 0.1, max: 0.5, last_step: 20, exact: true });
    const b = body.runs.find((r) => r.id === B)!;
    // the SAME metric name maximized because B's primary metric says so
    assert.deepEqual(b.metrics.loss, { goal: 'maximize', goal_source: 'primary', best: 0.7, last: 0.6, min: 0.5, max: 0.7, last_step: 9, exact: true });
    assert.deepEqual(b.metrics.accuracy!.best, { $float: 'Infinity' });
    assert.deepEqual(body.runs.find((r) => r.id === C)!.metrics, {});
    const old = body.runs.find((r) => r.id === OLD)!;
    assert.equal(old.metrics.loss!.exact, false);
    assert.equal(old.metrics.loss!.best, 0.1);
    assert.equal(old.metrics.loss!.last, 0.6);
    assert.equal(old.metrics.accuracy!.best, 0.5, 'without metric_stats only the best (0.4) and latest (0.5) checkpoints are known');
    assert.deepEqual(body.metrics, [
      { name: 'accuracy', goal: 'maximize', goal_source: 'guess' },
      { name: 'loss', goal: 'minimize', goal_source: 'primary' },
      { name: 'val_err', goal: 'minimize', goal_source: 'guess' },
    ]);
    // the run summary travels as exp ls --json has it (the page filters with the same code)
    assert.equal(a.best!.step, 10);
    assert.equal(a.latest!.step, 30);
    assert.equal('metric_stats' in a, false);
  });

  test('GET /api/runs: differingParams lists only the params whose values differ', async () => {
    const { body } = await getJson<RunsResponse>(base, '/api/runs');
    assert.deepEqual(body.differingParams, ['lr']);
    assert.deepEqual(body.params, ['batch', 'lr', 'seed']);
  });

  test('GET /api/series: per run and metric, step, time since start, wall time and value as recorded; NaN is null', async () => {
    const { status, body } = await getJson<SeriesResponse>(base, `/api/series?ids=${A},${B.slice(0, 6)}&metrics=loss,val_err`);
    assert.equal(status, 200);
    assert.deepEqual(body.missing, []);
    assert.deepEqual(body.runs.map((r) => r.id), [A, B]);
    const a = body.runs[0]!;
    assert.deepEqual(Object.keys(a.metrics), ['loss', 'val_err']);
    assert.deepEqual(a.metrics.loss, { step: [0, 10, 20, 30], time: [1, 3.5, 7, 9], wall: [T0 + 1000, T0 + 3500, T0 + 7000, T0 + 9000], value: [0.9, 0.2, null, 0.4] });
    assert.deepEqual(a.metrics.val_err!.step, [0, 10, 20]);
    assert.deepEqual(body.runs[1]!.metrics.loss!.value, [0.5, 0.7, 0.6]);
    assert.equal(body.runs[1]!.metrics.val_err, undefined);
    // without metrics=: every metric
    const all = await getJson<SeriesResponse>(base, `/api/series?ids=${B}`);
    assert.deepEqual(Object.keys(all.body.runs[0]!.metrics), ['accuracy', 'loss']);
    assert.deepEqual(all.body.runs[0]!.metrics.accuracy!.value, [0.1, null, 0.2]);
  });

  test('GET /api/series: an unknown id is reported missing, no ids is a 400', async () => {
    const { body } = await getJson<SeriesResponse>(base, `/api/series?ids=${A},${'e'.repeat(32)},ffff`);
    assert.deepEqual(body.runs.map((r) => r.id), [A]);
    assert.deepEqual(body.missing, ['ffff', 'e'.repeat(32)]);
    const none = await getJson<{ error: { code: string } }>(base, '/api/series');
    assert.equal(none.status, 400);
    assert.equal(none.body.error.code, 'USAGE');
  });

  test('GET /api/runs.csv?filter=… is the table of exp ls --filter, with best and last of every metric', async () => {
    const res = await fetch(`${base}/api/runs.csv?filter=${encodeURIComponent('lr>=0.01 status=stopped')}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await res.text()).trim().split('\n');
    assert.equal(lines[0], 'id,started,status,host,user,checkpoints,lr,best_accuracy,last_accuracy,best_loss,last_loss,best_val_err,last_val_err');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]).sort(), [A, B, OLD].sort());
    assert.equal(lines.find((l) => l.startsWith(A))!.split(',').slice(6).join(','), '0.1,0.8,0.75,0.2,0.4,0.1,0.3');
    const bad = await fetch(`${base}/api/runs.csv?filter=${encodeURIComponent('lr >')}`);
    assert.equal(bad.status, 400);
  });
});

describe('trove ui: /api/events', () => {
  let repo: TmpRepo;
  /** the git wrappers that count calls, and their logs */
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'trove-git-calls-'));
    repo = createTmpRepo();
    repo.git('commit', '-q', '--allow-empty', '-m', 'init');
    writeRuns(repo.dir, [RUNS[0]!]);
  });
  after(() => {
    repo?.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Read SSE events from `url` until `until` says stop (or the timeout). */
  async function readEvents(url: string, until: (events: { event: string; data: string }[]) => boolean, timeoutMs = 8000, onOpen?: () => Promise<void>): Promise<{ event: string; data: string }[]> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    const events: { event: string; data: string }[] = [];
    try {
      const res = await fetch(url, { signal: ctl.signal, headers: { Accept: 'text/event-stream' } });
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = res.body!.getReader();
      let buf = '';
      let opened = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += Buffer.from(value).toString('utf8');
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const ev = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data += line.slice(6);
          }
          if (block.startsWith(':')) continue;
          events.push(ev);
          if (ev.event === 'ready' && !opened && onOpen) {
            opened = true;
            await onOpen();
          }
        }
        if (until(events)) break;
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    } finally {
      clearTimeout(timer);
      ctl.abort();
    }
    return events;
  }

  test('a live run that records a checkpoint, and a run whose ref moves, are announced as `event: runs` with their ids', async () => {
    const ui = await startUi({ repo: await openRepo({ cwd: repo.dir }), version: 'test' });
    try {
      const url = ui.url.replace(/\/$/, '') + '/api/events';
      let liveId = '';
      const exp = await initExperiment({ cwd: repo.dir }, { params: { lr: 1 }, remote: null });
      liveId = exp.id;
      try {
        const events = await readEvents(
          url,
          (evs) => evs.some((e) => e.event === 'runs' && JSON.parse(e.data).ids.includes(liveId)),
          8000,
          async () => {
            await new Promise((r) => setTimeout(r, 200));
            await exp.checkpoint({ step: 1, metrics: { loss: 0.5 } });
          },
        );
        assert.equal(events[0]!.event, 'ready');
        assert.ok(events.some((e) => e.event === 'runs' && JSON.parse(e.data).ids.includes(liveId)), `events: ${JSON.stringify(events)}`);
      } finally {
        await exp.stop();
      }
      // A finished run's ref moved by someone else (here: its commit rewritten by hand)
      const ref = `refs/trove/experiments/${A}`;
      const events = await readEvents(
        url,
        (evs) => evs.some((e) => e.event === 'runs' && JSON.parse(e.data).ids.includes(A)),
        8000,
        async () => {
          const tree = repo.git('rev-parse', `${ref}^{tree}`).trim();
          const msg = repo.git('log', '-1', '--format=%B', ref);
          const commit = repo.git('commit-tree', tree, '-p', ref, '-m', msg.trim()).trim();
          repo.git('update-ref', ref, commit);
        },
      );
      assert.deepEqual(JSON.parse(events.find((e) => e.event === 'runs')!.data).ids, [A]);
    } finally {
      await ui.close();
    }
  });

  test('closing the server (in process) with a client connected ends the stream and its polling', async () => {
    const log = join(scratch, 'calls-inproc.log');
    const wrapper = join(scratch, 'git-inproc.sh');
    writeFileSync(log, '');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec git "$@"\n`);
    chmodSync(wrapper, 0o755);
    const polls = (): number => readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('for-each-ref --format=%(refname) %(objectname)')).length;
    const saved = process.env.TROVE_GIT;
    process.env.TROVE_GIT = wrapper; // read when the repository is opened
    const opened = await openRepo({ cwd: repo.dir });
    if (saved === undefined) delete process.env.TROVE_GIT;
    else process.env.TROVE_GIT = saved;
    const ui = await startUi({ repo: opened, version: 'test' });
    const res = await fetch(ui.url.replace(/\/$/, '') + '/api/events');
    const reader = res.body!.getReader();
    assert.match(Buffer.from((await reader.read()).value!).toString('utf8'), /event: ready/);
    await new Promise((r) => setTimeout(r, 2200));
    assert.ok(polls() >= 2, `${polls()} polls with a client`);
    await ui.close();
    // the stream ends for the client too
    for (;;) {
      const { done } = await reader.read().catch(() => ({ done: true }));
      if (done) break;
    }
    await new Promise((r) => setTimeout(r, 1500));
    const settled = polls();
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(polls(), settled, 'no polling after close()');
  });

  test('the poller runs only while a client listens and stops when the server stops (git calls counted through TROVE_GIT)', async () => {
    const log = join(scratch, 'calls-cli.log');
    const wrapper = join(scratch, 'git-cli.sh');
    writeFileSync(log, '');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec git "$@"\n`);
    chmodSync(wrapper, 0o755);
    const polls = (): number => readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('for-each-ref --format=%(refname) %(objectname)')).length;
    const server = await startUiServer(repo.dir, [], { ...process.env, TROVE_GIT: wrapper });
    try {
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(polls(), 0, 'no client: no polling');
      const events = await readEvents(`${server.origin}/api/events`, () => false, 3500);
      assert.equal(events[0]?.event, 'ready');
      const during = polls();
      assert.ok(during >= 1, `polled ${during} times in 3.5 s with a client`);
      await new Promise((r) => setTimeout(r, 2000)); // a poll in flight when the client left may still finish
      const settled = polls();
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(polls(), settled, 'the client left: polling stopped');
      // A client still connected does not keep the server from stopping.
      const ctl = new AbortController();
      const res = await fetch(`${server.origin}/api/events`, { signal: ctl.signal });
      assert.equal(res.status, 200);
      const t = Date.now();
      const code = await server.stop();
      assert.equal(code, 0);
      assert.ok(Date.now() - t < 8000, `stopped in ${Date.now() - t} ms with a client connected`);
      ctl.abort();
    } finally {
      await server.stop();
    }
  });
});
