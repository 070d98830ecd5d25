import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TroveError } from '../errors/index.js';
import { readBody, sizedBodyStream, type Backend, type BackendOptions, type Body, type ByteRange, type RemoteEntry } from './Backend.js';
import { checkKey, joinKey } from './checkKey.js';
import { classifyHttpFailure } from './classifyHttpFailure.js';
import { RemoteSettings } from './remoteSettings.js';
import { parseRemoteUrl, redactUrl } from './remoteUrl.js';

/** Bodies up to this size are read into one buffer and sent with a signed payload. */
const SMALL_PUT = 1024 * 1024;
/**
 * Bodies up to this size go up as one streamed PutObject; larger ones in
 * parts. Packs are at most 64 MiB, so a push is one request per pack: on the
 * S3 server of the benchmark 16 packs of 64 MiB took 3.3 s as single PUTs and
 * 6.0 s as 5 MiB parts (per-request cost). rclone's default cut-off is 200 MiB.
 */
const SINGLE_PUT_MAX = 64 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
/**
 * Parts in flight per object. The transfer layer already runs `jobs` packs at
 * once, so one part each keeps the link busy; more multiplied memory (each
 * queued part is a buffered 8 MiB: 8 jobs × 4 parts measured 443 MB RSS).
 */
const QUEUE_SIZE = 1;

/** Knobs the tests turn down so that multipart uploads happen at small sizes. */
export interface S3Tuning {
  readonly singlePutMax?: number;
  readonly partSize?: number;
}

/** What the SDK's errors carry, read defensively: network errors have only `code`, service errors `$metadata` and a hidden `$response`. */
interface SdkError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

/**
 * Amazon S3 and S3-compatible stores (MinIO, Ceph, R2, B2, moto). Objects are
 * `<prefix>/<key>` in one bucket. The client never retries (maxAttempts 1):
 * src/transfer retries with backoff and counts requests, and two retry loops
 * stacked would multiply waits and hide the count.
 */
export class S3Backend implements Backend {
  readonly readOnly = false;
  readonly canList = true;
  readonly display: string;
  private readonly where: string;
  /** set once a HeadBucket proved the bucket exists, so a 404 from HeadObject means the key */
  private bucketSeen = false;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly name: string,
    private readonly endpoint: string | undefined,
    private readonly tuning: S3Tuning,
  ) {
    this.display = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
    this.where = `the remote "${name}" (${this.display})`;
  }

  static async open(options: BackendOptions, tuning: S3Tuning = {}): Promise<S3Backend> {
    const url = parseRemoteUrl(options.url, options.baseDir);
    const config = clientConfig(options);
    return new S3Backend(new S3Client(config), url.host, url.path, options.name, typeof config.endpoint === 'string' ? redactUrl(config.endpoint) : undefined, tuning);
  }

  private objectKey(key: string): string {
    return joinKey(this.prefix, checkKey(key));
  }

  async stat(key: string): Promise<number | undefined> {
    const Key = this.objectKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return res.ContentLength ?? 0;
    } catch (err) {
      // A HEAD response has no body, so a missing bucket and a missing key look alike: ask once.
      if (status(err) !== 404) throw this.fail(err, `reading ${key}`, key);
      if (await this.bucketExists()) return undefined;
      throw this.bucketMissing(err, key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const Key = this.objectKey(key);
    if (range && range.end <= range.start) return Buffer.alloc(0);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range: rangeHeader(range) }));
      if (!res.Body) return Buffer.alloc(0);
      const bytes = await res.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      throw this.readFailure(err, key);
    }
  }

  async *stream(key: string, range?: ByteRange): AsyncGenerator<Uint8Array> {
    const Key = this.objectKey(key);
    if (range && range.end <= range.start) return;
    let body: AsyncIterable<Uint8Array> | undefined;
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range: rangeHeader(range) }));
      body = res.Body as AsyncIterable<Uint8Array> | undefined;
    } catch (err) {
      throw this.readFailure(err, key);
    }
    if (!body) return;
    try {
      // Leaving this loop early (the consumer stopped) destroys the response and frees its socket.
      for await (const part of body) yield part;
    } catch (err) {
      throw this.fail(err, `reading ${key}`, key);
    }
  }

  private readFailure(err: unknown, key: string): TroveError {
    if (errorCode(err) === 'NoSuchKey' || (status(err) === 404 && errorCode(err) !== 'NoSuchBucket')) {
      return new TroveError('NOT_FOUND', `${key} is not on ${this.where}.`, { hint: 'Push it from a clone that has it (trove push).', data: { key } });
    }
    return this.fail(err, `reading ${key}`, key);
  }

  async put(key: string, body: Body): Promise<void> {
    const Key = this.objectKey(key);
    const source = body.size <= SMALL_PUT ? undefined : sizedBodyStream(body, `The upload of ${key}`);
    try {
      if (!source) {
        const data = await readBody(body);
        if (data.length !== body.size) throw new TroveError('REMOTE', `Read ${data.length} bytes of ${key} for ${this.where}, expected ${body.size}.`, { retryable: true });
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.length }));
      } else if (body.size <= (this.tuning.singlePutMax ?? SINGLE_PUT_MAX)) {
        // Streamed: the SDK sends the body as it is read (unsigned payload), so memory stays at the stream's buffer.
        // It pipes the body into the request, and a pipe does not pass a source's error on: abort the request ourselves.
        const abort = new AbortController();
        source.stream.once('error', () => abort.abort());
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: source.stream, ContentLength: body.size }), { abortSignal: abort.signal });
      } else {
        // leavePartsOnError false: on any failure Upload sends AbortMultipartUpload, so
        // no invisible, billed parts stay behind; the retry starts a fresh upload.
        const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key, Body: source.stream, ContentLength: body.size }, partSize: this.tuning.partSize ?? PART_SIZE, queueSize: QUEUE_SIZE, leavePartsOnError: false });
        await upload.done();
      }
    } catch (err) {
      // The body's own failure (a corrupt local object, a short read) is the one to report, not the client's wrapping of it.
      const own = source?.failure();
      throw this.fail(own ?? err, `writing ${key}`, key);
    } finally {
      // A failed upload stops reading mid-body: close the body's source (its file handle) now.
      source?.stream.destroy();
    }
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    const dir = prefix.replace(/\/+$/, '');
    // Below a prefix means below a directory, as in DirectoryBackend: "p/" never matches "pq".
    const full = dir === '' ? (this.prefix === '' ? '' : `${this.prefix}/`) : `${joinKey(this.prefix, checkKey(dir))}/`;
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    const out: RemoteEntry[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full || undefined, ContinuationToken: token }));
        for (const o of res.Contents ?? []) if (o.Key !== undefined && !o.Key.endsWith('/')) out.push({ key: o.Key.slice(strip), size: o.Size ?? 0, ...(o.LastModified ? { mtime: o.LastModified.getTime() } : {}) });
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.fail(err, dir === '' ? 'listing it' : `listing ${dir}/`, dir);
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      if (status(err) === 404 && errorCode(err) !== 'NoSuchBucket') return;
      throw this.fail(err, `deleting ${key}`, key);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async bucketExists(): Promise<boolean> {
    if (this.bucketSeen) return true;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (status(err) === 404) return false;
      throw this.fail(err, 'checking that its bucket exists', '');
    }
    this.bucketSeen = true;
    return true;
  }

  private bucketMissing(err: unknown, key: string): TroveError {
    return new TroveError('NOT_FOUND', `The bucket "${this.bucket}" of ${this.where} does not exist.`, {
      hint: `Create it (aws s3 mb s3://${this.bucket}${this.endpoint ? ` --endpoint-url ${redactUrl(this.endpoint)}` : ''}), or point the remote at another bucket: trove remote modify ${this.name} url s3://BUCKET/PREFIX.`,
      cause: err,
      data: { key, bucket: this.bucket },
    });
  }

  /** Map an SDK failure to the Backend error contract. Messages carry names and codes, never the request's credentials. */
  private fail(err: unknown, doing: string, key: string): TroveError {
    if (err instanceof TroveError) return err;
    const code = errorCode(err);
    const http = status(err);
    const what = `while ${doing}`;
    const where = `The remote "${this.name}" (${this.display})`;
    const data = { key, s3Code: code ?? null, httpStatus: http ?? null };
    if (code === 'NoSuchBucket') return this.bucketMissing(err, key);
    const verdict = classifyHttpFailure({ status: http, code, retryAfter: retryAfterHeader(err) });
    if (verdict.code === 'AUTH') {
      const problem = code === 'CredentialsProviderError' ? 'has no credentials (none in the config, environment or AWS profile)' : `refused the credentials (${code ?? `HTTP ${http}`})`;
      return new TroveError('AUTH', `${where} ${problem} ${what}.`, { hint: authHint(code, this.name), cause: err, data });
    }
    if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed' || code === 'IllegalLocationConstraintException' || http === 301) {
      return new TroveError('REMOTE', `${where} is in another region than the one configured (${code ?? `HTTP ${http}`}) ${what}.`, { hint: `Set the bucket's region: trove remote modify ${this.name} region REGION.`, cause: err, data });
    }
    if (verdict.code === 'NOT_FOUND') return new TroveError('NOT_FOUND', `${where} has no ${key || 'such object'} (${code ?? `HTTP ${http}`}) ${what}.`, { cause: err, data });
    const { network, retryable: transient, retryAfterMs } = verdict;
    const message = network
      ? `Cannot reach ${this.where}${this.endpoint ? ` at ${this.endpoint}` : ''} (${code}) ${what}.`
      : `${where} failed (${code ?? 'unknown error'}${http ? `, HTTP ${http}` : ''}) ${what}.`;
    return new TroveError('REMOTE', message, {
      cause: err,
      retryable: transient,
      data: retryAfterMs === undefined ? data : { ...data, retryAfterMs },
      hint: transient ? 'Run the command again; what was sent is kept.' : undefined,
    });
  }
}

function authHint(code: string | undefined, name: string): string {
  if (code === 'RequestTimeTooSkewed') return "This machine's clock is off by more than 15 minutes; fix it (e.g. enable NTP) and run the command again.";
  if (code === 'ExpiredToken' || code === 'TokenRefreshRequired') return `The session token has expired: refresh it (aws sso login, or new AWS_SESSION_TOKEN), or update session_token with trove remote modify --local ${name} session_token TOKEN.`;
  if (code === 'AccessDenied' || code === 'AllAccessDisabled') return 'The credentials are valid but not allowed here: they need s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on this bucket and prefix.';
  return `Set access_key_id and secret_access_key for the remote in .trove/config.local.yaml (trove remote modify --local ${name} access_key_id KEY), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).`;
}

function errorCode(err: unknown): string | undefined {
  const e = err as SdkError | undefined;
  if (!e || typeof e !== 'object') return undefined;
  // Network errors keep Node's errno code; SDK service errors put the S3 code in `name`.
  if (typeof e.code === 'string') return e.code;
  if (typeof e.Code === 'string') return e.Code;
  // A HEAD error has no body to name it: the SDK calls it "Unknown" (403) or "NotFound" (404).
  return typeof e.name === 'string' && e.name !== 'Error' && e.name !== 'Unknown' ? e.name : undefined;
}

function rangeHeader(range: ByteRange | undefined): string | undefined {
  return range ? `bytes=${range.start}-${range.end - 1}` : undefined;
}

function status(err: unknown): number | undefined {
  const e = err as SdkError | undefined;
  return e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
}

function retryAfterHeader(err: unknown): string | undefined {
  const headers = (err as SdkError | undefined)?.$response?.headers;
  return headers ? Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1] : undefined;
}

/** The S3 client's configuration from the remote's settings (snake_case, as in config.yaml) and the environment. */
function clientConfig(options: BackendOptions): S3ClientConfig {
  const s = new RemoteSettings(options.name, options.settings);
  const env = options.env;
  const checksum = s.oneOf('checksum', ['when_required', 'when_supported']);
  const config: S3ClientConfig = {
    region: s.string('region') ?? env.AWS_REGION ?? 'us-east-1',
    endpoint: s.string('endpoint'),
    forcePathStyle: s.bool('path_style') ?? false,
    maxAttempts: 1,
    // The default region is a guess: let AWS's 301 name the bucket's real one instead of failing.
    followRegionRedirects: true,
    // No overall request timeout: a 2 GB part upload is slow but healthy. A stalled socket is not.
    requestHandler: { connectionTimeout: 10_000, socketTimeout: s.durationMs('timeout_ms') ?? 120_000 },
  };
  // S3-compatible stores (an endpoint is set) often reject the SDK's default
  // flexible checksums (aws-chunked trailers): ask for them only when required
  // there. Integrity does not depend on it: trove verifies every digest itself.
  const effective = checksum ?? (config.endpoint ? 'when_required' : undefined);
  if (effective) {
    const mode = effective === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
    config.requestChecksumCalculation = mode;
    config.responseChecksumValidation = mode;
  }
  const keyId = s.string('access_key_id');
  const secret = s.string('secret_access_key');
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new TroveError('CONFIG', `The remote "${options.name}" has ${keyId ? 'access_key_id' : 'secret_access_key'} but not ${keyId ? 'secret_access_key' : 'access_key_id'}.`, { hint: `Set both: trove remote modify --local ${options.name} ${keyId ? 'secret_access_key' : 'access_key_id'} VALUE.` });
  }
  const profile = s.string('profile');
  if (keyId && secret) {
    config.credentials = { accessKeyId: keyId, secretAccessKey: secret, sessionToken: s.string('session_token') };
  } else if (profile) {
    config.profile = profile;
  } else if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    // options.env may be a caller's own environment (tests), which the SDK's chain would not read.
    config.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  } else if (env.AWS_PROFILE) {
    config.profile = env.AWS_PROFILE;
  }
  return config;
}
