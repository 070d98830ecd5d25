import { useEffect, useState } from 'preact/hooks';

/** The current hash route split into its path (`#/run/abc`) and query (`?ids=a,b`). */
export interface Location {
  readonly path: string;
  readonly params: URLSearchParams;
}

export function currentLocation(): Location {
  const hash = window.location.hash || '#/';
  const q = hash.indexOf('?');
  return { path: q < 0 ? hash : hash.slice(0, q), params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

/** Re-render on every hash change (routes are hashes, so the server serves one page for every address). */
export function useLocation(): Location {
  const [loc, setLoc] = useState(currentLocation);
  useEffect(() => {
    const on = (): void => setLoc(currentLocation());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return loc;
}

/** Match `#/run/:id` against `#/run/abc` → {id: 'abc'} (segments URI-decoded; a trailing `*` takes the rest). */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('/');
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part === '*') {
      out['rest'] = s.slice(i).map(decodeURIComponent).join('/');
      return out;
    }
    if (i >= s.length) return null;
    if (part.startsWith(':')) out[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return null;
  }
  return p.length === s.length ? out : null;
}

export function navigate(hash: string): void {
  window.location.hash = hash;
}
