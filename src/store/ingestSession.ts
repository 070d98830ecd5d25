import { createOid } from '../core/oid.js';
import type { IngestSession } from './ContentStore.js';
import { ingestMany, type PackSink } from './ingestPool.js';
import type { ObjectStore } from './ObjectStore.js';

/**
 * One command's ingest (add): worker threads hash every file; a small one
 * (at most the store's packMaxObject) comes back as bytes and is appended
 * here, on the main thread, to one PackWriter for the whole command,
 * skipping what the store already has; a large file keeps the loose path
 * (its chunks are written by the workers). One writer, not one per worker
 * message: 64-file messages would make a pack each. close() seals the last
 * pack and syncs `packs/`: nothing may name the objects before it returns.
 * A call with fewer than the store's packMinObjects files stays loose.
 */
export function openIngestSession(store: ObjectStore, options: { jobs: number }): IngestSession {
  // The writer remembers only the open pack's entries (memory bounded by one pack, not by the add): a sealed pack's are
  // found in the store, whose pack set is reloaded after each seal.
  const writer = store.packMaxObject > 0 ? store.packWriter({ forgetSealed: true }) : undefined;
  const sink: PackSink | undefined = writer && {
    maxObject: store.packMaxObject,
    put: (hex, data) => {
      if (writer.has('o', hex) || store.hasObject(createOid('sha256', hex), { reload: false })) return 0;
      const sealed = writer.sealed.length;
      const n = writer.append('o', hex, data);
      // a pack sealed mid-session joins the store's pack set at once: the writer no longer remembers its entries
      if (writer.sealed.length !== sealed) store.packs.refresh();
      return n;
    },
  };
  let closed = false;
  return {
    ingest: (items, o = {}) => ingestMany(items, store.dir, { jobs: options.jobs, fsync: store.fsync, pack: items.length >= store.packMinObjects ? sink : undefined, onDone: o.onDone, onProgress: o.onProgress }),
    close: async () => {
      if (closed) return;
      closed = true;
      if (!writer) return;
      try {
        writer.finish();
      } catch (err) {
        writer.abort();
        throw err;
      }
      // Readers of this process see the new packs at once (the pack set listed the directory before they existed).
      if (writer.sealed.length > 0) store.packs.refresh();
    },
  };
}
