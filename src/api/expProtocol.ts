import { TroveError } from '../errors/index.js';
import { encodeFloats, parseJson, stringifyJson } from '../core/jsonFloats.js';
import { ExperimentSession, type SessionOptions } from './experimentSession.js';

/** The `trove exp serve` protocol version (docs/experiments.md, "The serve protocol"). */
export const EXP_PROTOCOL = 1;

export interface ProtocolReply {
  readonly id: unknown;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { code: string; message: string; hint: string | null; data: unknown };
}

export interface ProtocolOptions extends SessionOptions {
  /** where the repository is looked for (default process.cwd()) */
  readonly cwd?: string;
  /** trove's version for hello */
  readonly version: string;
  /** a progress line while stop waits for uploads (the CLI writes it to stderr) */
  readonly progress?: (text: string) => void;
  /** stop's default timeout when a request gives none (seconds) */
  readonly stopTimeoutS?: number;
}

/**
 * One JSON request → one reply, in order. The session (and the repository)
 * is opened at the first init, so hello works anywhere. An error is a reply
 * with ok:false; the run goes on.
 */
export class ExpProtocol {
  private session: ExperimentSession | null = null;

  constructor(private readonly options: ProtocolOptions) {}

  /** Handle one line; returns the reply line (with its newline). */
  async handleLine(line: string): Promise<string> {
    let req: Record<string, unknown>;
    try {
      const v = parseJson(line);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      req = v as Record<string, unknown>;
    } catch {
      // reported: the reply is a USAGE error naming the line
      return stringifyJson(errorReply(null, new TroveError('USAGE', 'A request line is not a JSON object.', { hint: 'Send one JSON object per line, e.g. {"id":1,"op":"hello"}.', data: { line: line.slice(0, 200) } }))) + '\n';
    }
    let reply: ProtocolReply;
    try {
      reply = { id: req.id ?? null, ok: true, result: await this.handle(req) };
    } catch (err) {
      reply = errorReply(req.id ?? null, err);
    }
    return stringifyJson(reply) + '\n';
  }

  private async open(): Promise<ExperimentSession> {
    this.session ??= await ExperimentSession.open(this.options.cwd, this.options);
    return this.session;
  }

  async handle(req: Record<string, unknown>): Promise<unknown> {
    switch (req.op) {
      case 'hello':
        return { protocol: EXP_PROTOCOL, trove: this.options.version };
      case 'init': {
        const s = await this.open();
        const experiment = await s.init({
          path: optString(req.path, 'path') ?? '.',
          params: (req.params ?? {}) as Record<string, unknown>,
          command: Array.isArray(req.command) ? req.command.map(String) : [],
          python: optString(req.python, 'python'),
          packages: (req.packages ?? {}) as Record<string, string>,
          primaryMetric: (req.primary_metric ?? null) as never,
          eofStatus: eofStatus(req.on_eof),
        });
        return { experiment };
      }
      case 'checkpoint': {
        const s = await this.open();
        const checkpoint = await s.checkpoint(req.experiment as string, {
          path: (req.path ?? null) as string | null,
          step: (req.step ?? null) as number | null,
          metrics: (req.metrics ?? null) as Record<string, unknown> | null,
          primaryMetric: (req.primary_metric ?? null) as never,
        });
        return { checkpoint };
      }
      case 'stop': {
        const s = await this.open();
        const timeout = typeof req.timeout === 'number' && req.timeout >= 0 ? req.timeout : (this.options.stopTimeoutS ?? 60);
        const r = await s.stop(req.experiment as string, { timeoutMs: timeout * 1000, progress: (left, remote) => this.options.progress?.(`trove: uploading checkpoints to ${remote}: ${left} left`) });
        return { experiment: r.experiment, pushed: r.pushed, pending: r.pending };
      }
      default:
        throw new TroveError('USAGE', `Unknown op ${JSON.stringify(encodeFloats(req.op ?? null))}.`, { hint: 'ops: hello, init, checkpoint, stop.', data: { op: encodeFloats(req.op ?? null) } });
    }
  }

  /** EOF: stop every live run ("stopped"), waiting for uploads up to the timeout. */
  async close(): Promise<void> {
    await this.session?.close({ timeoutMs: (this.options.stopTimeoutS ?? 60) * 1000, progress: (left, remote) => this.options.progress?.(`trove: uploading checkpoints to ${remote}: ${left} left`) });
  }
}

function eofStatus(v: unknown): 'stopped' | 'crashed' {
  if (v === undefined || v === null || v === 'stopped') return 'stopped';
  if (v === 'crashed') return 'crashed';
  throw new TroveError('USAGE', 'on_eof must be "stopped" or "crashed".', { data: { value: encodeFloats(v) } });
}

function optString(v: unknown, what: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new TroveError('USAGE', `${what} must be a string.`, { data: { what } });
  return v;
}

export function errorReply(id: unknown, err: unknown): ProtocolReply {
  if (err instanceof TroveError) return { id, ok: false, error: { code: err.code, message: err.message, hint: err.hint ?? null, data: err.data ?? null } };
  const message = err instanceof Error ? err.message : String(err);
  return { id, ok: false, error: { code: 'INTERNAL', message, hint: 'This is a bug in trove; please report it with the request that caused it.', data: null } };
}
