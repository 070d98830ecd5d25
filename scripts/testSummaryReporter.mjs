// A node:test reporter that writes one JSON line per finished test (and the
// stderr of a file that failed before its tests ran), for run-tests.mjs to
// summarise. The spec reporter prints the live output beside it.
export default async function* summaryReporter(source) {
  for await (const event of source) {
    const d = event.data ?? {};
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      if (d.details?.type === 'suite') continue; // node counts tests, not suites
      const error = d.details?.error;
      yield JSON.stringify({
        kind: event.type === 'test:fail' ? 'fail' : d.skip !== undefined ? 'skip' : d.todo !== undefined ? 'todo' : 'pass',
        name: d.name,
        file: d.file ?? null,
        nesting: d.nesting,
        failureType: error?.failureType ?? null,
        error: error ? String(error.cause?.message ?? error.cause ?? error.message).split('\n')[0].slice(0, 300) : null,
      }) + '\n';
    } else if (event.type === 'test:stderr' && d.file) {
      yield JSON.stringify({ kind: 'stderr', file: d.file, message: String(d.message).slice(0, 500) }) + '\n';
    }
  }
}
