import { appendFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { EXIT_INTERNAL, EXIT_OK, TroveError, exitCodeFor, fromFsError } from '../errors/index.js';
import { createOutput } from './Output.js';
import { hasStream, jsonPieces } from './jsonPieces.js';
import { redactText } from '../util/redactUrl.js';
import { createProgressReporter } from './progressReporter.js';
import type { CommandSpec } from './defineCommand.js';

export const JSON_SCHEMA_VERSION = 1;

export interface Globals {
  json?: boolean;
  quiet?: boolean;
  cwd?: string;
}

/** Run one parsed command: its body, then its rendering or its error. The only place that prints errors or picks exit codes. */
export async function runSpec(spec: CommandSpec<unknown>, g: Globals, args: unknown[], opts: Record<string, unknown>, argv: readonly string[]): Promise<number> {
  const cwd = resolve(g.cwd ?? process.cwd());
  const out = createOutput({ json: Boolean(g.json), quiet: Boolean(g.quiet), ...(g.json ? {} : { prefix: workTreePrefix(cwd) }) });
  const reporter = await createProgressReporter({ enabled: !out.json && !out.quiet && process.stderr.isTTY === true, warn: (m) => out.warn(redactText(m)) });
  const ctx = { cwd, out, reporter, argv };
  try {
    const result = await spec.run(ctx, args, opts);
    const envelope = { version: JSON_SCHEMA_VERSION, command: spec.name, ok: true, result };
    if (out.json && hasStream(result)) {
      // A streamed field is written as it is read: the same one-line document, never held whole. Each piece is
      // redacted alone; a piece ends between JSON values, so no URL is ever split between two.
      await out.stream(jsonPieces(envelope), redactText);
      out.line('');
    } else if (out.json) out.line(redactText(JSON.stringify(envelope)));
    else if (!out.quiet) await spec.render(out, result);
    return spec.exitCode?.(result, opts) ?? EXIT_OK;
  } catch (err) {
    reporter.end();
    return reportError(spec.name, err, out.json);
  }
}

/**
 * Where the user stands inside the work tree ('' at its root or outside one),
 * for text output relative to it. Found by looking for `.git` upwards rather
 * than by spawning git for every command; GIT_DIR / GIT_WORK_TREE setups fall
 * back to repository paths.
 */
function workTreePrefix(cwd: string): string {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return '';
  let dir: string;
  try {
    dir = realpathSync(cwd);
  } catch {
    // cwd cannot be resolved: no prefix, so paths are taken relative to cwd as given; the command reports its own errors
    return '';
  }
  const start = dir;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return relative(dir, start).split(sep).join('/');
    const up = dirname(dir);
    if (up === dir) return '';
    dir = up;
  }
}

function reportError(command: string, cause: unknown, json: boolean): number {
  // A raw errno from a layer that did not wrap it is still the user's problem (a disk, a permission), not a bug.
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
  const err = !(cause instanceof TroveError) && typeof errno === 'string' && /^E[A-Z]+$/.test(errno) ? fromFsError(cause, `running trove ${command} on`, (cause as NodeJS.ErrnoException).path ?? 'a file') : cause;
  if (err instanceof TroveError) {
    // Secrets never reach a message: a URL with a password or a signed query is shown redacted, whatever layer built the text.
    if (json) process.stderr.write(redactText(JSON.stringify({ version: JSON_SCHEMA_VERSION, command, ok: false, error: err.toJSON() })) + '\n');
    else process.stderr.write(redactText(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`));
    return exitCodeFor(err.code);
  }
  // A bug: keep the stack out of the user's face but never lose it.
  const log = join(tmpdir(), `trove-crash-${process.pid}.log`);
  try {
    appendFileSync(log, redactText(`${new Date().toISOString()} trove ${command}\n${(err as Error)?.stack ?? String(err)}\n`));
  } catch {
    /* best effort */
  }
  const message = redactText(`trove ${command} failed unexpectedly: ${(err as Error)?.message ?? String(err)}`);
  const hint = `This is a bug in trove; the details are in ${log}. Please report it with that file.`;
  if (json) process.stderr.write(JSON.stringify({ version: JSON_SCHEMA_VERSION, command, ok: false, error: { code: 'INTERNAL', message, hint, data: { log } } }) + '\n');
  else process.stderr.write(`error: ${message}\nhint: ${hint}\n`);
  return EXIT_INTERNAL;
}

