/**
 * Every TROVE_* environment variable trove reads, with what it does: the code
 * reads them through `envValue` (or `envInteger`, which takes only these
 * names), and the table in docs/config.md is generated from this list by
 * `npm run docs` (scripts/gen-docs.mjs); test/unit/docsDrift.test.ts fails when
 * the source names a TROVE_* variable that is not here, or the doc drifts.
 */
export const ENV_VARS = {
  TROVE_CACHE_DIR: {
    effect: 'replaces `core.cache`. A relative value is resolved against `.trove/`, like the config key (not against the current directory).',
    readIn: 'src/platform/config.ts',
  },
  TROVE_FSYNC: {
    effect: 'replaces `core.fsync`: `1` (or `true`, `on`, `yes`) syncs, `0` (or `false`, `off`, `no`) does not. Any other value is a `USAGE` error (exit 2) rather than a guess: a typo must not turn durability off. Empty means unset.',
    readIn: 'src/platform/config.ts',
  },
  TROVE_LOCK_TIMEOUT_MS: {
    effect: "how long a writing command waits for another trove's lock before failing with `LOCKED`; a whole number from 0 to 86400000, default `60000`.",
    readIn: 'src/platform/repoLock.ts',
  },
  TROVE_RETRIES: {
    effect: 'retries of a transient remote failure (per request); a whole number from 0 to 100, default `6`.',
    readIn: 'src/transfer/withRetries.ts',
  },
  TROVE_RETRY_BASE_MS: {
    effect: 'the first backoff wait, doubled per retry (capped at 20 s); a whole number from 0 to 60000, default `250`.',
    readIn: 'src/transfer/withRetries.ts',
  },
  TROVE_GIT: {
    effect: 'the `git` executable to run; default `git` from `PATH`.',
    readIn: 'src/platform/git.ts',
  },
  TROVE_SCAN_THREADS_MIN: {
    effect: 'the smallest tracked directory (in files, as its work index last counted them) whose stat scan `status`, `add` and the pre-commit hook split across `core.jobs` threads; a whole number, default `20000` (a scan worker costs ~30 ms to start).',
    readIn: 'src/workspace/scan/scanThreaded.ts',
  },
  TROVE_FAST_LSTAT: {
    effect: '`0` makes the stat scan of `status`, `add` and the pre-commit hook read each file with `fs.lstatSync` instead of the numbers of Node\'s fs binding (used only after a probe shows them equal to `lstatSync`\'s; see docs/decisions.md). For diagnosis: the results are the same, the scan is slower.',
    readIn: 'src/util/lstatFields.ts',
  },
  TROVE_PUSH_BATCH_ITEMS: {
    effect: 'how many objects `push` lists, plans and sends at once before it walks on (its memory is about 1 KB per object held); a whole number from 1, default `50000`.',
    readIn: 'src/api/push.ts',
  },
  TROVE_FETCH_FILE_BATCH: {
    effect: 'how many files `fetch` and `pull` plan and download at once (their memory is about 1 KB per file held, which V8 lets grow 3–4 times before it collects); a whole number from 1, default `20000`.',
    readIn: 'src/transfer/fetchClosure.ts',
  },
  TROVE_STATUS_BATCH_FILES: {
    effect: 'how many files of a tracked directory whose scan changed `status`, the pre-commit hook, `checkout` (repairing a directory in place) and `diff` against the work tree compare at once with the version they should equal, a range of paths at a time (their memory is about 1 KB per file held); a whole number from 1, default `32768`.',
    readIn: 'src/workspace/scan/streamChunkedState.ts',
  },
  TROVE_SKIP_PUSH: {
    effect: '`1`: the pre-push hook sends no data (and says so); the push goes on. The hook scripts that `trove install` writes honour it too when trove is not on `PATH`.',
    readIn: 'src/hooks/prePushHook.ts, src/core/hookScript.ts',
  },
} as const satisfies Record<string, { effect: string; readIn: string }>;

export type EnvVarName = keyof typeof ENV_VARS;

/** The value of one of trove's variables (undefined when unset). */
export function envValue(env: NodeJS.ProcessEnv, name: EnvVarName): string | undefined {
  return env[name];
}
