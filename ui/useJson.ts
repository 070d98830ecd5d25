import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from './api.js';

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; error: ApiError };

/** Fetch a JSON route when `path` changes (null: nothing to fetch); `refresh` bumps to fetch again. */
export function useJson<T>(path: string | null, refresh = 0): Loaded<T> {
  const [v, setV] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    setV((old) => (old.state === 'ok' && refresh > 0 ? old : { state: 'loading' }));
    getJson<T>(path, { signal: ctl.signal }).then(
      (data) => setV({ state: 'ok', data }),
      (err) => {
        if ((err as Error).name !== 'AbortError') setV({ state: 'error', error: err instanceof ApiError ? err : new ApiError(0, 'INTERNAL', String(err), null) });
      },
    );
    return () => ctl.abort();
  }, [path, refresh]);
  return v;
}
