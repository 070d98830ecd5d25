import { Readable } from 'node:stream';
import { TroveError } from '../errors/index.js';
/**
 * One interface for every kind of remote storage (a directory, S3, Azure Blob,
 * Google Cloud Storage, SFTP, read-only HTTP). It is deliberately small, as
 * restic's backend interface is: keyed blobs that are written whole and read
 * whole or by range. Everything trove-specific (packs, indexes, what to send)
 * lives above it in src/transfer, so a new backend is one file.
 *
 * Keys are relative, '/'-separated, and never contain '..', empty segments or
 * a leading '/': backends may rely on that (checkKey enforces it).
 *
 * Errors: a backend throws TroveError with
 *   NOT_FOUND   the key (or, from open, the bucket/container/directory) does not exist,
 *   AUTH        credentials missing, wrong or not allowed,
 *   PERMISSION  the remote is read-only for us,
 *   NO_SPACE    the remote is full,
 *   REMOTE      anything else; `retryable: true` for transient faults (5xx,
 *               429, resets, timeouts), with `data.retryAfterMs` when the
 *               server said how long to wait.
 * Messages name the remote by its redacted URL (`display`), never a secret.
 */
export interface ByteRange {
  /** first byte */
  readonly start: number;
  /** one past the last byte */
  readonly end: number;
}

/** A request body that can be opened again, so a failed upload can be retried. */
export interface Body {
  readonly size: number;
  open(): AsyncIterable<Uint8Array>;
}

/** What the caller knows about an object it stores; the backend knows nothing of trove's layout. */
export interface PutOptions {
  /**
   * The bytes at this key never change (the key names its content): HTTP
   * caches may keep them. Without it, a backend that sets cache headers (GCS)
   * marks the object no-cache, since it may be rewritten in place.
   */
  readonly immutable?: boolean;
}

export interface RemoteEntry {
  readonly key: string;
  readonly size: number;
  /** last modification, ms since the epoch, when the backend reports it (gc -r's grace period needs it) */
  readonly mtime?: number;
}

export interface Backend {
  /** the remote's URL with credentials removed, for messages and --json */
  readonly display: string;
  /** HTTP remotes are read-only: put and delete throw PERMISSION */
  readonly readOnly: boolean;
  /** false when the backend cannot enumerate keys (HTTP); callers then read a published listing */
  readonly canList: boolean;
  /**
   * true for a file-system path (a local disk or a mount): uploads run at disk
   * speed, so reading and re-hashing what is sent bounds a push, and it is
   * worth worker threads. Over a network the link bounds it, and the threads'
   * buffers would only add memory beside the client's own part buffers.
   */
  readonly local?: boolean;
  /**
   * where the backend stages uploads before renaming them into place
   * (directory and SFTP: `tmp/`), listable with `list`, never listed below
   * `''`; a killed upload leaves its file there for gc -r and the next push
   */
  readonly tempPrefix?: string;
  /** size of `key`, or undefined when it does not exist */
  stat(key: string): Promise<number | undefined>;
  /**
   * the whole object, or `range` of it; NOT_FOUND when absent. With `into`
   * (at least the range's length) a backend may read into it and return a
   * view of it, saving an allocation and a copy per read; callers use what is
   * returned either way.
   */
  get(key: string, range?: ByteRange, into?: Buffer): Promise<Buffer>;
  /**
   * The same bytes as `get`, as they arrive, for backends whose clients stream
   * responses (S3, Azure). A fetch reads whole packs this way with memory
   * bounded by its consumer instead of by the pack. NOT_FOUND surfaces at the
   * first iteration; a connection lost mid-body is a retryable REMOTE error.
   * Breaking out of the loop early releases the connection.
   */
  stream?(key: string, range?: ByteRange): AsyncIterable<Uint8Array>;
  /**
   * Store `body` at `key`, replacing any previous object. Atomic: a reader sees
   * the old object, the new one or nothing, never a part. Backends that
   * support it upload large bodies in parts.
   */
  put(key: string, body: Body, options?: PutOptions): Promise<void>;
  /** every key below `prefix` (recursive), with sizes, in any order */
  list(prefix: string): Promise<RemoteEntry[]>;
  /** remove `key`; removing an absent key is not an error */
  delete(key: string): Promise<void>;
  /** release connections */
  close(): Promise<void>;
}

/** Options every backend receives: the remote's merged configuration. */
export interface BackendOptions {
  /** the remote's name in the config, for messages */
  readonly name: string;
  readonly url: string;
  /** remaining keys of the remote's config section (endpoint, region, key_file, …) */
  readonly settings: Readonly<Record<string, unknown>>;
  /** environment to read credentials from (tests pass their own) */
  readonly env: NodeJS.ProcessEnv;
  /** a relative directory URL (hand-edited config) is relative to this: the repository root */
  readonly baseDir?: string;
}

export function bufferBody(data: Uint8Array): Body {
  return {
    size: data.length,
    async *open() {
      yield data;
    },
  };
}

/** Collect a body into one buffer (for backends whose clients want a buffer for small objects). */
export async function readBody(body: Body): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of body.open()) parts.push(p);
  return Buffer.concat(parts);
}

/**
 * A byte stream over a body. Readable.from's default is object mode with 16
 * items of read-ahead: 16 whole objects (up to 16 MiB) buffered per upload,
 * times the jobs. A byte-mode stream with 1 MiB of read-ahead bounds it.
 */
export function bodyStream(body: Body): Readable {
  return Readable.from(body.open(), { objectMode: false, highWaterMark: 1024 * 1024 });
}

/**
 * A body as a request stream that yields exactly `body.size` bytes. An HTTP
 * client sends Content-Length first: a body that came up short would leave
 * the server waiting for bytes until the socket timed out, so a wrong length
 * fails the stream at once. `failure()` is the body's own error (a corrupt
 * local object, say), which a client may wrap beyond recognition.
 */
export function sizedBodyStream(body: Body, what: string): { stream: Readable; failure(): unknown } {
  let failure: unknown;
  async function* exact(): AsyncGenerator<Uint8Array> {
    let sent = 0;
    try {
      for await (const part of body.open()) {
        sent += part.length;
        if (sent > body.size) throw new TroveError('IO', `${what} grew past its ${body.size} bytes while it was being sent.`, { retryable: true });
        yield part;
      }
      if (sent !== body.size) throw new TroveError('IO', `${what} gave ${sent} of its ${body.size} bytes while it was being sent.`, { retryable: true });
    } catch (err) {
      failure = err;
      throw err;
    }
  }
  return { stream: Readable.from(exact(), { objectMode: false, highWaterMark: 1024 * 1024 }), failure: () => failure };
}
