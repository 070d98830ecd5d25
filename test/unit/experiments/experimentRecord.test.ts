import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isExperimentId, matchIdPrefix, newExperimentId, parseCheckpoints, parseExperiment, parseStatus, serializeCheckpoints, serializeExperiment, serializeStatus, type CheckpointRecord, type ExperimentRecord } from '../../../src/core/experimentRecord.js';
import { foldJournal, parseJournal, serializeJournalEvent } from '../../../src/core/experimentJournal.js';
import { decodeFloats, encodeFloats } from '../../../src/core/jsonFloats.js';
import { bestCheckpoint, parseCommitMessage, serializeCommitMessage, summarizeRun, metricStats } from '../../../src/core/runSummary.js';
import { TroveError } from '../../../src/errors/index.js';

const ID = '0123456789abcdef0123456789abcdef';
const C1 = '11111111111111111111111111111111';
const C2 = '22222222222222222222222222222222';
const C3 = '33333333333333333333333333333333';
const OID = `sha256:${'a'.repeat(64)}`;

export const GOLDEN_EXPERIMENT: ExperimentRecord = {
  'trove-experiment': 1,
  id: ID,
  created: '2026-12-06T10:00:00.000Z',
  params: { learning_rate: 0.01, num_epochs: 3 },
  command: ['python', 'train.py'],
  host: 'box',
  user: 'ada',
  python: '3.11.7',
  packages: { numpy: '1.26.4' },
  code: { commit: 'f'.repeat(40), path: '.', dirty: { kind: 'dir', oid: OID, size: 120, files: 2 } },
  data: [{ path: 'data/iris.csv', kind: 'file', oid: OID }],
  primary_metric: null,
};

export const GOLDEN_EXPERIMENT_JSON = `{
  "trove-experiment": 1,
  "id": "${ID}",
  "created": "2026-12-06T10:00:00.000Z",
  "params": {
    "learning_rate": 0.01,
    "num_epochs": 3
  },
  "command": [
    "python",
    "train.py"
  ],
  "host": "box",
  "user": "ada",
  "python": "3.11.7",
  "packages": {
    "numpy": "1.26.4"
  },
  "code": {
    "commit": "${'f'.repeat(40)}",
    "path": ".",
    "dirty": {
      "kind": "dir",
      "oid": "${OID}",
      "size": 120,
      "files": 2
    }
  },
  "data": [
    {
      "path": "data/iris.csv",
      "kind": "file",
      "oid": "${OID}"
    }
  ],
  "primary_metric": null
}
`;

const cp = (id: string, step: number, loss: number, data = true): CheckpointRecord => ({
  id,
  step,
  created: `2026-12-06T10:00:0${step}.000Z`,
  metrics: { loss },
  path: data ? 'model.pth' : null,
  data: data ? { kind: 'file', oid: OID, size: 10, files: 1 } : null,
});

test('experiment.json serialisation is byte-exact (golden) and round-trips', () => {
  assert.equal(serializeExperiment(GOLDEN_EXPERIMENT), GOLDEN_EXPERIMENT_JSON);
  assert.deepEqual(parseExperiment(GOLDEN_EXPERIMENT_JSON), GOLDEN_EXPERIMENT);
});

test('checkpoints.jsonl is one compact line per checkpoint (golden), NaN as $float', () => {
  const text = serializeCheckpoints([cp(C1, 1, NaN), cp(C2, 2, 0.5, false)]);
  assert.equal(
    text,
    `{"id":"${C1}","step":1,"created":"2026-12-06T10:00:01.000Z","metrics":{"loss":{"$float":"NaN"}},"path":"model.pth","data":{"kind":"file","oid":"${OID}","size":10,"files":1}}\n` +
      `{"id":"${C2}","step":2,"created":"2026-12-06T10:00:02.000Z","metrics":{"loss":0.5},"path":null,"data":null}\n`,
  );
  const back = parseCheckpoints(text);
  assert.ok(Number.isNaN(back[0]!.metrics.loss));
  assert.deepEqual(back[1], cp(C2, 2, 0.5, false));
  assert.equal(serializeCheckpoints([]), '');
});

test('status.json golden', () => {
  const s = { status: 'running' as const, updated: '2026-12-06T10:00:00.000Z', pid: 42, host: 'box' };
  const text = serializeStatus(s);
  assert.equal(text, '{\n  "status": "running",\n  "updated": "2026-12-06T10:00:00.000Z",\n  "pid": 42,\n  "host": "box"\n}\n');
  assert.deepEqual(parseStatus(text), s);
});

test('NaN and infinities round-trip as {"$float"} at any depth', () => {
  const v = { a: NaN, b: [Infinity, -Infinity, 1.5], c: { d: null, e: 'NaN' } };
  const enc = encodeFloats(v);
  assert.deepEqual(JSON.parse(JSON.stringify(enc)), { a: { $float: 'NaN' }, b: [{ $float: 'Infinity' }, { $float: '-Infinity' }, 1.5], c: { d: null, e: 'NaN' } });
  const dec = decodeFloats(JSON.parse(JSON.stringify(enc))) as typeof v;
  assert.ok(Number.isNaN(dec.a));
  assert.deepEqual(dec.b, [Infinity, -Infinity, 1.5]);
  // an object with other keys beside $float, or an unknown name, stays as is
  assert.deepEqual(decodeFloats({ $float: 'NaN', x: 1 }), { $float: 'NaN', x: 1 });
  assert.deepEqual(decodeFloats({ $float: 'nan' }), { $float: 'nan' });
});

test('best checkpoint: minimize/maximize, earliest on a tie, NaN and missing never best', () => {
  const cs = [cp(C1, 1, NaN), cp(C2, 2, 0.5), cp(C3, 3, 0.5)];
  assert.equal(bestCheckpoint(cs, { name: 'loss', goal: 'minimize' })!.id, C2);
  assert.equal(bestCheckpoint([cp(C1, 1, 0.1), cp(C2, 2, 0.9)], { name: 'loss', goal: 'maximize' })!.id, C2);
  assert.equal(bestCheckpoint(cs, { name: 'acc', goal: 'maximize' }), null);
  assert.equal(bestCheckpoint(cs, null), null);
});

test('a later checkpoint without primary_metric keeps the first one given (Keepsake)', () => {
  const events = [
    { event: 'init' as const, experiment: GOLDEN_EXPERIMENT },
    { event: 'checkpoint' as const, checkpoint: cp(C1, 1, 0.9), primary_metric: { name: 'loss', goal: 'minimize' as const } },
    { event: 'checkpoint' as const, checkpoint: cp(C2, 2, 0.3), primary_metric: null },
    { event: 'checkpoint' as const, checkpoint: cp(C3, 3, 0.6), primary_metric: { name: 'acc', goal: 'maximize' as const } },
  ];
  const state = foldJournal(null, events)!;
  assert.deepEqual(state.experiment.primary_metric, { name: 'loss', goal: 'minimize' });
  const s = summarizeRun(state);
  assert.equal(s.best!.id, C2);
  assert.equal(s.latest!.id, C3);
  assert.equal(s.checkpoints, 3);
  // folding again adds nothing
  assert.equal(foldJournal(state, events)!.checkpoints.length, 3);
});

test('journal round-trips; a torn last line (killed mid-append) is dropped', () => {
  const text =
    serializeJournalEvent({ event: 'init', experiment: GOLDEN_EXPERIMENT }) +
    serializeJournalEvent({ event: 'checkpoint', checkpoint: cp(C1, 1, Infinity), primary_metric: null }) +
    serializeJournalEvent({ event: 'status', status: { status: 'stopped', updated: '2026-12-06T10:01:00.000Z', pid: 1, host: 'box' } });
  const events = parseJournal(text);
  assert.equal(events.length, 3);
  const torn = text + '{"event":"checkpoint","checkpoint":{"id":"3333';
  assert.equal(parseJournal(torn).length, 3);
  const state = foldJournal(null, events)!;
  assert.equal(state.status.status, 'stopped');
  assert.equal(state.checkpoints[0]!.metrics.loss, Infinity);
});

test('commit message summary line golden and round-trip', () => {
  const state = foldJournal(null, [
    { event: 'init', experiment: GOLDEN_EXPERIMENT },
    { event: 'checkpoint', checkpoint: cp(C1, 1, -Infinity, false), primary_metric: { name: 'loss', goal: 'minimize' } },
  ])!;
  const msg = serializeCommitMessage(summarizeRun(state));
  assert.equal(
    msg,
    `trove experiment ${ID}\n\n{"id":"${ID}","created":"2026-12-06T10:00:00.000Z","updated":"2026-12-06T10:00:01.000Z","status":"running","host":"box","user":"ada","pid":null,` +
      `"params":{"learning_rate":0.01,"num_epochs":3},"primary_metric":{"name":"loss","goal":"minimize"},"checkpoints":1,` +
      `"best":{"id":"${C1}","step":1,"metrics":{"loss":{"$float":"-Infinity"}}},"latest":{"id":"${C1}","step":1,"metrics":{"loss":{"$float":"-Infinity"}}},` +
      `"metric_stats":{"loss":{"min":{"$float":"-Infinity"},"max":{"$float":"-Infinity"},"last":{"$float":"-Infinity"},"last_step":1,"count":1}}}\n`,
  );
  assert.deepEqual(parseCommitMessage(msg), summarizeRun(state));
});

test('metric_stats: min and max skip NaN, last keeps it, strings are not counted, names sorted', () => {
  const cs: CheckpointRecord[] = [
    { ...cp(C1, 1, 0.9), metrics: { loss: 0.9, acc: 0.5, note: 'warmup' } },
    { ...cp(C2, 2, 0.3), metrics: { loss: 0.3, acc: Infinity } },
    { ...cp(C3, 3, NaN), step: null, metrics: { loss: NaN } },
  ];
  const s = metricStats(cs);
  assert.deepEqual(Object.keys(s), ['acc', 'loss']);
  assert.deepEqual(s.acc, { min: 0.5, max: Infinity, last: Infinity, last_step: 2, count: 2 });
  assert.equal(s.loss!.min, 0.3);
  assert.equal(s.loss!.max, 0.9);
  assert.ok(Number.isNaN(s.loss!.last));
  assert.equal(s.loss!.last_step, null);
  assert.equal(s.loss!.count, 3);
  assert.deepEqual(metricStats([{ ...cp(C1, 1, NaN) }]).loss, { min: null, max: null, last: NaN, last_step: 1, count: 1 });
});

test('a summary written before metric_stats existed still parses (no metric_stats); a malformed one is dropped, not the run', () => {
  const old = `trove experiment ${ID}\n\n{"id":"${ID}","created":"2026-12-06T10:00:00.000Z","updated":"2026-12-06T10:00:01.000Z","status":"stopped","host":"box","user":"ada","pid":null,"params":{},"primary_metric":null,"checkpoints":0,"best":null,"latest":null}\n`;
  const parsed = parseCommitMessage(old);
  assert.equal(parsed.metric_stats, undefined);
  assert.equal('metric_stats' in parsed, false);
  const broken = old.replace('"latest":null}', '"latest":null,"metric_stats":{"loss":{"min":"x"}}}');
  assert.equal(parseCommitMessage(broken).metric_stats, undefined);
});

test('a commit message that is not an experiment summary is BAD_RECORD', () => {
  assert.throws(() => parseCommitMessage('hello\n\nworld'), (e) => e instanceof TroveError && e.code === 'BAD_RECORD');
  assert.throws(() => parseCommitMessage(`trove experiment ${ID}\n\n{not json`), (e) => e instanceof TroveError && e.code === 'BAD_RECORD');
});

test('experiment.json of a newer format is NEWER_FORMAT; a broken one BAD_RECORD', () => {
  assert.throws(() => parseExperiment(GOLDEN_EXPERIMENT_JSON.replace('"trove-experiment": 1', '"trove-experiment": 2')), (e) => e instanceof TroveError && e.code === 'NEWER_FORMAT');
  assert.throws(() => parseExperiment('{"trove-experiment": 1}'), (e) => e instanceof TroveError && e.code === 'BAD_RECORD');
  assert.throws(() => parseExperiment('nope'), (e) => e instanceof TroveError && e.code === 'BAD_RECORD');
});

test('new ids are 32 lowercase hex and distinct', () => {
  const a = newExperimentId();
  assert.ok(isExperimentId(a));
  assert.notEqual(a, newExperimentId());
});

test('prefix matching: unique, ambiguous, unknown, too short', () => {
  const ids = [C1, C2, '1111aaaa111111111111111111111111'];
  assert.equal(matchIdPrefix(ids, '2222'), C2);
  assert.equal(matchIdPrefix(ids, '22222222222222222222222222222222'), C2);
  assert.equal(matchIdPrefix(ids, '1111A'), '1111aaaa111111111111111111111111');
  assert.throws(() => matchIdPrefix(ids, '1111'), (e) => e instanceof TroveError && e.code === 'USAGE' && e.data?.reason === 'ambiguous');
  assert.throws(() => matchIdPrefix(ids, '9999'), (e) => e instanceof TroveError && e.code === 'NOT_FOUND');
  assert.throws(() => matchIdPrefix(ids, '222'), (e) => e instanceof TroveError && e.code === 'USAGE' && e.data?.reason === 'bad-prefix');
  assert.throws(() => matchIdPrefix(ids, 'zzzz'), (e) => e instanceof TroveError && e.code === 'USAGE');
});
