import { useEffect, useRef } from 'preact/hooks';
import type { RunsEvent } from '../src/server/types/runsTypes.js';

/**
 * Live runs: `/api/events` (Server-Sent Events) tells which runs changed;
 * `onChange(ids)` is called with them, and with [] when the stream (re)opens
 * (`ready`: whatever happened while it was closed, e.g. a server restart, is
 * unknown, so reload). EventSource reconnects by itself.
 */
export function useRunEvents(onChange: (ids: string[]) => void): void {
  const cb = useRef(onChange);
  cb.current = onChange;
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/events');
    let opened = false;
    es.addEventListener('ready', () => {
      if (opened) cb.current([]); // a reconnect: reload everything
      opened = true;
    });
    es.addEventListener('runs', (e) => {
      try {
        cb.current((JSON.parse((e as MessageEvent<string>).data) as RunsEvent).ids);
      } catch {
        /* a malformed event: ignore it, the next one will do */
      }
    });
    return () => es.close();
  }, []);
}
