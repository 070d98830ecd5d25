import type { Backend, Body, ByteRange } from '../../src/remote/Backend.js';

/** A backend that hands every call to a real one: fault-injecting test backends extend it and override what they break. */
export abstract class PassThroughBackend implements Backend {
  readonly canList = true;
  abstract readonly readOnly: boolean;
  abstract readonly display: string;

  constructor(protected readonly inner: Backend) {}

  stat(key: string): Promise<number | undefined> {
    return this.inner.stat(key);
  }
  list(prefix: string): ReturnType<Backend['list']> {
    return this.inner.list(prefix);
  }
  delete(key: string): ReturnType<Backend['delete']> {
    return this.inner.delete(key);
  }
  close(): ReturnType<Backend['close']> {
    return this.inner.close();
  }
  get(key: string, range?: ByteRange): Promise<Buffer> {
    return this.inner.get(key, range);
  }
  put(key: string, body: Body): Promise<void> {
    return this.inner.put(key, body);
  }
}
