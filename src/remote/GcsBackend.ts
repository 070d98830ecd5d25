import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { IdempotencyStrategy, Storage, type Bucket, type File } from '@google-cloud/storage';
import { TroveError } from '../errors/index.js';
import { bodyStream, readBody, type Backend, type BackendOptions, type Body, type ByteRange, type PutOptions, type RemoteEntry } from './Backend.js';
import { checkKey, joinKey } from './checkKey.js';
import { classifyHttpFailure } from './classifyHttpFailure.js';
import { RemoteSettings } from './remoteSettings.js';
import { parseRemoteUrl } from './remoteUrl.js';

/**
 * Bodies up to this size go up in one multipart request; larger ones through a
 * resumable session, one request per chunk of this size (GCS wants non-final
 * chunks in multiples of 256 KiB), so a pack never sits in memory whole.
 */
const SINGLE_REQUEST_MAX = 8 * 1024 * 1024;
const CHUNK_SIZE = 8 * 1024 * 1024;

/** The SDK's own integrity failures: bytes were damaged in transit, so another attempt is worth it. */
const INTEGRITY_CODES = new Set(['CONTENT_DOWNLOAD_MISMATCH', 'FILE_NO_UPLOAD', 'FILE_NO_UPLOAD_DELETE']);

/**
 * Google Cloud Storage through the official SDK (JSON API). The SDK's own
 * retries are off: trove's transfer queue retries whole operations with its
 * own backoff, and two layers of retries multiply the wait on a dead link.
 */
export class GcsBackend implements Backend {
  readonly readOnly = false;
  readonly canList = true;
  readonly display: string;

  private constructor(private readonly bucket: Bucket, private readonly prefix: string, private readonly name: string) {
    this.display = `gs://${bucket.name}${prefix ? `/${prefix}` : ''}`;
  }

  static async open(options: BackendOptions): Promise<GcsBackend> {
    const url = parseRemoteUrl(options.url, options.baseDir);
    const s = new RemoteSettings(options.name, options.settings);
    const project = s.string('project') ?? options.env.GOOGLE_CLOUD_PROJECT;
    const endpoint = s.string('endpoint');
    const configured = s.string('credentials_file');
    // An emulator at a custom endpoint wants no token; a private endpoint does,
    // and says so by naming a key file in the remote's settings.
    const authenticate = endpoint === undefined || configured !== undefined;
    // The SDK reads GOOGLE_APPLICATION_CREDENTIALS from process.env; passing it
    // on makes the environment handed to us (tests, the API) the one that counts.
    const keyFile = authenticate ? (configured ?? options.env.GOOGLE_APPLICATION_CREDENTIALS) : undefined;
    const keyFilename = keyFile ? await checkKeyFile(options.name, keyFile, configured ? 'credentials_file' : 'GOOGLE_APPLICATION_CREDENTIALS', options.baseDir) : undefined;
    const storage = new Storage({
      projectId: project,
      keyFilename,
      ...(endpoint ? { apiEndpoint: endpoint.replace(/\/+$/, ''), useAuthWithCustomEndpoint: authenticate } : {}),
      retryOptions: { autoRetry: false, maxRetries: 0, idempotencyStrategy: IdempotencyStrategy.RetryNever, retryableErrorFn: () => false },
    });
    return new GcsBackend(storage.bucket(url.host), url.path, options.name);
  }

  private file(key: string): File {
    return this.bucket.file(joinKey(this.prefix, checkKey(key)));
  }

  async stat(key: string): Promise<number | undefined> {
    const file = this.file(key);
    try {
      const [meta] = await file.getMetadata();
      return Number(meta.size);
    } catch (err) {
      // A missing bucket is not an empty one: say so rather than report every key absent.
      if (httpStatus(err) === 404 && !bucketMissing(err)) return undefined;
      throw this.fail(err, 'reading', key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const file = this.file(key);
    if (range && range.end <= range.start) {
      // An HTTP range cannot be empty; still report a missing key as missing.
      if ((await this.stat(key)) === undefined) throw this.notFound(key);
      return Buffer.alloc(0);
    }
    try {
      // Whole downloads are checked against the object's CRC32C by the SDK; ranges cannot be.
      const [data] = await file.download(range ? { start: range.start, end: range.end - 1 } : {});
      return data;
    } catch (err) {
      if (httpStatus(err) === 416 && range) return Buffer.alloc(0); // past the end, as a short file read would be
      throw this.fail(err, 'reading', key);
    }
  }

  async put(key: string, body: Body, options: PutOptions = {}): Promise<void> {
    const file = this.file(key);
    const metadata = {
      contentType: 'application/octet-stream',
      // An object the caller marks immutable never changes, so caches may keep it;
      // anything else is rewritten in place and must not be served stale by a CDN
      // or GCS's public-object cache.
      ...(options.immutable ? {} : { cacheControl: 'no-cache' }),
    };
    try {
      if (body.size <= SINGLE_REQUEST_MAX) {
        const data = await readBody(body);
        if (data.length !== body.size) throw new TroveError('REMOTE', `The body of ${key} had ${data.length} bytes, expected ${body.size}.`);
        await file.save(data, { resumable: false, metadata, validation: 'crc32c' });
      } else {
        // contentLength becomes X-Upload-Content-Length: GCS refuses to finish an upload of another size.
        const sink = file.createWriteStream({ resumable: true, chunkSize: CHUNK_SIZE, metadata: { ...metadata, contentLength: body.size }, validation: 'crc32c' });
        await pipeline(bodyStream(body), sink);
      }
    } catch (err) {
      throw this.fail(err, 'writing', key);
    }
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    // "below prefix" means below a directory, as for the directory backend: 'p' lists p/…, not pq/….
    const dir = prefix.replace(/\/+$/, '');
    if (dir !== '') checkKey(dir);
    const full = joinKey(this.prefix, dir === '' ? '' : `${dir}/`);
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    try {
      // `fields` asks for name and size only, not the full resource per object; the SDK
      // then hands back those raw items rather than File objects, whatever its typings say.
      const [items] = (await this.bucket.getFiles({ prefix: full, autoPaginate: true, fields: 'items(name,size,updated),nextPageToken' })) as unknown as [ListedItem[]];
      const out: RemoteEntry[] = [];
      for (const item of items) {
        const key = item.name.slice(strip);
        // Console "folder" placeholders (name ending in '/') and names trove could never address are skipped.
        const updated = Date.parse(String(item.updated ?? item.metadata?.updated ?? ''));
        if (isAddressable(key)) out.push({ key, size: Number(item.size ?? item.metadata?.size ?? 0), ...(Number.isFinite(updated) ? { mtime: updated } : {}) });
      }
      return out;
    } catch (err) {
      throw this.fail(err, 'listing', dir || '.');
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.file(key);
    try {
      await file.delete({ ignoreNotFound: true });
    } catch (err) {
      throw this.fail(err, 'deleting', key);
    }
  }

  /** The SDK holds no connections of its own beyond the shared keep-alive agent. */
  async close(): Promise<void> {}

  private get where(): string {
    return `the remote "${this.name}" (${this.display})`;
  }

  private notFound(key: string, cause?: unknown): TroveError {
    return new TroveError('NOT_FOUND', `${key} is not on ${this.where}.`, { hint: 'Push it from a clone that has it (trove push).', data: { key }, cause });
  }

  private fail(err: unknown, doing: string, key: string): TroveError {
    if (err instanceof TroveError) return err;
    const status = httpStatus(err);
    const code = errorCode(err);
    const reason = shortReason(err);
    // The SDK's errors carry the request, Authorization header included: keep only what is safe to show.
    const cause = Object.assign(new Error(reason), { code: code ?? status });
    if (status === 404) {
      if (bucketMissing(err) || doing === 'listing') {
        return new TroveError('NOT_FOUND', `The bucket "${this.bucket.name}" of ${this.where} does not exist.`, {
          hint: `Create it (gcloud storage buckets create gs://${this.bucket.name}), or point the remote at an existing bucket (trove remote add -f ${this.name} gs://BUCKET/PREFIX).`,
          data: { bucket: this.bucket.name },
          cause,
        });
      }
      return this.notFound(key, cause);
    }
    const verdict = classifyHttpFailure({ status, code, retryAfter: retryAfterHeader(err) });
    if (verdict.code === 'AUTH' || isCredentialsError(err)) {
      return new TroveError('AUTH', `Google Cloud Storage refused access to ${this.where} while ${doing} ${key}${status ? ` (HTTP ${status})` : ''}: ${reason}`, {
        hint: `Set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file (or run gcloud auth application-default login), or name one for this remote in .trove/config.local.yaml: trove remote modify ${this.name} credentials_file /path/to/key.json --local. The account needs roles/storage.objectAdmin on the bucket.`,
        cause,
      });
    }
    if (verdict.retryable && status !== undefined) {
      const { retryAfterMs } = verdict;
      return new TroveError('REMOTE', `Google Cloud Storage answered HTTP ${status} for ${this.where} while ${doing} ${key}.`, { retryable: true, cause, data: retryAfterMs === undefined ? { status } : { status, retryAfterMs } });
    }
    if (verdict.retryable || (code !== undefined && INTEGRITY_CODES.has(code))) {
      return new TroveError('REMOTE', `${verdict.retryable ? `Network error (${code ?? 'connection lost'})` : 'Corrupted transfer'} on ${this.where} while ${doing} ${key}.`, { retryable: true, cause });
    }
    return new TroveError('REMOTE', `Google Cloud Storage failed on ${this.where} while ${doing} ${key}${status ? ` (HTTP ${status})` : ''}: ${reason}`, { cause, data: status ? { status } : undefined });
  }
}

interface ListedItem {
  readonly name: string;
  readonly size?: string | number;
  readonly updated?: string;
  readonly metadata?: { readonly size?: string | number; readonly updated?: string };
}

/** Fail at open, naming the setting, rather than with the SDK's ENOENT on the first request. */
async function checkKeyFile(remote: string, path: string, from: string, baseDir?: string): Promise<string> {
  const abs = path.startsWith('~/') ? join(homedir(), path.slice(2)) : isAbsolute(path) ? path : resolve(baseDir ?? process.cwd(), path);
  try {
    await fsp.access(abs);
  } catch (err) {
    throw new TroveError('CONFIG', `The Google Cloud key file ${abs} (from ${from}, remote "${remote}") cannot be read.`, {
      hint: `Fix the path (trove remote modify ${remote} credentials_file /path/to/key.json --local), or unset it to use Application Default Credentials.`,
      cause: err,
    });
  }
  return abs;
}

function isAddressable(key: string): boolean {
  try {
    checkKey(key);
    return true;
  } catch {
    // a key trove could not have written (not a store key): left out of the listing, never deleted or read
    return false;
  }
}

type Loose = { code?: unknown; status?: unknown; message?: unknown; cause?: unknown; errno?: unknown; response?: { status?: unknown; statusCode?: unknown; headers?: unknown } };

/** The HTTP status, wherever this SDK path put it (ApiError.code, GaxiosError.response.status, the resumable upload's err.code). */
function httpStatus(err: unknown): number | undefined {
  const e = err as Loose | undefined;
  for (const v of [e?.response?.status, e?.response?.statusCode, e?.status, e?.code]) {
    const n = typeof v === 'string' && /^[0-9]{3}$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && n >= 100 && n < 600) return n;
  }
  return undefined;
}

/** A string error code (ECONNREFUSED, CONTENT_DOWNLOAD_MISMATCH…) from the error or its causes. */
function errorCode(err: unknown): string | undefined {
  for (let e = err as Loose | undefined, depth = 0; e && depth < 5; e = e.cause as Loose | undefined, depth++) {
    if (typeof e.code === 'string' && !/^[0-9]+$/.test(e.code)) return e.code;
    if (typeof e.errno === 'string') return e.errno;
  }
  const m = /\b(E[A-Z]{4,}|UND_ERR_[A-Z_]+)\b/.exec(String((err as Loose | undefined)?.message ?? ''));
  return m?.[1];
}

/** GCS says which 404 it is only in the message text. */
function bucketMissing(err: unknown): boolean {
  return /bucket does not exist/i.test(String((err as Loose | undefined)?.message ?? ''));
}

function isCredentialsError(err: unknown): boolean {
  return /Could not load the default credentials|invalid_grant|unauthorized_client|Could not refresh access token/i.test(String((err as Loose | undefined)?.message ?? ''));
}

function retryAfterHeader(err: unknown): string | undefined {
  const h = (err as Loose | undefined)?.response?.headers as { get?: (n: string) => string | null } | Record<string, unknown> | undefined;
  if (!h) return undefined;
  if (typeof h.get === 'function') return (h.get as (n: string) => string | null)('retry-after') ?? undefined;
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === 'retry-after') return Array.isArray(v) ? String(v[0]) : String(v);
  return undefined;
}

/** The server's own words, first line only; a failed download's message is the raw JSON error body. */
function shortReason(err: unknown): string {
  const inner = (err as { errors?: { message?: unknown }[] } | undefined)?.errors?.[0]?.message;
  let text = typeof inner === 'string' && inner !== '' ? inner : String((err as Loose | undefined)?.message ?? err);
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    if (parsed.error?.message) text = parsed.error.message;
  } catch {
    // not JSON: keep the text
  }
  return text.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 300) ?? 'unknown error';
}
