import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TroveError } from '../errors/index.js';
import { mkdirp } from '../util/mkdirp.js';
import { renameCreatingParent } from '../util/renameCreatingParent.js';
import { bodyStream, type Backend, type BackendOptions, type Body, type ByteRange, type RemoteEntry } from './Backend.js';
import { checkKey } from './checkKey.js';
import { parseRemoteUrl } from './remoteUrl.js';

/**
 * A local or network-mounted directory. Writes go to `<root>/tmp/` and are
 * renamed into place, so a reader on another machine never sees half an
 * object; the directory is created on the first write, like `git init --bare`
 * would be by hand.
 */
export class DirectoryBackend implements Backend {
  readonly readOnly = false;
  readonly canList = true;
  readonly tempPrefix = 'tmp/';
  readonly local = true;
  readonly display: string;

  constructor(readonly root: string, private readonly name: string) {
    this.display = root;
  }

  static open(options: BackendOptions): DirectoryBackend {
    return new DirectoryBackend(parseRemoteUrl(options.url, options.baseDir).path, options.name);
  }

  private file(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  async stat(key: string): Promise<number | undefined> {
    try {
      const st = await fsp.stat(this.file(key));
      return st.isFile() ? st.size : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.fail(err, 'reading', key);
    }
  }

  async get(key: string, range?: ByteRange, into?: Buffer): Promise<Buffer> {
    const path = this.file(key);
    try {
      if (!range) return await fsp.readFile(path);
      const fh = await fsp.open(path, 'r');
      try {
        const length = range.end - range.start;
        const buf = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
        let got = 0;
        while (got < buf.length) {
          const { bytesRead } = await fh.read(buf, got, buf.length - got, range.start + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === buf.length ? buf : buf.subarray(0, got);
      } finally {
        await fh.close();
      }
    } catch (err) {
      if (isMissing(err)) throw new TroveError('NOT_FOUND', `${key} is not on the remote "${this.name}" (${this.display}).`, { hint: 'Push it from a clone that has it (trove push).', data: { key } });
      throw this.fail(err, 'reading', key);
    }
  }

  async put(key: string, body: Body): Promise<void> {
    const target = this.file(key);
    const tmpDir = join(this.root, 'tmp');
    const tmp = join(tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      mkdirp(tmpDir);
      await pipeline(bodyStream(body), createWriteStream(tmp, { mode: 0o444 }));
      const st = await fsp.stat(tmp);
      if (st.size !== body.size) throw new TroveError('REMOTE', `Wrote ${st.size} bytes of ${key} to ${this.display}, expected ${body.size}.`, { retryable: true });
      await renameCreatingParent(tmp, target);
    } catch (err) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined); // cleanup only: the write's own error is rethrown below
      throw this.fail(err, 'writing', key);
    }
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    const out: RemoteEntry[] = [];
    const start = prefix === '' ? this.root : this.file(prefix.replace(/\/+$/, ''));
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw this.fail(err, 'listing', relative(this.root, dir) || '.');
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (dir === this.root && e.name === 'tmp') continue;
          await walk(p);
        } else if (e.isFile()) {
          const st = await fsp.stat(p).catch(() => undefined); // removed between readdir and stat (a concurrent gc or upload rename): not listed, as if listed a moment later
          if (st) out.push({ key: relative(this.root, p).split(sep).join('/'), size: st.size, mtime: st.mtimeMs });
        }
      }
    };
    await walk(start);
    return out;
  }

  async delete(key: string): Promise<void> {
    try {
      await fsp.rm(this.file(key), { force: true });
    } catch (err) {
      throw this.fail(err, 'deleting', key);
    }
  }

  async close(): Promise<void> {}

  private fail(err: unknown, doing: string, key: string): TroveError {
    if (err instanceof TroveError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    const where = `the remote "${this.name}" (${this.display})`;
    if (code === 'ENOSPC' || code === 'EDQUOT') return new TroveError('NO_SPACE', `${where} is full (while ${doing} ${key}).`, { hint: 'Free space on the remote (trove gc -r NAME removes what nothing refers to), then run the command again; what was sent is kept.', cause: err });
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new TroveError('PERMISSION', `Permission denied on ${where} while ${doing} ${key}.`, { hint: 'Check that the directory is writable for you (ls -ld), or use a remote you can write to.', cause: err });
    return new TroveError('REMOTE', `I/O error (${code ?? 'unknown'}) on ${where} while ${doing} ${key}.`, { cause: err, retryable: code === 'EIO' || code === 'ETIMEDOUT' || code === 'EAGAIN' || code === 'ESTALE' });
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
