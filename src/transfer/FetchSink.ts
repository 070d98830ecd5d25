import { fromFsError } from '../errors/index.js';
import { createOid } from '../core/oid.js';
import type { Reporter } from '../core/Reporter.js';
import { ObjectBatch, syncDirs, useFsWideSync, writeObject } from '../store/objectWriter.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { SpanStorer, type StoreSlot } from '../store/SpanStorer.js';
import type { PackWriter } from '../store/pack/PackWriter.js';
import { mapLimit } from '../util/mapLimit.js';
import { badRemoteCopy } from './badRemoteCopy.js';
import type { FetchFailure, FetchWant, Member, Span } from './planSpans.js';
import { sha256 } from './RemoteIndex.js';

/**
 * Fetching into local packs: entries of at most `maxObject` bytes are
 * appended, verified, to `writer` (store/pack/PackWriter.ts), larger ones
 * stay loose. Off unless given: the store decides whether it packs.
 */
export interface FetchPacking {
  readonly writer: Pick<PackWriter, 'append' | 'finish'>;
  readonly maxObject: number;
}

export interface FetchStats {
  objects: number;
  bytes: number;
  requests: number;
  readonly failed: FetchFailure[];
}

/** Objects of one read written to the store at once: file creation waits overlap on the thread pool. */
const WRITES_IN_FLIGHT = 8;

/**
 * Where fetched bytes go: each entry verified against its digest, then
 * written into the store (temp file + rename), on store threads (SpanStorer)
 * when `storeThreads` is given, else on this thread. Counts what it stores in
 * `stats` and on the reporter. finish() then sync() make it all durable
 * before the caller checks anything out.
 */
export class FetchSink {
  /** Store threads, when the fetch is large enough to pay for them; batches may then be read straight into their slots. */
  readonly storer: SpanStorer | undefined;
  private readonly deferred: ObjectBatch | undefined;
  /** Fan-out directories that received objects, synced once at the end (objectWriter), before the caller checks anything out. */
  private readonly dirs = new Set<string>();

  /** Where verified small entries go instead of loose files (a store with local packs); sealed in finish(). */
  private readonly packs: FetchPacking | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly display: string,
    private readonly progress: { stats: FetchStats; reporter: Reporter },
    options: { objects: number; threaded: boolean; storeThreads: number | undefined; packs?: FetchPacking },
  ) {
    this.packs = options.packs;
    // Many objects (W2's 20,000): no sync per object. They are written as temps, renamed after a syncfs
    // (in the background as they come, see ObjectBatch), and the last of them in finish(), with one
    // more syncfs, before the caller checks anything out. A sync per object cost +50 % on W2's pull.
    const fsWide = useFsWideSync(options.objects, { fsync: store.fsync }) ? store.dir : undefined;
    this.deferred = fsWide ? new ObjectBatch({ fsync: store.fsync }, { early: true, fsWide }) : undefined;
    // Packing appends on this thread (one writer, one file): the store threads write loose files only.
    this.storer = options.threaded && !this.packs ? new SpanStorer(undefined, options.storeThreads, store.fsync, this.deferred !== undefined) : undefined;
  }

  private targetOf(want: FetchWant): string {
    return this.store.targetFor(want.kind === 'o' ? 'object' : 'chunklist', createOid('sha256', want.hex));
  }

  private stored(bytes: number): void {
    this.progress.stats.objects++;
    this.progress.stats.bytes += bytes;
    this.progress.reporter.advance(bytes);
  }

  private async writeVerified(want: FetchWant, bytes: Buffer): Promise<void> {
    try {
      // The closure asked only for objects the store lacked: no second existence check per object.
      if (this.deferred) this.deferred.add(this.targetOf(want), bytes, { checkExists: false });
      else await writeObject(this.targetOf(want), bytes, { checkExists: false, fsync: this.store.fsync }, this.dirs);
    } catch (err) {
      throw fromFsError(err, 'writing a fetched object into the store at', this.store.dir);
    }
    this.stored(bytes.length);
  }

  /**
   * Verify and store one batch: `data` holds the members' bytes at their
   * offsets (in `slot` when it was read into a store thread's slot). Nothing
   * of a batch is stored unless every member verifies; on a write error, the
   * members before it are stored. `done` records which are.
   */
  async storeBatch(span: Span, attempt: number, data: Buffer, group: readonly Member[], done: boolean[], slot?: StoreSlot): Promise<void> {
    const storer = this.storer;
    if (storer) {
      const entries = group.map((m) => ({ offset: m.offset, length: m.it.entry.length, digest: m.it.entry.digest, target: this.targetOf(m.it.want) }));
      const reply = slot ? await storer.storeIn(slot, data.length, entries) : await storer.store(data, entries);
      if ('dirs' in reply) for (const d of reply.dirs) this.dirs.add(d);
      if ('staged' in reply && reply.staged) this.deferred!.adopt(reply.staged);
      if (!reply.ok) {
        if (reply.problem === 'io') {
          for (const m of group.slice(0, reply.index)) {
            done[m.i] = true;
            this.stored(m.it.entry.length);
          }
          throw fromFsError(Object.assign(new Error(reply.message), { code: reply.code }), 'writing a fetched object into the store at', this.store.dir);
        }
        throw badRemoteCopy(this.display, span, group[reply.index]!.it, reply.problem === 'truncated', attempt);
      }
      for (const m of group) {
        done[m.i] = true;
        this.stored(m.it.entry.length);
      }
      return;
    }
    const bytesOf = (m: Member): Buffer => data.subarray(m.offset, m.offset + m.it.entry.length);
    for (const m of group) {
      const bytes = bytesOf(m);
      if (bytes.length !== m.it.entry.length || sha256(bytes) !== m.it.entry.digest) throw badRemoteCopy(this.display, span, m.it, bytes.length !== m.it.entry.length, attempt);
    }
    const packs = this.packs;
    const loose = packs ? group.filter((m) => m.it.entry.length > packs.maxObject) : group;
    if (packs) {
      // Verified above: appended in span order, so a remote pack read whole lands as one local run.
      for (const m of group) {
        if (m.it.entry.length > packs.maxObject) continue;
        try {
          packs.writer.append(m.it.want.kind, m.it.want.hex, bytesOf(m));
        } catch (err) {
          throw fromFsError(err, 'writing a fetched object into a local pack in', this.store.dir);
        }
        done[m.i] = true;
        this.stored(m.it.entry.length);
      }
    }
    await mapLimit(loose, WRITES_IN_FLIGHT, async (m) => {
      await this.writeVerified(m.it.want, bytesOf(m));
      done[m.i] = true;
    });
  }

  /**
   * Stop the store threads and commit the deferred objects. Called whatever
   * happened: verified objects are kept even when the fetch stops early (a
   * retry then skips them), committed here, or, when that fails, their temps
   * removed. A commit failure fails the fetch as a whole.
   */
  async finish(): Promise<void> {
    await this.storer?.close();
    if (this.packs) {
      // Sealed and published, packs/ synced (PackWriter.finish), before the caller checks anything out.
      try {
        this.packs.writer.finish();
      } catch (err) {
        throw fromFsError(err, 'sealing a local pack in', this.store.dir);
      }
    }
    if (this.deferred) {
      try {
        await this.deferred.commit();
        for (const d of this.deferred.dirs) this.dirs.add(d);
      } catch (err) {
        throw fromFsError(err, 'syncing the store at', this.store.dir);
      }
    }
  }

  /** Sync the fan-out directories that received objects (after finish, when the fetch ran to its end). */
  async sync(): Promise<void> {
    try {
      await syncDirs(this.dirs, { fsync: this.store.fsync });
    } catch (err) {
      throw fromFsError(err, 'syncing the store at', this.store.dir);
    }
  }
}
