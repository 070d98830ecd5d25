import { checkOptions } from './checkOptions.js';
import { artifactLog as _artifactLog, type LogEntry, type LogOptions, type LogResult } from '../workspace/history/artifactLog.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * The commits that changed a tracked file or directory (or a file inside a
 * tracked directory), newest first, with the version each one recorded.
 *
 * @example
 *   const { commits } = await artifactLog(repo, { path: 'models/model.pt', limit: 10 });
 *   const older = commits[1]?.commit; // then: checkout(repo, { rev: older, paths: ['models/model.pt'] })
 */
export async function artifactLog(repo: Repo, options: LogOptions): Promise<LogResult> {
  checkOptions('log', repo, options, { path: 'string', rev: 'string?', all: 'boolean?', limit: 'number?' });
  return _artifactLog(repo, options);
}
export type { LogEntry, LogOptions, LogResult };
