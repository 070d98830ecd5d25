import { randomBytes } from 'node:crypto';
import { AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential, type BlockBlobClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { fromFsError, TroveError } from '../errors/index.js';
import { readBody, type Backend, type BackendOptions, type Body, type ByteRange, type RemoteEntry } from './Backend.js';
import { checkKey, joinKey } from './checkKey.js';
import { classifyHttpFailure } from './classifyHttpFailure.js';
import { RemoteSettings } from './remoteSettings.js';
import { parseRemoteUrl, redactUrl } from './remoteUrl.js';

/** Bodies up to this size go up as one Put Blob; larger ones as staged blocks of this size. */
const BLOCK_SIZE = 8 * 1024 * 1024;
/** Blocks in flight per blob: bounds a put's memory to ~5 blocks while keeping the link busy; the transfer layer runs several blobs at once on top. */
const BLOCKS_IN_FLIGHT = 4;
/** Azure's limit on committed blocks per blob. */
const MAX_BLOCKS = 50_000;


/** Knobs the tests turn down so that pagination and block uploads happen at small sizes. */
export interface AzureTuning {
  readonly listPageSize?: number;
  readonly blockSize?: number;
}

/** What the SDK's RestError carries, read defensively (network errors have only `code`). */
interface SdkError {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  details?: { errorCode?: string };
  response?: { headers?: { get(name: string): string | undefined } };
}

/**
 * Azure Blob Storage (and Azurite). Objects are block blobs `<prefix>/<key>` in
 * one container. The SDK never retries (maxTries 1, download maxRetryRequests
 * 0): src/transfer retries with backoff and counts requests, and two stacked
 * retry loops would multiply the waits.
 */
export class AzureBackend implements Backend {
  readonly readOnly = false;
  readonly canList = true;
  readonly display: string;
  private readonly where: string;
  private readonly blockSize: number;

  private constructor(
    private readonly container: ContainerClient,
    private readonly prefix: string,
    private readonly name: string,
    private readonly tuning: AzureTuning,
  ) {
    this.display = prefix === '' ? `azure://${container.containerName}` : `azure://${container.containerName}/${prefix}`;
    this.where = `the remote "${name}" (${this.display})`;
    this.blockSize = tuning.blockSize ?? BLOCK_SIZE;
  }

  static async open(options: BackendOptions, tuning: AzureTuning = {}): Promise<AzureBackend> {
    const url = parseRemoteUrl(options.url, options.baseDir);
    const shown = `the remote "${options.name}" (${redactUrl(options.url)})`;
    if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(url.host) && url.host !== '$root' && url.host !== '$web') {
      throw new TroveError('USAGE', `"${url.host}" in ${shown} is not a valid Azure container name.`, { hint: 'Container names are 3–63 lowercase letters, digits and single hyphens: azure://CONTAINER/PREFIX.' });
    }
    if (url.path.split('/').some((p) => p === '.' || p === '..') || url.path.includes('//')) {
      throw new TroveError('USAGE', `The blob prefix "${url.path}" of ${shown} has empty, "." or ".." segments.`, { hint: `Fix it: trove remote modify ${options.name} url azure://${url.host}/PREFIX.` });
    }
    return new AzureBackend(serviceClient(options, shown).getContainerClient(url.host), url.path, options.name, tuning);
  }

  private blob(key: string): BlockBlobClient {
    return this.container.getBlockBlobClient(joinKey(this.prefix, checkKey(key)));
  }

  async stat(key: string): Promise<number | undefined> {
    const blob = this.blob(key);
    try {
      return (await blob.getProperties()).contentLength ?? 0;
    } catch (err) {
      if (isBlobMissing(err)) return undefined;
      throw this.fail(err, `reading ${key}`, key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const blob = this.blob(key);
    // The SDK reads a count of 0 as "to the end": an empty range needs no request.
    if (range && range.end <= range.start) return Buffer.alloc(0);
    try {
      const res = await blob.download(range?.start ?? 0, range ? range.end - range.start : undefined, { maxRetryRequests: 0 });
      const parts: Buffer[] = [];
      if (res.readableStreamBody) for await (const p of res.readableStreamBody) parts.push(typeof p === 'string' ? Buffer.from(p) : (p as Buffer));
      const data = Buffer.concat(parts);
      if (res.contentLength !== undefined && data.length !== res.contentLength) {
        throw new TroveError('REMOTE', `Received ${data.length} of ${res.contentLength} bytes of ${key} from ${this.where}.`, { retryable: true, data: { key } });
      }
      return data;
    } catch (err) {
      if (isBlobMissing(err)) throw new TroveError('NOT_FOUND', `${key} is not on ${this.where}.`, { hint: 'Push it from a clone that has it (trove push).', data: { key } });
      // A range that starts at or past the end: a short read, as from a file.
      if (errorCode(err) === 'InvalidRange') return Buffer.alloc(0);
      throw this.fail(err, `reading ${key}`, key);
    }
  }

  async *stream(key: string, range?: ByteRange): AsyncGenerator<Uint8Array> {
    const blob = this.blob(key);
    if (range && range.end <= range.start) return;
    let res;
    try {
      res = await blob.download(range?.start ?? 0, range ? range.end - range.start : undefined, { maxRetryRequests: 0 });
    } catch (err) {
      if (isBlobMissing(err)) throw new TroveError('NOT_FOUND', `${key} is not on ${this.where}.`, { hint: 'Push it from a clone that has it (trove push).', data: { key } });
      if (errorCode(err) === 'InvalidRange') return;
      throw this.fail(err, `reading ${key}`, key);
    }
    if (!res.readableStreamBody) return;
    let got = 0;
    try {
      // Leaving this loop early (the consumer stopped) destroys the response and frees its socket.
      for await (const p of res.readableStreamBody) {
        const part = typeof p === 'string' ? Buffer.from(p) : (p as Buffer);
        got += part.length;
        yield part;
      }
    } catch (err) {
      throw this.fail(err, `reading ${key}`, key);
    }
    if (res.contentLength !== undefined && got !== res.contentLength) {
      throw new TroveError('REMOTE', `Received ${got} of ${res.contentLength} bytes of ${key} from ${this.where}.`, { retryable: true, data: { key } });
    }
  }

  async put(key: string, body: Body): Promise<void> {
    const blob = this.blob(key);
    try {
      if (body.size <= this.blockSize) {
        const data = await readBody(body);
        this.checkSize(data.length, body.size, key);
        await blob.upload(data, data.length);
      } else {
        await this.putBlocks(blob, key, body);
      }
    } catch (err) {
      throw this.fail(err, `writing ${key}`, key);
    }
  }

  /**
   * Stage the body in blocks, then commit the list: the blob appears (or is
   * replaced) only at the commit, so a reader never sees part of it.
   */
  private async putBlocks(blob: BlockBlobClient, key: string, body: Body): Promise<void> {
    if (Math.ceil(body.size / this.blockSize) > MAX_BLOCKS) {
      throw new TroveError('REMOTE', `${key} (${body.size} bytes) is larger than a blob on ${this.where} can be (${MAX_BLOCKS} blocks of ${this.blockSize} bytes).`, { data: { key } });
    }
    // Block IDs must have one length within a blob; a random tag per put keeps
    // two concurrent puts of one key from committing each other's blocks.
    const tag = randomBytes(6).toString('hex');
    const ids: string[] = [];
    const abort = new AbortController();
    const inFlight = new Set<Promise<void>>();
    let failure: { err: unknown } | undefined;
    const stage = (block: Buffer): void => {
      const id = Buffer.from(`${tag}-${String(ids.length).padStart(6, '0')}`).toString('base64');
      ids.push(id);
      const p: Promise<void> = blob
        .stageBlock(id, block, block.length, { abortSignal: abort.signal })
        .then(
          () => undefined,
          (err: unknown) => {
            // Keep the first failure; the aborts it causes in the other blocks are noise.
            if (!failure) failure = { err };
            abort.abort();
          },
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    try {
      let fill = Buffer.allocUnsafe(this.blockSize);
      let used = 0;
      let total = 0;
      for await (const piece of body.open()) {
        total += piece.length;
        for (let at = 0; at < piece.length; ) {
          const n = Math.min(piece.length - at, fill.length - used);
          fill.set(piece.subarray(at, at + n), used);
          used += n;
          at += n;
          if (used < fill.length) continue;
          stage(fill);
          fill = Buffer.allocUnsafe(this.blockSize);
          used = 0;
          while (inFlight.size >= BLOCKS_IN_FLIGHT) await Promise.race(inFlight);
          if (failure) throw failure.err;
        }
      }
      this.checkSize(total, body.size, key);
      if (used > 0) stage(fill.subarray(0, used));
      await Promise.all(inFlight);
      if (failure) throw failure.err;
      await blob.commitBlockList(ids);
    } catch (err) {
      // Staged blocks that are never committed are discarded by Azure after a week; nothing to clean up.
      abort.abort();
      await Promise.all(inFlight);
      throw err;
    }
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    const dir = prefix.replace(/\/+$/, '');
    // Below a prefix means below a directory, as in DirectoryBackend: "p/" never matches "pq".
    const full = dir === '' ? (this.prefix === '' ? '' : `${this.prefix}/`) : `${joinKey(this.prefix, checkKey(dir))}/`;
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    const out: RemoteEntry[] = [];
    try {
      const pages = this.container.listBlobsFlat({ prefix: full || undefined, includeMetadata: true }).byPage({ maxPageSize: this.tuning.listPageSize ?? 5000 });
      for await (const page of pages) {
        for (const item of page.segment.blobItems) {
          // Accounts with a hierarchical namespace (Data Lake Gen2) list directories as empty marker blobs.
          if (item.metadata?.hdi_isfolder === 'true') continue;
          out.push({ key: item.name.slice(strip), size: item.properties.contentLength ?? 0, mtime: item.properties.lastModified.getTime() });
        }
      }
    } catch (err) {
      throw this.fail(err, dir === '' ? 'listing it' : `listing ${dir}/`, dir);
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    const blob = this.blob(key);
    try {
      // Snapshots would make a plain delete fail (SnapshotsPresent); trove never takes any, others might.
      await blob.deleteIfExists({ deleteSnapshots: 'include' });
    } catch (err) {
      throw this.fail(err, `deleting ${key}`, key);
    }
  }

  /** The SDK shares one keep-alive HTTP client across all clients in the process and idle sockets do not hold it open: nothing to release. */
  async close(): Promise<void> {}

  private checkSize(got: number, want: number, key: string): void {
    if (got !== want) throw new TroveError('REMOTE', `Read ${got} bytes of ${key} for ${this.where}, expected ${want}.`, { retryable: true, data: { key } });
  }

  /** Map an SDK failure to the Backend error contract. Messages carry names and codes, never a key, SAS or signature. */
  private fail(err: unknown, doing: string, key: string): TroveError {
    if (err instanceof TroveError) return err;
    // A body read from a local file can fail too: that is the disk's fault, not the remote's.
    const local = err as NodeJS.ErrnoException | undefined;
    if (typeof local?.syscall === 'string' && typeof local.path === 'string') return fromFsError(err, 'reading', local.path);
    const code = errorCode(err);
    const http = (err as SdkError | undefined)?.statusCode;
    const container = this.container.containerName;
    const where = `The remote "${this.name}" (${this.display})`;
    const data: Record<string, unknown> = { key, azureCode: code ?? null, httpStatus: http ?? null };
    if (code === 'ContainerNotFound') {
      return new TroveError('NOT_FOUND', `The container "${container}" of ${this.where} does not exist.`, {
        hint: `Create it (az storage container create --name ${container} --account-name ACCOUNT), or point the remote at another container: trove remote modify ${this.name} url azure://CONTAINER/PREFIX.`,
        cause: err,
        data: { ...data, container },
      });
    }
    const verdict = classifyHttpFailure({ status: http, code, retryAfter: (err as SdkError | undefined)?.response?.headers?.get('retry-after') });
    if (verdict.code === 'NOT_FOUND') return new TroveError('NOT_FOUND', `${where} has no ${key || 'such object'} (${code ?? `HTTP ${http}`}) while ${doing}.`, { cause: err, data });
    if (verdict.code === 'AUTH') {
      return new TroveError('AUTH', `${where} refused the credentials (${code ?? `HTTP ${http}`}) while ${doing}.`, { hint: authHint(code, this.name), cause: err, data });
    }
    // Without a status and a transport code the failure never left this machine (a bug, a bad argument): not retried.
    const { retryable: transient, retryAfterMs } = verdict;
    const reason = code ?? redactUrl((err as Error | undefined)?.message ?? 'unknown error');
    const message = verdict.network
      ? `Cannot reach ${this.where} (${reason}) while ${doing}.`
      : `${where} failed (${reason}${http === undefined ? '' : `, HTTP ${http}`}) while ${doing}.`;
    return new TroveError('REMOTE', message, {
      cause: err,
      retryable: transient,
      data: retryAfterMs === undefined ? data : { ...data, retryAfterMs },
      hint: transient ? 'Run the command again; what was sent is kept.' : undefined,
    });
  }
}

/** A 404 about the blob itself, not about its container. */
function isBlobMissing(err: unknown): boolean {
  return (err as SdkError | undefined)?.statusCode === 404 && errorCode(err) !== 'ContainerNotFound';
}

/** The storage error code; a HEAD response has no body, so it comes only from the x-ms-error-code header (details). */
function errorCode(err: unknown): string | undefined {
  const e = err as SdkError | undefined;
  if (!e || typeof e !== 'object') return undefined;
  return e.details?.errorCode ?? (typeof e.code === 'string' ? e.code : undefined);
}

function authHint(code: string | undefined, name: string): string {
  if (code === 'AuthorizationPermissionMismatch' || code === 'AuthorizationResourceTypeMismatch' || code === 'InsufficientAccountPermissions') {
    return 'The credentials are valid but not allowed here: a SAS needs permissions rwdl on the container (sr=c or an account SAS), a role needs Storage Blob Data Contributor.';
  }
  return `Set connection_string, or account_name with account_key or sas_token, for the remote in .trove/config.local.yaml (trove remote modify --local ${name} account_key KEY), or export AZURE_STORAGE_CONNECTION_STRING (or AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN).`;
}

/**
 * The service client from the remote's settings (snake_case, as in config.yaml),
 * falling back to the environment. Settings win as a whole: a remote that names
 * its own account ignores an AZURE_STORAGE_CONNECTION_STRING meant for another.
 */
function serviceClient(options: BackendOptions, shown: string): BlobServiceClient {
  const settings = new RemoteSettings(options.name, options.settings);
  const str = (k: string): string | undefined => settings.string(k);
  const env = (k: string): string | undefined => options.env[k]?.trim() || undefined;
  const pipeline: StoragePipelineOptions = { retryOptions: { maxTries: 1 }, userAgentOptions: { userAgentPrefix: 'trove' } };
  const endpoint = str('endpoint')?.replace(/\/+$/, '');
  const ownCredentials = str('account_name') ?? str('account_key') ?? str('sas_token');
  const connectionString = str('connection_string') ?? (ownCredentials ? undefined : env('AZURE_STORAGE_CONNECTION_STRING'));
  if (connectionString) {
    if (endpoint) {
      throw new TroveError('CONFIG', `${shown} has both a connection string and an endpoint.`, { hint: `Put the endpoint in the connection string (BlobEndpoint=…), or unset one: trove remote modify ${options.name} endpoint --unset.` });
    }
    try {
      return BlobServiceClient.fromConnectionString(connectionString, pipeline);
    } catch {
      // No cause: the SDK's message may quote the string, key and all.
      throw new TroveError('CONFIG', `The connection string for ${shown} cannot be parsed.`, { hint: 'Copy it again from the portal (Access keys) or az storage account show-connection-string; for Azurite use UseDevelopmentStorage=true.' });
    }
  }
  const account = str('account_name') ?? env('AZURE_STORAGE_ACCOUNT');
  const key = str('account_key') ?? (str('sas_token') ? undefined : env('AZURE_STORAGE_KEY'));
  const sas = str('sas_token') ?? (str('account_key') ? undefined : env('AZURE_STORAGE_SAS_TOKEN'));
  const base = endpoint ?? (account ? `https://${account}.blob.core.windows.net` : undefined);
  if (base && account && key) return new BlobServiceClient(base, new StorageSharedKeyCredential(account, key), pipeline);
  if (base && sas) return new BlobServiceClient(`${base}?${sas.replace(/^\?/, '')}`, new AnonymousCredential(), pipeline);
  throw new TroveError('AUTH', `No credentials for ${shown}.`, { hint: authHint(undefined, options.name) });
}
